// During an outage the uploader keeps retrying the oldest segment, and evictions take it even
// while it is in flight. The pending gaps must add up to one per hole in the media, not one
// per retry (bench/outage-rss found them growing with every upload attempt).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { tempDir, writeSegment, bytesOnDisk } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const span = (c: DurableSegmentCache) => c.pendingGaps().map((g) => [(g.startWallClockMs - T0) / 1000, (g.endWallClockMs - T0) / 1000]);

test('failed upload attempts during evictions leave one gap, also after a reopen', async (t) => {
  const root = tempDir(t, 'cache-outage-gaps-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'cache');
  // init 100 B + 4 segments of 1000 B fill the bound; each later add evicts one
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 4100, fsync: false });
  let k = 0;
  for (; k < 4; k++) await cache.add(writeSegment(src, k));
  for (let attempt = 0; attempt < 40; attempt++) {
    const inFlight = await cache.nextPending(); // an upload attempt holds the oldest …
    await cache.add(writeSegment(src, k++)); // … a new segment evicts the one after it …
    cache.release(inFlight!.id); // … the attempt fails (timeout) …
    await cache.add(writeSegment(src, k++)); // … and the next add evicts the released one
    assert.equal(cache.pendingGaps().length, 1, `attempt ${attempt}: ${JSON.stringify(span(cache))}`);
    assert.equal(cache.stats().bytes, bytesOnDisk(dir));
  }
  // every evicted second is covered, up to the oldest segment still cached
  const oldest = cache.segmentIds()[0]!;
  assert.deepEqual(span(cache), [[0, oldest - 1]]);
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 4100, fsync: false });
  t.after(() => again.close());
  assert.deepEqual(span(again), [[0, oldest - 1]]);
  assert.equal(again.recovery.entriesDropped, 0);
});

test('gaps on either side of a segment that is uploaded stay apart', async (t) => {
  const root = tempDir(t, 'cache-outage-gaps2-');
  const src = join(root, 'src');
  mkdirSync(src);
  const cache = await DurableSegmentCache.open(join(root, 'cache'), { maxBytes: 4100, fsync: false });
  t.after(() => cache.close());
  for (let k = 0; k < 4; k++) await cache.add(writeSegment(src, k));
  await cache.add(writeSegment(src, 4)); // evicts segment 0: gap [0, 1]
  const inFlight = await cache.nextPending(); // segment 1, [1, 2]
  await cache.markUploaded(inFlight!.id); // segment 1 reached the store: the gaps must not join
  await cache.add(writeSegment(src, 5)); // room again: nothing evicted
  await cache.add(writeSegment(src, 6)); // evicts segment 2: gap [2, 3]
  await cache.add(writeSegment(src, 7)); // evicts segment 3, extending [2, 3] to [2, 4]
  assert.deepEqual(span(cache), [
    [0, 1],
    [2, 4],
  ]);
});
