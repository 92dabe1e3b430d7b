// Issue 20: at most one storage write per segment. LVA's CVR topology records through a
// counting HTTP proxy in front of a real Azurite; the proxy counts every request as the
// storage account would bill it. Steady state costs the segment upload alone: the day index
// is written once at the end (and would be every hour of media), never per segment; and
// availableMedia stays exact while the index is stale.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { startCountingHttpProxy, throughProxy, type CountedRequest } from '../../src/testing/counting-http-proxy.ts';
import { BlobAssetStore, mergeRanges } from '../../src/storage/blob/index.ts';
import { storageRequests, StorageRequestCounter } from '../../src/storage/request-counter.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { until } from '../helpers/until.ts';
import { HttpMetrics } from '../../src/control/http/metrics.ts';

const SEGMENTS = 5;

function describe(rs: readonly CountedRequest[]): string {
  return rs.map((r) => `${r.method} ${r.path.replace(/^\/devstoreaccount1\//, '')}${r.comp ? `?comp=${r.comp}` : ''}`).join('\n');
}

async function recordThroughProxy(t: { after(fn: () => unknown): void }, segmentLength: string, speed: number): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-transactions-'));
  const azurite = await startAzurite();
  const upstreamPort = Number(new URL(azurite.blobEndpoint).port);
  const proxy = await startCountingHttpProxy({ host: '127.0.0.1', port: upstreamPort });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed });
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: throughProxy(azurite.connectionString, proxy) },
  });
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(async () => {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await proxy.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as unknown);
  await host.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: join(dir, 'cache') },
        { name: 'segmentLength', value: segmentLength },
      ],
    },
  });
  const countedBefore = storageRequests.total();
  await host.instanceActivate('cam1');
  const uploads = (): number => events.filter((e) => e.type === 'SegmentUploaded').length;
  await until(() => uploads() >= SEGMENTS, 60_000, `${SEGMENTS} uploads`);

  // Mid-recording the day index is stale (not written per segment), yet availableMedia is exact.
  // the reader counts apart: the process's counter is the recorder's
  const reader = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-cam1', { requestCounter: new StorageRequestCounter() });
  const wide = { from: Date.now() - 86_400_000, to: Date.now() + 2 * 86_400_000 };
  const listedBefore = mergeRanges(await reader.listSegmentSpans('segments/'));
  const midRun = await reader.availableRanges(wide.from, wide.to);
  const listedAfter = mergeRanges(await reader.listSegmentSpans('segments/'));
  assert.deepEqual(await reader.listIndexDays(), [], 'no index written per segment');
  assert.ok(
    [listedBefore, listedAfter].some((l) => JSON.stringify(l) === JSON.stringify(midRun.ranges)),
    `${JSON.stringify(midRun.ranges)} vs ${JSON.stringify(listedAfter)}`,
  );

  await host.instanceDeactivate('cam1');
  const segments = uploads();
  const requests = proxy.requests;
  const writes = requests.filter((r) => r.write);
  const summary = `${segmentLength}: ${segments} segments, ${writes.length} writes, ${requests.length} requests`;
  const detail = `${summary}\n${describe(requests)}`;
  console.log(`# ${summary}`);
  // Per segment one PUT of the segment blob; besides: container, init, the day index once.
  assert.equal(writes.filter((r) => r.path.includes('/segments/')).length, segments, detail);
  assert.ok(writes.length <= segments + 3, detail);
  assert.ok(requests.length <= 1.5 * segments + 6, detail);
  // No read of the index on the hot path.
  assert.equal(requests.filter((r) => r.method === 'GET' && r.path.includes('/index/')).length, 0, detail);
  // The store layer counts what the proxy saw, and /metrics exports it by operation.
  assert.equal(storageRequests.total() - countedBefore, requests.length, detail);
  const metrics = new HttpMetrics(host);
  const text = (await metrics.render()).body;
  metrics.close();
  const putSegments = Number(/^mediagraph_storage_requests_total\{op="put-segment"\} (\d+)$/m.exec(text)?.[1]);
  assert.ok(
    putSegments >= segments,
    text
      .split('\n')
      .filter((l) => l.includes('storage_requests'))
      .join('\n'),
  );

  // After the run: the index lists exactly what is stored, and so does availableMedia.
  const stored = mergeRanges(await reader.listSegmentSpans('segments/'));
  const days = await reader.listIndexDays();
  const indexed = mergeRanges((await Promise.all(days.map((d) => reader.readIndex(d)))).flatMap((i) => i?.ranges ?? []));
  assert.deepEqual(indexed, stored);
  assert.deepEqual(
    (await reader.availableRanges(wide.from, wide.to)).ranges,
    stored.filter((r) => r.startMs < wide.to),
  );
}

test("PT30S (LVA's CVR topology, camera at 20×): ≥ 5 segments cost ≤ segments + 3 writes and ≤ 1.5 × segments + 6 requests", async (t) => {
  await recordThroughProxy(t, 'PT30S', 20);
});

test('PT5M (camera at 120×): the same bounds', async (t) => {
  await recordThroughProxy(t, 'PT5M', 120);
});
