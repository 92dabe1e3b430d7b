// intersectRanges: what the index may list once a store created its container (only the
// parts of the ranges it uploaded since).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intersectRanges } from '../../src/storage/blob/asset-index.ts';

const r = (startMs: number, endMs: number) => ({ startMs, endMs });

test('keeps only the parts inside, merged and sorted', () => {
  assert.deepEqual(intersectRanges([r(0, 30)], [r(10, 30)]), [r(10, 30)]);
  assert.deepEqual(intersectRanges([r(0, 10), r(20, 40)], [r(5, 25), r(30, 35)]), [r(5, 10), r(20, 25), r(30, 35)]);
  assert.deepEqual(intersectRanges([r(0, 10)], []), []);
  assert.deepEqual(intersectRanges([r(0, 10)], [r(10, 20)]), [], 'touching is not overlapping');
  assert.deepEqual(intersectRanges([r(40, 50), r(0, 10)], [r(0, 100)]), [r(0, 10), r(40, 50)]);
});
