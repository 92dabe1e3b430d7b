// Item 8 of the "deploy and forget" issue: a camera that comes back is recording again within
// 5 s, however long it was down. 16 s down is long enough that the reconnect backoff alone
// (0.5 s doubling, 30 s cap) would schedule the next attempt at least 6 s after the return.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCameraRestarts } from '../../faults/camera-restarts.ts';

test('camera down 16 s: new media within 5 s of its return', async () => {
  const r = await runCameraRestarts({ restarts: 1, upMs: 1500, downMs: 16_000 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.figures['recovered'], 1);
  assert.ok(Number(r.figures['maxReturnToMediaMs']) < 5000, `return to media: ${r.figures['maxReturnToMediaMs']} ms`);
});
