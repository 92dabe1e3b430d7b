import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Subject, map, tap, type Observable } from 'rxjs';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { blobAssetSinkNode, makeBlobAssetSinkNode, assetSinkExpansion } from '../../src/nodes/blob-asset-sink/index.ts';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import type { NodeSpec, ConfigIssue } from '../../src/types/node.ts';
import { tempDir, writeSegment, checkSegmentBytes } from '../helpers/cache-fixtures.ts';
import { testContext, until } from './asset-context.ts';

const T0 = Date.UTC(2026, 0, 1);

function completion(o: Observable<unknown>): { done: Promise<void>; finished: () => boolean } {
  let finished = false;
  const done = new Promise<void>((resolve, reject) =>
    o.subscribe({
      error: reject,
      complete: () => {
        finished = true;
        resolve();
      },
    }),
  );
  return { done, finished: () => finished };
}

test('cache → sink: uploads in order, records ranges and gaps, emits LVA events, drains and completes', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const root = tempDir(t, 'asset-sink-');
  const src = join(root, 'src');
  mkdirSync(src);
  const tc = testContext({ dataDirectory: root, blobConnection: az.connectionString });
  const input = new Subject<SegmentStreamMessage>();
  const cacheConfig = { '@type': '#Mediagraph.DurableCache', name: 'a.cache', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '4' };
  const cache$ = durableCacheNode.create!(cacheConfig, tc.ctx('a.cache'))({ segments: input });
  const sink$ = blobAssetSinkNode.create!(
    { '@type': '#Mediagraph.BlobAssetSink', name: 'a', assetNamePattern: 'rec-${System.GraphTopologyName}-${System.GraphInstanceName}' },
    tc.ctx('a'),
  )({ queue: cache$ });
  const run = completion(sink$);
  for (let k = 0; k < 3; k++) input.next(writeSegment(src, k));
  // The camera was lost for 5 s: the segmenter says so with a gap and a discontinuity.
  input.next({ kind: 'gap', startWallClockMs: T0 + 3000, endWallClockMs: T0 + 8000, reason: 'camera-lost' });
  for (let k = 8; k < 10; k++) input.next({ ...writeSegment(src, k), afterDiscontinuity: k === 8 });
  await until(() => tc.of('SegmentUploaded').length === 5, '5 uploads');
  tc.stop$.next();
  input.complete();
  await run.done;

  const uploaded = tc.of('SegmentUploaded').map((e) => e.blobName);
  assert.deepEqual(
    uploaded,
    ['000000', '000001', '000002', '000008', '000009'].map((s) => `segments/20260101T${s}.000Z_1000.m4s`),
  );
  const types = tc.events.filter((e) => e.node === 'a').map((e) => e.type);
  assert.equal(types[0], 'RecordingStarted');
  assert.equal(types[1], 'SegmentUploaded');
  assert.equal(types[2], 'RecordingAvailable');
  assert.equal(types.at(-1), 'RecordingStopped');
  assert.deepEqual(tc.of('RecordingStarted')[0], { outputType: 'assetName', outputLocation: 'rec-CVR-cam-1' });
  assert.equal(tc.metrics.get('mediagraph_uploads_total'), 5);
  assert.equal(tc.metrics.get('mediagraph_cache_maximum_bytes'), 4 * 1024 * 1024);
  assert.equal(tc.metrics.get('mediagraph_cache_segments'), 0);

  const store = await BlobAssetStore.create(az.connectionString, 'rec-CVR-cam-1');
  assert.deepEqual(await store.listNames('init/'), ['init/init-a.mp4']);
  const avail = await store.availableRanges(T0, T0 + 60_000);
  assert.deepEqual(avail.ranges, [
    { startMs: T0, endMs: T0 + 3000 },
    { startMs: T0 + 8000, endMs: T0 + 10_000 },
  ]);
  assert.deepEqual(avail.gaps, [{ startMs: T0 + 3000, endMs: T0 + 8000, reason: 'camera-lost' }]);
  // Everything confirmed left the cache, and the folder is unlocked.
  const dir = join(root, 'cache', 'cam-1', 'a.cache');
  assert.deepEqual(readdirSync(join(dir, 'seg')), []);
  assert.equal(existsSync(join(dir, 'lock')), false);
});

