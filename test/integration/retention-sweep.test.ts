// Retention through the host, with real parts: a simulated camera over RTSP recording through
// LVA's CVR topology (its asset sink given `retentionPeriod`) into a real Azurite and into a
// local folder. Older recordings in the same asset disappear from storage, the day index and
// availableMedia at a sweep; nothing newer is touched. The sweep's clock is injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { openAssetStore } from '../../src/storage/open-store.ts';
import { storageRequests } from '../../src/storage/request-counter.ts';
import { HttpMetrics } from '../../src/control/http/metrics.ts';
import type { AssetStore } from '../../src/types/asset-store.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';
import { until } from '../helpers/until.ts';

const MIN = 60_000;
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 30_000 }];

/** Recordings made before this run: 30 s segments at the given start times, indexed, with a gap. */
async function olderRecordings(store: AssetStore, dir: string, starts: readonly number[]): Promise<void> {
  const init = join(dir, 'old-init.mp4');
  writeFileSync(init, Buffer.alloc(200, 1));
  for (const start of starts) {
    const path = join(dir, `old-${start}.m4s`);
    writeFileSync(path, Buffer.alloc(5000, 3));
    await store.uploadSegment({
      path,
      startWallClockMs: start,
      endWallClockMs: start + 30_000,
      mediaDurationMs: 30_000,
      tracks,
      init: { id: 'old', path: init, byteSize: 200 },
    });
  }
  const ranges = starts.map((s) => ({ startMs: s, endMs: s + 30_000 }));
  await store.recordInIndex({ ranges, gaps: [{ startMs: starts[0]! + 30_000, endMs: starts[1]!, reason: 'camera-lost' }] });
}

for (const kind of ['blob', 'file'] as const) {
  test(`retention (${kind} store): a sweep deletes the recordings older than retentionPeriod, and nothing newer`, async (t) => {
    const dir = tempDir(t, `retention-${kind}-`);
    let location = `file:${join(dir, 'assets')}`;
    if (kind === 'blob') {
      const az = await startAzurite();
      t.after(() => az.close());
      location = az.connectionString;
    }
    const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
    t.after(() => camera.close());
    let clockOffsetMs = 0;
    const host = await MediaGraphHost.open({
      dataDirectory: join(dir, 'host'),
      registry: createBuiltinRegistry(),
      logLevel: 'silent',
      services: { blobConnection: location },
      retention: { sweepIntervalMs: 3600_000, now: () => Date.now() + clockOffsetMs },
    });
    const events: GraphEvent[] = [];
    const sub = host.events$.subscribe((e) => events.push(e));
    t.after(async () => {
      sub.unsubscribe();
      await host.close();
    });

    const store = await openAssetStore(location, 'sampleAsset-CVRToAsset-cam1');
    const t0 = Date.now();
    // 40 to 37 minutes ago with a gap, then 4 minutes ago: a 10-minute retention keeps the last
    const old = [t0 - 40 * MIN, t0 - 38 * MIN, t0 - 37.5 * MIN];
    const recent = [t0 - 4 * MIN];
    await olderRecordings(store, dir, [...old, ...recent]);

    const topology = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'));
    topology.properties.sinks[0].retentionPeriod = 'PT10M';
    await host.topologySet(topology);
    await host.instanceSet({
      name: 'cam1',
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'cachePath', value: join(dir, 'cache') },
        ],
      },
    });
    await host.instanceActivate('cam1');
    await until(() => events.some((e) => e.type === 'SegmentUploaded'), 25_000, 'a segment recorded by this run');

    const before = await store.listNames('segments/');
    const oldNames = before.slice(0, old.length);
    const newer = before.slice(old.length);
    assert.equal(newer.length, 2, `one recent older recording and this run's first segment: ${before.join(' ')}`);
    const deletesBefore = storageRequests.snapshot().get('delete-segment') ?? 0;

    const swept = await host.sweepRetention();
    assert.deepEqual(swept, { assets: 1, deletedSegments: 3, deletedBytes: 15_000, failed: 0 });
    const after = await store.listNames('segments/');
    assert.deepEqual(after.slice(0, newer.length), newer, 'everything newer is untouched');
    assert.ok(
      after.every((n) => !oldNames.includes(n)),
      'the old segments are gone',
    );
    assert.deepEqual(
      after.filter((n) => n < newer[0]!),
      [],
    );
    const oldDay = new Date(old[0]!).toISOString().slice(0, 10);
    const idx = await store.readIndex(oldDay);
    assert.ok(!idx || idx.ranges.every((r) => r.startMs >= recent[0]!), 'the day index lists nothing deleted');
    assert.ok(!idx || idx.gaps.every((g) => g.startMs >= recent[0]!), 'nor its gaps');
    assert.deepEqual(await store.listNames('gaps/'), []);
    const media = await store.availableRanges(t0 - 60 * MIN, Date.now() + MIN);
    assert.equal(media.ranges[0]!.startMs, recent[0], 'availableMedia starts with the oldest recording kept');
    assert.deepEqual(media.gaps, []);
    // a local folder sends no billed requests; Blob Storage counts them as every other call
    if (kind === 'blob')
      assert.equal((storageRequests.snapshot().get('delete-segment') ?? 0) - deletesBefore, 3, "the sweep's deletes are counted as storage requests");

    // Six minutes later by the sweep's clock, the recent older recording has expired too.
    clockOffsetMs = 6.5 * MIN;
    const later = await host.sweepRetention();
    assert.equal(later.deletedSegments, 1);
    const last = await store.listNames('segments/');
    assert.deepEqual(last.slice(0, newer.length - 1), newer.slice(1), "this run's recordings stay");
    assert.equal((await store.availableRanges(t0 - 60 * MIN, Date.now() + MIN)).ranges[0]!.startMs > recent[0]!, true);

    const metrics = await new HttpMetrics(host).render();
    assert.match(metrics.body, /^mediagraph_retention_deleted_segments_total 4$/m);
    assert.match(metrics.body, /^mediagraph_retention_deleted_bytes_total 20000$/m);
  });
}
