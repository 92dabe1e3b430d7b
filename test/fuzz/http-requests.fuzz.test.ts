// Short version of faults/fuzz-http.ts: mutated request lines, headers, ranges, paths and
// query strings against a real `mediagraph serve` child on loopback with a recorded asset:
// the server never exits, never answers 500, and /healthz stays responsive.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runHttpFuzz } from '../../faults/fuzz-http.ts';

test('600 hostile requests against serve: no crash, no 500, /healthz responsive', { timeout: 120_000 }, async () => {
  const r = await runHttpFuzz({ requests: 600, seed: 1, concurrency: 8 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.figures['crashed'], false);
  assert.equal(r.figures['errors500'], 0);
  assert.ok(Number(r.figures['answered']) >= 500, `answered ${r.figures['answered']}`);
});
