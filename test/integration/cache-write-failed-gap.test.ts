// A segment the cache cannot take (here its file vanished before it was moved in) does not stop
// the recording, and its time becomes a `write-failed` gap rather than an unexplained hole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
import { testContext } from './asset-context.ts';
import { until } from '../helpers/until.ts';

const T0 = Date.UTC(2026, 0, 1);

test('a segment that cannot be cached becomes a write-failed gap', async (t) => {
  const root = tempDir(t, 'cache-write-failed-');
  const src = join(root, 'src');
  mkdirSync(src);
  const tc = testContext({ dataDirectory: root });
  const input = new Subject<SegmentStreamMessage>();
  let queue: SegmentQueueMessage['queue'] | undefined;
  const sub = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'c', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '1' },
    tc.ctx('c'),
  )({ segments: input }).subscribe((m) => {
    queue = (m as SegmentQueueMessage).queue;
  });
  t.after(() => {
    queue?.detach();
    input.complete();
    sub.unsubscribe();
  });
  await until(() => queue !== undefined, 5000, 'the cache to open');
  input.next(writeSegment(src, 0));
  const lost = writeSegment(src, 1);
  rmSync(lost.path);
  input.next(lost);
  input.next(writeSegment(src, 2));
  await until(() => queue!.stats().segments === 2, 5000, 'two segments cached');
  assert.equal(tc.of('DataDropped').length, 1);
  assert.deepEqual(
    queue!.pendingGaps().map((g) => [(g.startWallClockMs - T0) / 1000, (g.endWallClockMs - T0) / 1000, g.reason]),
    [[1, 2, 'write-failed']],
  );
});
