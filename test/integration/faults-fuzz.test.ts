// Short version of faults/fuzz-rtsp.ts: 30 000 mutated RTSP/SDP/RTP inputs over loopback
// sockets against our client (hostile server) and our server (hostile client): no crash,
// no hang, only typed errors, the server still serves a real session afterwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRtspFuzz } from '../../faults/fuzz-rtsp.ts';
import { Rng, mutateBytes, mutateText } from '../../faults/fuzz-mutator.ts';

test('the mutator is reproducible from its seed and changes its input', () => {
  const a = new Rng(42);
  const b = new Rng(42);
  const text = 'RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n';
  for (let i = 0; i < 50; i++) {
    const x = mutateText(text, a);
    assert.deepEqual(x, mutateText(text, b));
    assert.deepEqual(mutateBytes(x, a), mutateBytes(x, b));
  }
  const c = new Rng(7);
  assert.ok(Array.from({ length: 20 }, () => Buffer.from(mutateText(text, c)).toString('latin1')).some((x) => x !== text));
});

test('hostile server: 15 000 parsed inputs, no crash, no hang, only RtspError', async () => {
  const r = await runRtspFuzz({ inputs: 15_000, seed: 3, sides: 'client' });
  assert.deepEqual(r.failures, []);
  assert.ok(Number(r.figures['clientRtpParsed']) >= 15_000);
  assert.ok(Number(r.figures['clientSessions']) > 0, 'some sessions got past PLAY, so RTP reached the depacketizers');
  assert.ok(Number(r.figures['clientMediaMessages']) > 0);
});

test('hostile client: 10 000 inputs parsed by the server, no crash, no hang, server alive', async () => {
  const r = await runRtspFuzz({ inputs: 10_000, seed: 3, sides: 'server' });
  assert.deepEqual(r.failures, []);
  assert.ok(Number(r.figures['serverParsed']) >= 10_000);
  assert.equal(r.figures['livenessFailed'], 0);
  assert.ok(Number(r.figures['livenessProbes']) >= 1);
});
