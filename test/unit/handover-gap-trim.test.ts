// The `handover` gap (issue 18) is a reason of its own in every stored form, and stored media is
// never also a handover gap: ranges an old owner stores into it later are cut out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyToIndex, emptyIndex, parseIndex, serializeIndex, trimHandoverGaps } from '../../src/storage/blob/asset-index.ts';
import { gapBlobName, parseGapBlobName } from '../../src/storage/blob/naming.ts';
import { GAP_REASONS, parseGapReason } from '../../src/types/gap.ts';

const T = Date.UTC(2026, 4, 1, 12);
const gap = (from: number, to: number, reason: 'handover' | 'camera-lost' = 'handover') => ({ startMs: T + from, endMs: T + to, reason });
const range = (from: number, to: number) => ({ startMs: T + from, endMs: T + to });

test('handover: a reason of its own in markers, indexes and the vocabulary', () => {
  assert.ok(GAP_REASONS.includes('handover'));
  assert.equal(parseGapReason('handover'), 'handover');
  const g = gap(0, 30_000);
  assert.deepEqual(parseGapBlobName(gapBlobName(g.startMs, g.endMs, g.reason)), g);
  const idx = { ...emptyIndex('2026-05-01'), gaps: [g] };
  assert.deepEqual(parseIndex(serializeIndex(idx), '2026-05-01')?.gaps, [g], 'not read back as recorder-down');
});

test('handover gaps lose what is stored; other reasons stay as written', () => {
  assert.deepEqual(trimHandoverGaps([gap(0, 30_000)], []), [gap(0, 30_000)]);
  assert.deepEqual(trimHandoverGaps([gap(0, 30_000)], [range(-5000, 4000)]), [gap(4000, 30_000)], 'late media at its start');
  assert.deepEqual(trimHandoverGaps([gap(0, 30_000)], [range(10_000, 12_000), range(20_000, 40_000)]), [gap(0, 10_000), gap(12_000, 20_000)]);
  assert.deepEqual(trimHandoverGaps([gap(0, 30_000)], [range(-1, 30_001)]), [], 'all of it stored');
  assert.deepEqual(trimHandoverGaps([gap(0, 30_000, 'camera-lost')], [range(10_000, 12_000)]), [gap(0, 30_000, 'camera-lost')]);
  const idx = applyToIndex(applyToIndex(emptyIndex('2026-05-01'), { gaps: [gap(2000, 30_000)] }), { ranges: [range(0, 6000)] });
  assert.deepEqual(idx.ranges, [range(0, 6000)]);
  assert.deepEqual(idx.gaps, [gap(6000, 30_000)], 'the index cuts it when the late range is written');
});
