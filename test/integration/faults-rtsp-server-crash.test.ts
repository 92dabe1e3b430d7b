// Regression tests (both fixed in rtsp-server.ts: CSeq echoed only when numeric, UDP
// client_port 0 refused with 461, sends guarded), found by faults/fuzz-rtsp.ts (hostile client):
// two requests a client can send crash a process that runs our RTSP server (the simulated
// camera here), because the exception is thrown from a socket or timer callback.
//  1. A bare CR inside a header value: `CSeq: 1\r2`. The parser keeps it in the value, and
//     the reply echoes CSeq: serializeResponse (src/media/rtsp/serialize.ts:11, called from
//     reply() in src/media/rtsp/io/rtsp-server.ts:247) throws "header CSeq contains a line
//     break" inside the socket's data handler → uncaught exception.
//  2. SETUP over UDP with `client_port=0-1`, then PLAY: every RTP/RTCP send
//     (src/media/rtsp/io/rtsp-server.ts:428, send() from sendRtcp/sendRtp) throws
//     ERR_SOCKET_BAD_PORT from the media timer → hundreds of uncaught exceptions a second.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';

async function withUncaught(t: { after(fn: () => unknown): void }): Promise<string[]> {
  const seen: string[] = [];
  const onError = (e: unknown): void => {
    seen.push(String(e));
  };
  process.on('uncaughtException', onError);
  t.after(() => {
    process.off('uncaughtException', onError);
  });
  return seen;
}

function exchange(port: number, messages: readonly string[], gapMs = 150): Promise<string> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let out = '';
    c.on('data', (d: Buffer) => {
      out += d.toString('latin1');
    });
    c.on('error', () => {});
    c.on('close', () => resolve(out));
    void (async () => {
      await new Promise((r) => c.once('connect', r));
      for (const m of messages) {
        c.write(m.replace('${session}', /Session: ([^;\r\n]+)/.exec(out)?.[1] ?? 'none'));
        await new Promise((r) => setTimeout(r, gapMs));
      }
      await new Promise((r) => setTimeout(r, 1000));
      c.destroy();
    })();
  });
}

test('a bare CR in the CSeq value is answered or refused, never thrown', async (t) => {
  const uncaught = await withUncaught(t);
  const cam = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 4 });
  t.after(() => cam.close());
  await exchange(cam.port, [`OPTIONS ${cam.url} RTSP/1.0\r\nCSeq: 1\r2\r\n\r\n`]);
  assert.deepEqual(uncaught, []);
});

test('SETUP with client_port=0 then PLAY: no exception escapes the server', async (t) => {
  const uncaught = await withUncaught(t);
  const cam = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 4 });
  t.after(() => cam.close());
  await exchange(cam.port, [
    `SETUP ${cam.url}/trackID=0 RTSP/1.0\r\nCSeq: 1\r\nTransport: RTP/AVP;unicast;client_port=0-1\r\n\r\n`,
    `PLAY ${cam.url} RTSP/1.0\r\nCSeq: 2\r\nSession: \${session}\r\n\r\n`,
  ]);
  assert.equal(uncaught.length, 0, `${uncaught.length} uncaught, first: ${uncaught[0]}`);
});