test('a backlog drains oldest first, reading the next file during each upload; every blob holds its own bytes', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const root = tempDir(t, 'asset-ahead-');
  const src = join(root, 'src');
  mkdirSync(src);
  const cachePath = join(root, 'cache');
  const before = await DurableSegmentCache.open(join(cachePath, 'cam-1', 'b.cache'), { maxBytes: 8 << 20 });
  for (let k = 0; k < 12; k++) await before.add(writeSegment(src, k, { size: 40_000 + k }));
  await before.close();

  const tc = testContext({ dataDirectory: root, blobConnection: az.connectionString });
  const input = new Subject<SegmentStreamMessage>();
  let readAhead = 0;
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'b.cache', localMediaCachePath: cachePath, localMediaCacheMaximumSizeMiB: '8' },
    tc.ctx('b.cache'),
  )({ segments: input }).pipe(
    map((m) => {
      const msg = m as SegmentQueueMessage;
      const queue = msg.queue;
      // Counts the segments the sink peeked at to read ahead; behaviour unchanged.
      return {
        ...msg,
        queue: {
          ...queue,
          peekNext: () => {
            const s = queue.peekNext?.();
            if (s) readAhead++;
            return s;
          },
        },
      };
    }),
  );
  const started: number[] = [];
  const sink$ = makeBlobAssetSinkNode({ onUploadStarted: (s) => started.push(s.startWallClockMs) }).create!(
    { '@type': '#Mediagraph.BlobAssetSink', name: 'b', assetNamePattern: 'ahead' },
    tc.ctx('b'),
  )({ queue: cache$ });
  const run = completion(sink$);
  input.complete();
  await run.done;

  assert.deepEqual(
    started,
    Array.from({ length: 12 }, (_, k) => T0 + k * 1000),
    'oldest first, each once',
  );
  assert.ok(readAhead >= 10, `only ${readAhead} of 12 segments were read ahead`);
  const store = await BlobAssetStore.create(az.connectionString, 'ahead');
  const names = await store.listNames('segments/');
  assert.equal(names.length, 12);
  for (const [k, name] of names.entries()) {
    const body = await store.download(name);
    assert.equal(body.length, 40_000 + k, name);
    assert.equal(checkSegmentBytes(body), k, `${name} holds the bytes of segment ${k}`);
  }
});

