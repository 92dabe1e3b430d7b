// The uplink is cut (blackholed) for longer than the cache can hold: uploads stall on their
// deadlines, the cache stays within its bound by evicting the oldest, the evicted range is
// recorded exactly, memory stays flat, and uploading resumes oldest first when the line is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { join } from 'node:path';
import { Subject, tap, type Observable } from 'rxjs';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { makeBlobAssetSinkNode } from '../../src/nodes/blob-asset-sink/index.ts';
import { BlobAssetStore, mergeRanges } from '../../src/storage/blob/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
import { testContext, until } from './asset-context.ts';

const T0 = Date.UTC(2026, 0, 1);
// Collect before each RSS sample, so the samples show what is retained, not GC laziness.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;
const MAX = 1024 * 1024; // localMediaCacheMaximumSizeMiB "1"
const SEG = 100_000;
const N = Number(process.env.OUTAGE_SEGMENTS ?? 150);

function completion(o: Observable<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => o.subscribe({ error: reject, complete: resolve }));
}
const kOf = (blobName: string): number =>
  (Date.parse(blobName.replace(/^segments\/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d\.\d{3}Z)_.*$/, '$1-$2-$3T$4:$5:$6')) - T0) / 1000;

test('uplink blackholed longer than the cache holds: bounded disk, exact gap, flat memory, oldest-first resume', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(az.blobEndpoint).port) });
  t.after(() => proxy.close());
  const root = tempDir(t, 'asset-outage-');
  const src = join(root, 'src');
  mkdirSync(src);
  const tc = testContext({ dataDirectory: root, blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) });
  const sinkNode = makeBlobAssetSinkNode({ store: { operationTimeoutMs: 400, uploadTimeoutBaseMs: 400 }, backoffBaseMs: 50, backoffCapMs: 400 });
  const input = new Subject<SegmentStreamMessage>();
  let handle: SegmentQueueMessage | undefined;
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'o.cache', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '1' },
    tc.ctx('o.cache'),
  )({ segments: input }).pipe(
    tap((m) => {
      handle = m as SegmentQueueMessage;
    }),
  );
  const done = completion(
    sinkNode.create!({ '@type': '#Mediagraph.BlobAssetSink', name: 'o', assetNamePattern: 'outage-asset' }, tc.ctx('o'))({ queue: cache$ }),
  );

  input.next(writeSegment(src, 0, { size: SEG }));
  await until(() => tc.of('SegmentUploaded').length === 1, 'first upload');
  proxy.mode('blackhole');
  const cutAt = Date.now();
  // The segment files are written up front, so the test's own allocations stay out of the RSS samples.
  const segments = Array.from({ length: N }, (_, i) => writeSegment(src, i + 1, { size: SEG }));
  const rss: number[] = [];
  let maxBytes = 0;
  for (let k = 1; k <= N; k++) {
    input.next(segments[k - 1]!);
    await new Promise((r) => setTimeout(r, 12));
    const s = handle!.queue.stats();
    maxBytes = Math.max(maxBytes, s.bytes);
    if (k >= 30 && k % 10 === 0) {
      gc();
      rss.push(process.memoryUsage().rss);
    }
  }
  const evictedCount = (): number => tc.of('CacheEvicted').reduce((n, e) => n + e.segments, 0);
  await until(() => evictedCount() + handle!.queue.stats().segments === N, 'every segment cached or evicted');
  // Stalled, not hung: no upload got through, failures came at the deadline, not after minutes.
  assert.equal(tc.of('SegmentUploaded').length, 1);
  const firstError = tc.events.find((e) => e.type === 'StorageError' && e.at >= cutAt);
  assert.ok(firstError, 'a StorageError during the outage');
  assert.ok(firstError.at - cutAt < 2000, `first failure after ${firstError.at - cutAt} ms`);
  assert.ok(tc.of('StorageError').every((e) => e.willRetry && !/sig=|AccountKey=/i.test(e.message)));
  assert.ok(maxBytes <= MAX, `cache reached ${maxBytes} bytes, bound ${MAX}`);
  const growth = Math.max(...rss) - rss[0]!;
  if (process.env.OUTAGE_SEGMENTS) console.log(`# rss MiB: ${rss.map((r) => (r / 1048576).toFixed(0)).join(' ')}`);
  console.log(
    `# outage: ${evictedCount()} evicted, ${handle!.queue.stats().segments} cached, max ${maxBytes} B; RSS growth ${(growth / 1048576).toFixed(1)} MiB over ${rss.length} samples`,
  );
  assert.ok(growth <= 10 * 1024 * 1024, `RSS grew by ${growth} bytes`);

  proxy.mode('pass');
  const cachedAtResume = handle!.queue.stats().segments;
  await until(() => tc.of('SegmentUploaded').length === 1 + cachedAtResume, 'the backlog to upload', 20_000);
  tc.stop$.next();
  input.complete();
  await done;

  const uploadedKs = tc.of('SegmentUploaded').map((e) => kOf(e.blobName));
  assert.deepEqual(
    uploadedKs.slice(1),
    [...uploadedKs.slice(1)].sort((a, b) => a - b),
    'resumed oldest first',
  );
  const uploaded = new Set(uploadedKs);
  const evicted = Array.from({ length: N + 1 }, (_, k) => k).filter((k) => !uploaded.has(k));
  assert.equal(evicted.length, evictedCount());
  assert.equal(tc.metrics.get('mediagraph_cache_evicted_segments_total'), evicted.length);
  assert.ok((tc.metrics.get('mediagraph_upload_retries_total') ?? 0) > 0);
  // Oldest evicted first: apart from at most one segment that was in flight, nothing kept is older than anything evicted.
  const newestEvicted = Math.max(...evicted);
  assert.ok(uploadedKs.filter((k) => k > 0 && k < newestEvicted).length <= 1, `kept old segments: ${uploadedKs.filter((k) => k > 0 && k < newestEvicted)}`);
  // The gap in the asset is exactly the evicted segments' time, nothing more, nothing less.
  const expectedGaps = mergeRanges(evicted.map((k) => ({ startMs: T0 + k * 1000, endMs: T0 + (k + 1) * 1000 })));
  const store = await BlobAssetStore.create(az.connectionString, 'outage-asset');
  const avail = await store.availableRanges(T0, T0 + 3600_000);
  assert.deepEqual(
    avail.gaps.map(({ startMs, endMs }) => ({ startMs, endMs })),
    expectedGaps,
  );
  assert.ok(avail.gaps.every((g) => g.reason === 'evicted'));
  assert.deepEqual(avail.ranges, mergeRanges([...uploaded].map((k) => ({ startMs: T0 + k * 1000, endMs: T0 + (k + 1) * 1000 }))));
  assert.deepEqual(mergeRanges(tc.of('CacheEvicted').map((e) => ({ startMs: Date.parse(e.gapStart), endMs: Date.parse(e.gapEnd) }))), expectedGaps);
});
