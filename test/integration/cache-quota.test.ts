// The host cache quota over two instances' caches (real caches, real files, no uploader): each
// cache stays under its own bound, the quota and the free-space floor hold over both, and what
// goes is the globally oldest, recorded as `evicted` gaps. Only the free space is injected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSegmentCache, type EvictionEvent } from '../../src/storage/cache/index.ts';
import { CacheQuota, quotaMemberOf } from '../../src/storage/cache/cache-quota.ts';
import { tempDir, writeSegment, bytesOnDisk } from '../helpers/cache-fixtures.ts';
import { Subject } from 'rxjs';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import { testContext } from './asset-context.ts';
import { until } from '../helpers/until.ts';

const T0 = Date.UTC(2026, 0, 1);
const OWN_BOUND = 10_000; // init 100 B + 8 segments of 1000 B fit in each cache on its own

interface Camera {
  readonly name: string;
  readonly src: string;
  readonly dir: string;
  readonly cache: DurableSegmentCache;
  readonly evictions: EvictionEvent[];
  /** Start offset of this camera's segments: B's are 500 ms after A's, so the two interleave. */
  readonly offsetMs: number;
}

async function openCamera(t: { after(fn: () => unknown): void }, root: string, name: string, offsetMs: number): Promise<Camera> {
  const src = join(root, `${name}-src`);
  mkdirSync(src);
  const dir = join(root, 'cache', name);
  mkdirSync(dir, { recursive: true });
  const evictions: EvictionEvent[] = [];
  const cache = await DurableSegmentCache.open(dir, { maxBytes: OWN_BOUND, onEvicted: (e) => evictions.push(e) });
  t.after(() => cache.close());
  return { name, src, dir, cache, evictions, offsetMs };
}

/** Segment starts still cached, relative to T0, across both caches. */
function cachedStarts(cams: readonly Camera[]): number[] {
  return cams.flatMap((c) => c.cache.segmentIds().map((id) => (id - 1) * 1000 + c.offsetMs)).sort((a, b) => a - b);
}

function gaps(c: Camera): [number, number, string][] {
  return c.cache.pendingGaps().map((g) => [g.startWallClockMs - T0, g.endWallClockMs - T0, g.reason]);
}

test('host cache quota: the total over two caches stays within the quota, globally oldest evicted first, each an evicted gap', async (t) => {
  const root = tempDir(t, 'cache-quota-');
  const a = await openCamera(t, root, 'a', 0);
  const b = await openCamera(t, root, 'b', 500);
  const QUOTA = 12_000;
  const logged: Record<string, unknown>[] = [];
  const quota = new CacheQuota({ maximumBytes: QUOTA, log: (_m, fields) => logged.push(fields) });
  quota.register(quotaMemberOf(a.dir, a.cache));
  quota.register(quotaMemberOf(b.dir, b.cache));

  let inFlight: Awaited<ReturnType<DurableSegmentCache['nextPending']>>;
  for (let k = 0; k < 8; k++) {
    for (const c of [a, b]) {
      assert.equal((await c.cache.add(writeSegment(c.src, k, { t0: T0 + c.offsetMs }))).accepted, true);
      inFlight ??= await a.cache.nextPending(); // a0 is being uploaded (to nowhere) when the quota takes it
      await quota.check();
      const total = a.cache.stats().bytes + b.cache.stats().bytes;
      assert.ok(total <= QUOTA, `after ${c.name}${k}: ${total} B cached over both, quota ${QUOTA}`);
      assert.equal(total, bytesOnDisk(a.dir) + bytesOnDisk(b.dir));
    }
  }
  // each cache alone is under its own bound: only the quota evicted
  assert.ok(a.cache.stats().bytes <= OWN_BOUND && b.cache.stats().bytes <= OWN_BOUND);
  // 2 inits + 11 segments fit in 12,000 B: the 5 oldest of both went (a0 b0 a1 b1 a2)
  const kept = cachedStarts([a, b]);
  assert.equal(kept.length, 11);
  assert.deepEqual(kept.slice(0, 2), [2500, 3000]);
  assert.deepEqual(gaps(a), [[0, 3000, 'evicted']]);
  assert.deepEqual(gaps(b), [[500, 2500, 'evicted']]);
  assert.ok(
    [...a.evictions, ...b.evictions].every((e) => e.cause === 'host-quota'),
    'every eviction was the quota, none the own bound',
  );
  assert.equal(a.evictions.length + b.evictions.length, 5);
  assert.equal(inFlight?.id, 1);
  assert.equal(inFlight.evicted?.aborted, true, 'the upload of an evicted segment is aborted');
  assert.deepEqual(quota.totals().evictions, { 'host-quota': 5, 'free-space-floor': 0 });
  // one line per round that evicted, saying why
  assert.ok(logged.length >= 1 && logged.every((f) => f['forQuota'] === 1 && f['forFreeSpaceFloor'] === 0));
});

