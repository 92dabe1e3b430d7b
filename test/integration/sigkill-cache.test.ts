import { test } from 'node:test';
import assert from 'node:assert/strict';
import { tempDir } from '../helpers/cache-fixtures.ts';
import { runSigkillTrials } from './sigkill-cache-harness.ts';

test('cache survives SIGKILL at random moments: nothing corrupt, duplicated or lost beyond gaps', async (t) => {
  const root = tempDir(t, 'sigkill-cache-');
  const r = await runSigkillTrials(root, 10);
  console.log(`# ${r.trials} trials: ${r.acked} acknowledged, ${r.uploaded} uploaded, ${r.cached} cached at the end, ${r.inGaps} in gaps`);
  assert.deepEqual(r.violations, []);
  assert.ok(r.acked > 20, `children acknowledged only ${r.acked} segments`);
  assert.ok(r.inGaps > 0, 'the bound was small enough to force evictions');
});
