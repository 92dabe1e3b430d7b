// The AssetStore contract, run against both stores (Blob Storage in a real Azurite, and a local
// folder): what the uploader writes, what playback reads, exact ranges while the day index is
// stale, byte ranges, gaps across midnight, deletes. The same assertions for each.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { text } from 'node:stream/consumers';
import { startAzurite } from '../../src/testing/azurite.ts';
import { openAssetStore, openStoreProvider } from '../../src/storage/open-store.ts';
import { RangeNotSatisfiableError, type AssetStore } from '../../src/types/asset-store.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const MIDNIGHT = Date.UTC(2026, 0, 2);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 4000 }];

for (const kind of ['blob', 'file'] as const) {
  test(`AssetStore contract (${kind} store): write, list, read ranges, exact while the index is stale, across midnight`, async (t) => {
    const dir = tempDir(t, `store-contract-${kind}-`);
    let location = `file:${join(dir, 'store')}`;
    if (kind === 'blob') {
      const az = await startAzurite();
      t.after(() => az.close());
      location = az.connectionString;
    }
    const store: AssetStore = await openAssetStore(location, 'Contract-Cam');
    const provider = await openStoreProvider(location);
    const initPath = join(dir, 'init.mp4');
    writeFileSync(initPath, Buffer.alloc(300, 7));
    assert.equal(await store.uploadInit({ id: 'init/a b', path: initPath }), 'init/init%2Fa%20b.mp4');
    // Four 4 s segments from 23:59:52 to 00:00:08, the third after a 2 s hole.
    const starts = [MIDNIGHT - 8000, MIDNIGHT - 4000, MIDNIGHT + 2000];
    const files = starts.map((_, i) => {
      const p = join(dir, `s${i}.m4s`);
      writeFileSync(p, Buffer.from(`segment-${i}-`.repeat(50 + i)));
      return p;
    });
    for (const [i, start] of starts.entries()) {
      const r = await store.uploadSegment({
        path: files[i]!,
        startWallClockMs: start,
        endWallClockMs: start + 4000,
        mediaDurationMs: 4000,
        tracks,
        init: { id: 'init/a b', path: initPath, byteSize: 300 },
      });
      assert.equal(r.byteSize, readFileSync(files[i]!).length);
    }
    assert.deepEqual(await provider.listAssets(), ['contract-cam']);
    assert.equal(await provider.assetExists('Contract-Cam'), true);
    assert.equal(await provider.assetExists('other-cam'), false);

    // No index yet: the listing is the truth.
    const window = { from: MIDNIGHT - 3600_000, to: MIDNIGHT + 3600_000 };
    const expected = [
      { startMs: MIDNIGHT - 8000, endMs: MIDNIGHT },
      { startMs: MIDNIGHT + 2000, endMs: MIDNIGHT + 6000 },
    ];
    assert.deepEqual((await store.availableRanges(window.from, window.to)).ranges, expected);
    // An index that lists only the first segment (stale): still exact, per day and overall.
    await store.recordInIndex({
      ranges: [{ startMs: starts[0]!, endMs: starts[0]! + 4000 }],
      gaps: [{ startMs: MIDNIGHT, endMs: MIDNIGHT + 2000, reason: 'camera-lost' }],
    });
    assert.deepEqual(
      (await store.readIndex('2026-01-01'))?.ranges,
      [{ startMs: MIDNIGHT - 8000, endMs: MIDNIGHT }],
      'the first write of a day starts from its listing',
    );
    const avail = await store.availableRanges(window.from, window.to);
    assert.deepEqual(avail.ranges, expected);
    assert.deepEqual(avail.gaps, [{ startMs: MIDNIGHT, endMs: MIDNIGHT + 2000, reason: 'camera-lost' }]);
    assert.deepEqual((await store.availableRanges(MIDNIGHT, MIDNIGHT + 86_400_000)).ranges, [expected[1]]);
    assert.deepEqual(await store.recordedExtent(), { startMs: MIDNIGHT - 8000, endMs: MIDNIGHT + 6000 });
    assert.deepEqual(await store.listNames('gaps/'), ['gaps/20260102T000000.000Z_20260102T000002.000Z_camera-lost']);

    // Segments for playback: sorted, with their init and codecs; reads whole and by range.
    const segs = await store.listSegments(MIDNIGHT - 5000, MIDNIGHT + 10_000);
    assert.deepEqual(
      segs.map((s) => [s.startMs - MIDNIGHT, s.endMs - MIDNIGHT, s.initId, s.codecs]),
      [
        [-8000, -4000, 'init/a b', 'avc1.64001f'],
        [-4000, 0, 'init/a b', 'avc1.64001f'],
        [2000, 6000, 'init/a b', 'avc1.64001f'],
      ],
    );
    const name = `segments/${segs[2]!.name}`;
    const whole = await store.readObject(name);
    assert.equal(await text(whole!.body), readFileSync(files[2]!, 'utf8'));
    const part = await store.readObject(name, { start: 8, end: 11 });
    assert.equal(await text(part!.body), '2-se');
    assert.deepEqual(part!.range, { start: 8, end: 11 });
    assert.equal(part!.totalSize, readFileSync(files[2]!).length);
    await assert.rejects(store.readObject(name, { start: part!.totalSize }), RangeNotSatisfiableError);
    assert.equal((await store.readObject('init/init%2Fa%20b.mp4'))?.totalSize, 300);
    assert.equal(await store.readObject('segments/20000101T000000.000Z_1.m4s'), undefined);
    assert.equal(await store.readObject('index/2026-01-01.json'), undefined, 'only media is readable by name');

    // An evicted segment's late upload is deleted: gone from the listing and unreadable.
    await store.deleteSegment({ startWallClockMs: starts[2]!, endWallClockMs: starts[2]! + 4000 });
    assert.deepEqual(
      (await store.listSegments(window.from, window.to)).map((x) => x.startMs),
      starts.slice(0, 2),
    );
    assert.equal(await store.readObject(name), undefined);
    assert.equal(await store.reachable(1000), true);
  });
}
