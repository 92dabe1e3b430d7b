// Short version of faults/secrets.ts: a known RTSP password (digest; right, wrong, in the
// URL), Azurite's account key and a fake SAS token never appear in log lines, events, instance
// errors or CLI output; a redirect to another origin gets no credentials; a CLI run given its
// secrets through files and the environment shows none in /proc/<pid>/cmdline.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runSecrets, leaks, RTSP_PASSWORD } from '../../faults/secrets.ts';

test('the leak detector finds a planted secret, raw and URL-encoded', () => {
  assert.equal(leaks([{ source: 'x', text: `rtsp://u:${RTSP_PASSWORD}@h` }], [RTSP_PASSWORD]).length > 0, true);
  assert.equal(leaks([{ source: 'x', text: encodeURIComponent(`a/${RTSP_PASSWORD}+`) }], [`${RTSP_PASSWORD}+`]).length > 0, true);
  assert.deepEqual(leaks([{ source: 'x', text: 'password=***' }], [RTSP_PASSWORD]), []);
});

test('no password, account key or SAS signature in logs, events, errors or CLI output', async () => {
  const r = await runSecrets({ quick: true });
  assert.deepEqual(r.failures, []);
  assert.ok(Number(r.figures['logLines']) > 10, 'debug logging captured something to search');
  assert.ok(Number(r.figures['authErrors']) > 0, 'the wrong password was exercised');
  assert.equal(r.figures['cliRuns'], 3);
  assert.equal(r.figures['leaks'], 0);
  assert.equal(r.figures['redirectTargetAuthorizations'], 0);
  assert.ok(Number(r.figures['cmdlineSamples']) > 0, 'the command line was sampled');
  assert.equal(r.figures['cmdlineLeaks'], 0);
});
