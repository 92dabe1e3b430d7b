// Issue 20: the day index is written every hour of media, not per segment, and readers stay
// exact while it is stale, across a UTC midnight and a restart of the sink. The cache and
// the sink nodes run in-process on 5-minute segments (PT5M) whose start times straddle
// midnight; every request goes through a counting HTTP proxy to a real Azurite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Subject, type Observable } from 'rxjs';
import { startAzurite } from '../../src/testing/azurite.ts';
import { startCountingHttpProxy, throughProxy } from '../../src/testing/counting-http-proxy.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { blobAssetSinkNode } from '../../src/nodes/blob-asset-sink/index.ts';
import { BlobAssetStore, mergeRanges } from '../../src/storage/blob/index.ts';
import { StorageRequestCounter } from '../../src/storage/request-counter.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
import { testContext, until } from './asset-context.ts';

const MIN5 = 300_000;
/** 22:50 UTC: 30 segments of 5 minutes run to 01:20 the next day. */
const T0 = Date.UTC(2026, 0, 1, 22, 50);
const MIDNIGHT = Date.UTC(2026, 0, 2);
const ASSET = 'rhythm-cam';

function done(o: Observable<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => o.subscribe({ error: reject, complete: resolve }));
}

test('PT5M across midnight: an index write per hour of media, none per segment; availableMedia exact while indexes are stale and after a restart', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const proxy = await startCountingHttpProxy({ host: '127.0.0.1', port: Number(new URL(az.blobEndpoint).port) });
  t.after(() => proxy.close());
  const root = tempDir(t, 'index-rhythm-');
  const src = join(root, 'src');
  mkdirSync(src);
  const cachePath = join(root, 'cache');
  const reader = await BlobAssetStore.create(az.connectionString, ASSET, { requestCounter: new StorageRequestCounter() });
  const playback = await BlobPlaybackSource.create(az.connectionString);
  const stored = async () => mergeRanges(await reader.listSegmentSpans('segments/'));
  const indexPuts = () => proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/index/')).length;

  const run = () => {
    const tc = testContext({ dataDirectory: root, blobConnection: throughProxy(az.connectionString, proxy) });
    const input = new Subject<SegmentStreamMessage>();
    const cache$ = durableCacheNode.create!(
      { '@type': '#Mediagraph.DurableCache', name: 'c', localMediaCachePath: cachePath, localMediaCacheMaximumSizeMiB: '16' },
      tc.ctx('c'),
    )({ segments: input });
    const sink$ = blobAssetSinkNode.create!({ '@type': '#Mediagraph.BlobAssetSink', name: 's', assetNamePattern: ASSET }, tc.ctx('s'))({ queue: cache$ });
    return { tc, input, finished: done(sink$) };
  };

  // First run: 22:50 → 00:20 (18 segments, 90 minutes of media). Half an hour first: no index
  // yet (the uploader would have written one by now, were it written per segment or per moment).
  const first = run();
  const feed = (k: number) => first.input.next({ ...writeSegment(src, k, { durationMs: MIN5, t0: T0 }), afterDiscontinuity: k === 0 });
  for (let k = 0; k < 6; k++) feed(k);
  await until(() => first.tc.of('SegmentUploaded').length === 6, '6 uploads');
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(indexPuts(), 0, 'no index write for half an hour of media');
  assert.deepEqual((await reader.availableRanges(T0 - 3600_000, T0 + 6 * 3600_000)).ranges, [{ startMs: T0, endMs: T0 + 6 * MIN5 }]);
  for (let k = 6; k < 18; k++) feed(k);
  await until(() => first.tc.of('SegmentUploaded').length === 18, '18 uploads');
  await until(() => indexPuts() >= 1, 'the hourly index write');
  await new Promise((r) => setTimeout(r, 2500));
  // One hour of media pending made one index write; 30 minutes since wait for the next one.
  assert.equal(indexPuts(), 1, 'one index write for 90 minutes of media');
  const all = await stored();
  assert.deepEqual(all, [{ startMs: T0, endMs: T0 + 18 * MIN5 }]);
  // Readers merge the stale index with the listing: exact, per day and across midnight.
  assert.deepEqual((await reader.availableRanges(T0 - 3600_000, T0 + 6 * 3600_000)).ranges, all);
  assert.deepEqual((await playback.availableMedia(ASSET, MIDNIGHT, MIDNIGHT + 86_400_000)).ranges, [{ startMs: MIDNIGHT, endMs: T0 + 18 * MIN5 }]);
  assert.deepEqual(await playback.recordedExtent(ASSET), all[0]);
  first.tc.stop$.next();
  first.input.complete();
  await first.finished;

  // Second run (a restart after a clean stop): 00:25 → 01:20, after a 5-minute hole.
  const second = run();
  for (let k = 19; k < 30; k++) second.input.next({ ...writeSegment(src, k, { durationMs: MIN5, t0: T0 }), afterDiscontinuity: k === 19 });
  await until(() => second.tc.of('SegmentUploaded').length === 11, '11 more uploads');
  const both = [
    { startMs: T0, endMs: T0 + 18 * MIN5 },
    { startMs: T0 + 19 * MIN5, endMs: T0 + 30 * MIN5 },
  ];
  assert.deepEqual(await stored(), both);
  assert.deepEqual((await playback.availableMedia(ASSET, T0 - 3600_000, T0 + 6 * 3600_000)).ranges, both);
  assert.deepEqual((await playback.availableMedia(ASSET, MIDNIGHT, MIDNIGHT + 86_400_000)).ranges, [{ startMs: MIDNIGHT, endMs: both[0]!.endMs }, both[1]]);
  second.tc.stop$.next();
  second.input.complete();
  await second.finished;

  // The indexes list exactly what is stored: the first day's ranges by their start, the
  // second's from its listing when first written (the segments after midnight) and its own.
  const day1 = await reader.readIndex('2026-01-01');
  const day2 = await reader.readIndex('2026-01-02');
  assert.deepEqual(day1?.ranges, [both[0]]);
  assert.deepEqual(day2?.ranges, [{ startMs: MIDNIGHT, endMs: both[0]!.endMs }, both[1]]);
  assert.deepEqual((await playback.availableMedia(ASSET, T0 - 3600_000, T0 + 6 * 3600_000)).ranges, both);
  const segmentPuts = proxy.requests.filter((r) => r.method === 'PUT' && r.path.includes('/segments/')).length;
  assert.equal(segmentPuts, 29);
  // 2.5 hours of media: one index write for the first hour, one at each run's end, one for
  // the second run's gap (recorder-stopped) — never one per segment. Besides the segments,
  // each run writes its container and init once, and the gap its marker.
  const trail = proxy.requests
    .filter((r) => !r.path.includes('/segments/'))
    .map((r) => `${r.method} ${r.path}${r.comp ? `?comp=${r.comp}` : ''}`)
    .join('\n');
  assert.ok(indexPuts() <= 4, `${indexPuts()} index writes:\n${trail}`);
  assert.equal(proxy.writes(), segmentPuts + 2 * 2 + 1 + indexPuts(), trail);
  assert.ok(proxy.requests.filter((r) => r.method === 'GET' && r.path.includes('/index/')).length <= 2);
});
