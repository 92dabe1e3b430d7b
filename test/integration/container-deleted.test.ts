// The asset's container is deleted while recording (a person, a lifecycle rule, a script):
// the store creates it again and segments keep landing, their init segment with them; the
// index then lists exactly the media stored, not what vanished with the old container.
// Real Azurite, real cache and sink nodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../src/testing/azurite.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { makeBlobAssetSinkNode } from '../../src/nodes/blob-asset-sink/index.ts';
import { BlobAssetStore, mergeRanges, segmentBlobName } from '../../src/storage/blob/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
import { testContext, until } from './asset-context.ts';

const T0 = Date.UTC(2026, 0, 1);
const ASSET = 'deleted-container-asset';

function completion(o: Observable<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => o.subscribe({ error: reject, complete: resolve }));
}

test('a container deleted mid-recording is created again; uploads carry on; the index lists exactly what is stored', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const root = tempDir(t, 'container-deleted-');
  const src = join(root, 'src');
  mkdirSync(src);
  const tc = testContext({ dataDirectory: root, blobConnection: az.connectionString });
  const sinkNode = makeBlobAssetSinkNode({
    store: { operationTimeoutMs: 2000, uploadTimeoutBaseMs: 2000 },
    backoffBaseMs: 50,
    backoffCapMs: 200,
    indexIntervalMs: 50,
  });
  const input = new Subject<SegmentStreamMessage>();
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'd.cache', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '64' },
    tc.ctx('d.cache'),
  )({ segments: input });
  const done = completion(sinkNode.create!({ '@type': '#Mediagraph.BlobAssetSink', name: 'd', assetNamePattern: ASSET }, tc.ctx('d'))({ queue: cache$ }));
  const store = await BlobAssetStore.create(az.connectionString, ASSET);

  for (let k = 0; k < 5; k++) input.next(writeSegment(src, k));
  await until(() => tc.of('SegmentUploaded').length === 5, 'the first five uploads');
  // ... and indexed, so the index blob goes with the container.
  for (const end = Date.now() + 5000; ((await store.readIndex('2026-01-01'))?.ranges.length ?? 0) === 0; ) {
    assert.ok(Date.now() < end, 'the first uploads were never indexed');
    await new Promise((r) => setTimeout(r, 20));
  }
  const container = BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(store.containerName);
  await container.delete();

  for (let k = 5; k < 12; k++) input.next(writeSegment(src, k));
  await until(() => tc.of('SegmentUploaded').length === 12, 'uploads after the container was deleted', 15_000);
  tc.stop$.next();
  input.complete();
  await done;

  // What is stored: the segments uploaded after the deletion, and their init segment.
  const names = await store.listNames('');
  const segments = names.filter((n) => n.startsWith('segments/'));
  assert.deepEqual(segments.sort(), Array.from({ length: 7 }, (_, i) => segmentBlobName(T0 + (i + 5) * 1000, 1000)).sort());
  assert.ok(names.includes('init/init-a.mp4'), `the init segment was not uploaded again: ${names.join(', ')}`);
  // The index lists exactly that, nothing of the deleted container's media.
  const avail = await store.availableRanges(T0 - 3600_000, T0 + 3600_000);
  assert.deepEqual(avail.ranges, mergeRanges(Array.from({ length: 7 }, (_, i) => ({ startMs: T0 + (i + 5) * 1000, endMs: T0 + (i + 6) * 1000 }))));
  const index = await store.readIndex('2026-01-01');
  assert.ok(index, 'the day index was written again');
  assert.deepEqual(index.ranges, avail.ranges);
});

test('deleted between activations: ranges uploaded into the old container never reach the new index', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const src = tempDir(t, 'container-deleted-between-');
  const before = await BlobAssetStore.create(az.connectionString, ASSET);
  const s0 = writeSegment(src, 0);
  await before.uploadInit(s0.init);
  await before.uploadSegment(s0);
  // The instance stops before indexing (a crash, a drain cut short): the range stays pending in its cache.
  await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient(before.containerName).delete();

  const next = await BlobAssetStore.create(az.connectionString, ASSET);
  const s1 = writeSegment(src, 1);
  await next.uploadSegment(s1);
  await next.recordInIndex({ ranges: [{ startMs: s0.startWallClockMs, endMs: s1.endWallClockMs }] });
  assert.deepEqual((await next.readIndex('2026-01-01'))?.ranges, [{ startMs: s1.startWallClockMs, endMs: s1.endWallClockMs }]);
  assert.deepEqual((await next.listNames('')).sort(), ['index/2026-01-01.json', 'init/init-a.mp4', segmentBlobName(s1.startWallClockMs, 1000)].sort());
});
