import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continuousRuns } from '../../src/control/export/export-range.ts';

const seg = (name: string, startMs: number, endMs: number, initId = 'a') => ({ name, startMs, endMs, durationMs: endMs - startMs, initId });

test('export splits at gaps and init changes, keeps contiguous segments together', () => {
  const runs = continuousRuns([
    seg('1', 0, 30_000),
    seg('2', 30_000, 60_000),
    seg('3', 95_000, 125_000),
    seg('4', 125_000, 155_000, 'b'),
    seg('5', 155_400, 185_000, 'b'),
  ]);
  assert.deepEqual(
    runs.map((r) => r.map((s) => s.name)),
    [['1', '2'], ['3'], ['4', '5']],
  );
});
