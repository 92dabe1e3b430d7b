// Short version of faults/camera-restarts.ts: the camera's RTSP server is killed and started
// again on the same port twice while CVR records to Azurite through the host. Each outage
// must end in StreamReconnected and show as a hole between segments and in the asset index.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCameraRestarts } from '../../faults/camera-restarts.ts';

test('camera killed and restarted 2×: every outage recovered and visible as a gap', async () => {
  const r = await runCameraRestarts({ restarts: 2, upMs: 1500, downMs: 1200 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.figures['recovered'], 2);
  assert.equal(r.figures['holesBetweenSegments'], 2);
  assert.ok(Number(r.figures['indexHoles']) + Number(r.figures['indexGapEntries']) >= 2);
  assert.equal(r.figures['segmentsWritten'], r.figures['segmentsUploaded']);
});