test('restart with a full cache resumes oldest first; drain timeout leaves the rest cached', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(az.blobEndpoint).port) });
  t.after(() => proxy.close());
  const root = tempDir(t, 'asset-restart-');
  const src = join(root, 'src');
  mkdirSync(src);
  const cachePath = join(root, 'cache');
  const dir = join(cachePath, 'cam-1', 'r.cache');
  // A previous run filled the cache and died before uploading anything.
  const before = await DurableSegmentCache.open(dir, { maxBytes: 4 << 20 });
  for (let k = 0; k < 20; k++) await before.add(writeSegment(src, k, { size: 10_000 }));
  await before.close();

  const sinkNode = makeBlobAssetSinkNode({ store: { operationTimeoutMs: 300, uploadTimeoutBaseMs: 300 }, backoffBaseMs: 20, backoffCapMs: 100 });
  const runOnce = (drainTimeout: string) => {
    const tc = testContext({ dataDirectory: root, blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) });
    const input = new Subject<SegmentStreamMessage>();
    let handle: SegmentQueueMessage | undefined;
    const cache$ = durableCacheNode.create!(
      { '@type': '#Mediagraph.DurableCache', name: 'r.cache', localMediaCachePath: cachePath, localMediaCacheMaximumSizeMiB: '4' },
      tc.ctx('r.cache'),
    )({ segments: input }).pipe(
      tap((m) => {
        handle = m as SegmentQueueMessage;
      }),
    );
    const sink$ = sinkNode.create!(
      { '@type': '#Mediagraph.BlobAssetSink', name: 'r', assetNamePattern: 'restart-asset', drainTimeout },
      tc.ctx('r'),
    )({ queue: cache$ });
    return { tc, input, run: completion(sink$), handle: () => handle };
  };

  const first = runOnce('PT0.5S');
  await until(() => first.tc.of('SegmentUploaded').length >= 5, 'first uploads');
  proxy.mode('blackhole');
  const uploadedBefore = first.tc.of('SegmentUploaded').length;
  const t0 = Date.now();
  first.tc.stop$.next();
  first.input.complete();
  await first.run.done;
  const drainMs = Date.now() - t0;
  assert.ok(drainMs < 2500, `deactivation took ${drainMs} ms with a 0.5 s drain timeout`);
  const names = first.tc.of('SegmentUploaded').map((e) => e.blobName);
  assert.deepEqual(names, [...names].sort(), 'oldest first');
  assert.equal(names[0], 'segments/20260101T000000.000Z_1000.m4s');
  assert.ok(first.tc.of('StorageError').every((e) => e.willRetry || e.errorCode === 'Timeout'));
  assert.equal(first.tc.of('RecordingStopped').length, 1);
  const left = 20 - first.tc.of('SegmentUploaded').length;
  assert.ok(left > 0 && uploadedBefore >= 5);

  // Next activation: the uplink is back; the rest goes up, oldest first, nothing twice.
  proxy.mode('pass');
  const second = runOnce('PT30S');
  await until(() => second.tc.of('SegmentUploaded').length === left, 'the remaining uploads');
  second.tc.stop$.next();
  second.input.complete();
  await second.run.done;
  const rest = second.tc.of('SegmentUploaded').map((e) => e.blobName);
  assert.deepEqual(rest, [...rest].sort());
  assert.ok(rest[0]! > names.at(-1)!, 'resumed after the last confirmed upload');
  const store = await BlobAssetStore.create(az.connectionString, 'restart-asset');
  assert.equal((await store.listNames('segments/')).length, 20);
  assert.deepEqual((await store.availableRanges(T0, T0 + 60_000)).ranges, [{ startMs: T0, endMs: T0 + 20_000 }]);
  assert.equal(second.handle()?.queue.stats().segments, 0);
});

test('assetSinkExpansion maps LVA AssetSink properties to the native chain', () => {
  const specs = assetSinkExpansion({
    name: 'assetSink',
    inputs: [{ nodeName: 'rtspSource' }],
    assetNamePattern: 'a-${System.GraphInstanceName}',
    segmentLength: 'PT60S',
    localMediaCachePath: '/var/lib/mediagraph/cache/',
    localMediaCacheMaximumSizeMiB: '2048',
  });
  assert.deepEqual(
    specs.map((s) => [s['@type'], s.name, s.inputs?.map((i) => i.nodeName)]),
    [
      ['#Mediagraph.Fmp4Segmenter', 'assetSink.segmenter', ['rtspSource']],
      ['#Mediagraph.DurableCache', 'assetSink.cache', ['assetSink.segmenter']],
      ['#Mediagraph.BlobAssetSink', 'assetSink', ['assetSink.cache']],
    ],
  );
  assert.equal(specs[0]!['segmentLength'], 'PT60S');
  assert.equal(specs[1]!['localMediaCacheMaximumSizeMiB'], '2048');
  assert.equal(specs[2]!['assetNamePattern'], 'a-${System.GraphInstanceName}');
  // Called as the compiler calls it (with the raw node and the unresolved pointers).
  type Check = (config: NodeSpec, context: { raw: NodeSpec; unresolved: ReadonlySet<string> }) => readonly ConfigIssue[];
  const sinkCheck = blobAssetSinkNode.check as unknown as Check;
  const cacheCheck = durableCacheNode.check as unknown as Check;
  const bad = { '@type': 'x', name: 'n', assetNamePattern: 'Bad_Name', uploadConcurrency: '0', drainTimeout: '60s' };
  assert.deepEqual(
    sinkCheck(bad, { raw: bad, unresolved: new Set() })
      .map((i) => i.pointer)
      .sort(),
    ['/assetNamePattern', '/drainTimeout', '/uploadConcurrency'],
  );
  const badCache = { '@type': 'x', name: 'n', localMediaCacheMaximumSizeMiB: '-1' };
  assert.deepEqual(
    cacheCheck(badCache, { raw: badCache, unresolved: new Set() }).map((i) => i.pointer),
    ['/localMediaCacheMaximumSizeMiB'],
  );
});