test('host cache quota: a free-space floor (injected statfs) evicts the oldest first until the floor is met', async (t) => {
  const root = tempDir(t, 'cache-floor-');
  const a = await openCamera(t, root, 'a', 0);
  const b = await openCamera(t, root, 'b', 500);
  // A 20,000 B disk holding only these caches; 10,000 B must stay free.
  const DISK = 20_000;
  const FLOOR = 10_000;
  const probed = new Set<string>();
  const freeBytes = async (path: string): Promise<number> => {
    probed.add(path);
    return DISK - bytesOnDisk(a.dir) - bytesOnDisk(b.dir);
  };
  const quota = new CacheQuota({ minimumFreeBytes: FLOOR, freeBytes });
  quota.register(quotaMemberOf(a.dir, a.cache));
  quota.register(quotaMemberOf(b.dir, b.cache));

  for (let k = 0; k < 6; k++) {
    for (const c of [a, b]) {
      await c.cache.add(writeSegment(c.src, k, { t0: T0 + c.offsetMs }));
      await quota.check();
      assert.ok((await freeBytes(a.dir)) >= FLOOR, `after ${c.name}${k}: less than the floor free`);
    }
  }
  assert.deepEqual([...probed].sort(), [a.dir, b.dir].sort());
  // 2 inits + 9 segments leave the floor free: the 3 oldest of both went (a0 b0 a1)
  assert.deepEqual(cachedStarts([a, b]).slice(0, 2), [1500, 2000]);
  assert.equal(cachedStarts([a, b]).length, 9);
  assert.deepEqual(gaps(a), [[0, 2000, 'evicted']]);
  assert.deepEqual(gaps(b), [[500, 1500, 'evicted']]);
  assert.ok([...a.evictions, ...b.evictions].every((e) => e.cause === 'free-space-floor'));
  assert.deepEqual(quota.totals().evictions, { 'host-quota': 0, 'free-space-floor': 3 });
});

test('host cache quota through the durable cache node: two instances register, each intake triggers the check, evictions are events and gaps', async (t) => {
  const root = tempDir(t, 'cache-quota-node-');
  const SEG = 100_000;
  const QUOTA = 1_200_000; // 2 inits + 11 segments; each node's own bound is 1 MiB (8 segments fit)
  const quota = new CacheQuota({ maximumBytes: QUOTA });
  const cams = ['a', 'b'].map((name, i) => {
    const src = join(root, `${name}-src`);
    mkdirSync(src);
    // NodeServices with the host's quota, as the host passes them to every instance
    const services = { dataDirectory: root, cacheQuota: quota };
    const tc = testContext(services, `cam-${name}`);
    const input = new Subject<SegmentStreamMessage>();
    const cam = { name, src, tc, input, offsetMs: i * 500, queue: undefined as SegmentQueueMessage['queue'] | undefined };
    const sub = durableCacheNode.create!(
      { '@type': '#Mediagraph.DurableCache', name: 'c', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '1' },
      tc.ctx('c'),
    )({ segments: input }).subscribe((m) => {
      cam.queue = (m as SegmentQueueMessage).queue;
    });
    t.after(() => {
      cam.queue?.detach();
      input.complete();
      sub.unsubscribe();
    });
    return cam;
  });
  await until(() => cams.every((c) => c.queue !== undefined), 5000, 'both caches to open');
  const accounted = (): number => cams.reduce((n, c) => n + c.queue!.stats().segments + c.tc.of('CacheEvicted').reduce((s, e) => s + e.segments, 0), 0);
  let fed = 0;
  for (let k = 0; k < 8; k++) {
    for (const c of cams) {
      c.input.next(writeSegment(c.src, k, { t0: T0 + c.offsetMs, size: SEG }));
      fed++;
      // no check from the test: the node asks the quota after each intake
      const total = (): number => cams.reduce((n, x) => n + x.queue!.stats().bytes, 0);
      await until(() => accounted() === fed && total() <= QUOTA, 5000, `${c.name}${k} cached and the total back within the quota`);
    }
  }
  const [a, b] = cams as [(typeof cams)[0], (typeof cams)[0]];
  const gapsOf = (c: typeof a) => c.queue!.pendingGaps().map((g) => [g.startWallClockMs - T0, g.endWallClockMs - T0, g.reason]);
  assert.deepEqual(gapsOf(a), [[0, 3000, 'evicted']]);
  assert.deepEqual(gapsOf(b), [[500, 2500, 'evicted']]);
  assert.equal(a.queue!.stats().segments + b.queue!.stats().segments, 11);
  // the node's gauge follows the quota's evictions
  assert.equal(a.tc.metrics.get('mediagraph_cache_bytes'), a.queue!.stats().bytes);
  assert.deepEqual(quota.totals().evictions, { 'host-quota': 5, 'free-space-floor': 0 });
});

test('host cache quota: a cache that closed while registered does not stop the others from being evicted', async (t) => {
  const root = tempDir(t, 'cache-quota-closed-');
  const a = await openCamera(t, root, 'a', 0);
  const b = await openCamera(t, root, 'b', 500);
  const quota = new CacheQuota({ maximumBytes: 3_200 });
  quota.register(quotaMemberOf(a.dir, a.cache));
  quota.register(quotaMemberOf(b.dir, b.cache));
  for (let k = 0; k < 2; k++) await a.cache.add(writeSegment(a.src, k, { t0: T0 }));
  await a.cache.close(); // holds the oldest segments, refuses to evict
  for (let k = 0; k < 3; k++) await b.cache.add(writeSegment(b.src, k, { t0: T0 + 500 }));
  await quota.check();
  assert.deepEqual(b.cache.segmentIds(), [3], 'b evicted its own oldest past the closed cache');
  assert.deepEqual(gaps(b), [[500, 2500, 'evicted']]);
});
