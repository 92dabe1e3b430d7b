// Every hole in recorded time is a typed gap journalled by the cache: a camera lost between two
// segments, the recorder stopped cleanly (deactivation) or down (a crash) between two runs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const gaps = (c: DurableSegmentCache) => c.pendingGaps().map((g) => [(g.startWallClockMs - T0) / 1000, (g.endWallClockMs - T0) / 1000, g.reason]);
/** Segment k (1 s at T0 + k s), flagged as the first after a discontinuity when asked. */
const seg = (src: string, k: number, afterDiscontinuity = false): SegmentMessage => ({
  ...writeSegment(src, k),
  afterDiscontinuity: k === 0 || afterDiscontinuity,
});
const open = (dir: string) => DurableSegmentCache.open(dir, { maxBytes: 1 << 20, fsync: false });

test('a hole after a discontinuity is a camera-lost gap, journalled (still there after a reopen)', async (t) => {
  const root = tempDir(t, 'cache-gap-camera-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'cache');
  const cache = await open(dir);
  await cache.add(seg(src, 0));
  await cache.add(seg(src, 1));
  await cache.add(seg(src, 5, true)); // the camera was gone from 2 s to 5 s
  await cache.add(seg(src, 6));
  assert.deepEqual(gaps(cache), [[2, 5, 'camera-lost']]);
  await cache.close();
  const again = await open(dir);
  t.after(() => again.close());
  assert.deepEqual(gaps(again), [[2, 5, 'camera-lost']]);
  // a run that continues the media within the jitter tolerance adds no gap
  await again.add(seg(src, 7, true));
  assert.deepEqual(gaps(again), [[2, 5, 'camera-lost']]);
});

test('between two runs: recorder-stopped after a clean stop, recorder-down after none; also after compaction', async (t) => {
  const root = tempDir(t, 'cache-gap-runs-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'cache');
  let cache = await open(dir);
  await cache.add(seg(src, 0));
  await cache.add(seg(src, 1));
  await cache.markStopped(); // deactivation
  await cache.close();

  cache = await open(dir);
  await cache.add(seg(src, 10, true)); // activated again 8 s later
  assert.deepEqual(gaps(cache), [[2, 10, 'recorder-stopped']]);
  // everything uploaded and indexed, the journal compacted: the end of the media is still known
  for (const id of cache.segmentIds()) {
    await cache.nextPending();
    await cache.markUploaded(id);
  }
  await cache.ackGaps(cache.pendingGaps());
  await cache.ackRanges(cache.pendingRanges());
  await cache.close(); // no stop record: as if the process had been killed

  cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20, fsync: false, compactSlack: 0 });
  assert.deepEqual(gaps(cache), []);
  await cache.add(seg(src, 20, true));
  assert.deepEqual(gaps(cache), [[11, 20, 'recorder-down']]);
  await cache.close();
});
