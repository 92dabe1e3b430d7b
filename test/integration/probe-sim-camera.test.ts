// probe() against the simulated camera: results and every error class, with secrets kept out.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { createServer } from 'node:net';
import { startSimulatedCamera } from '../../src/testing/sim-camera/sim-camera.ts';
import { startRtspServer } from '../../src/media/rtsp/io/rtsp-server.ts';
import { formatSdp } from '../../src/media/sdp/sdp.ts';
import { formatProbeTable, probe, ProbeError } from '../../src/control/cli/commands/probe.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/media/${name}`, import.meta.url));
const SECRET = 'Sup3r:Secret@';

async function probeFails(p: Promise<unknown>, code: string): Promise<ProbeError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof ProbeError, String(e));
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes(SECRET) && !e.message.includes('Sup3r'), e.message);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('probe', () => {
  test('H.264 + AAC with Digest SHA-256 auth over the HTTP tunnel: codecs, size, fps, counts, table', async (t) => {
    const cam = await startSimulatedCamera({
      file: fixture('h264-main-aac.mp4'),
      speed: 4,
      auth: { username: 'admin', password: SECRET, scheme: 'digest', algorithms: ['SHA-256'] },
    });
    t.after(() => cam.close());
    const r = await probe(cam.url, { seconds: 1, username: 'admin', password: SECRET, transport: 'http' });
    assert.deepEqual(r.tracks, [
      { codec: 'h264', profile: 'Main', width: 320, height: 180, fps: 25 },
      { codec: 'aac', sampleRate: 48000, channels: 2 },
    ]);
    // 1 s wall at 4x = ~4 s of media = ~100 frames (minus the wait for the first keyframe).
    assert.ok(r.videoFrames >= 50 && r.videoFrames <= 110, `video frames ${r.videoFrames}`);
    assert.ok(r.keyframes >= 2 && r.keyframes <= 5, `keyframes ${r.keyframes}`);
    assert.ok(r.audioFrames >= 100 && r.audioFrames <= 200, `audio frames ${r.audioFrames}`);
    assert.equal(r.lostPackets, 0);
    const table = formatProbeTable(r);
    assert.match(table, /h264\s+Main, 320x180, 25 fps/);
    assert.match(table, /aac\s+48000 Hz, 2 ch/);
    assert.match(table, /video frames \d+, keyframes \d+, audio frames \d+, lost packets 0/);
  });

  test('H.265 with credentials in the URL (Basic)', async (t) => {
    const cam = await startSimulatedCamera({ file: fixture('h265-main.mp4'), speed: 4, auth: { username: 'u', password: SECRET, scheme: 'basic' } });
    t.after(() => cam.close());
    const url = cam.url.replace('rtsp://', `rtsp://u:${encodeURIComponent(SECRET)}@`);
    const r = await probe(url, { seconds: 0.5 });
    assert.equal(r.tracks[0]?.codec, 'h265');
    assert.ok(r.videoFrames > 10);
    await probeFails(probe(cam.url.replace('rtsp://', `rtsp://u:wrong${encodeURIComponent(SECRET)}@`), { seconds: 0.5 }), 'auth-failed');
  });

  test('errors: 404, unreachable, unsupported codec only, no media', async (t) => {
    const cam = await startSimulatedCamera({ file: fixture('h265-main.mp4'), speed: 4, quirks: { stopRtpAfterPlayMs: 100 } });
    t.after(() => cam.close());
    const nf = await probeFails(probe(cam.url + '-nope', { seconds: 0.5 }), 'not-found');
    assert.match(nf.message, /not found/);
    const port = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await probeFails(probe(`rtsp://admin:${encodeURIComponent(SECRET)}@127.0.0.1:${port}/x`, { seconds: 0.5, requestTimeoutMs: 1000 }), 'unreachable');
    const g711 = await startRtspServer({
      streams: () => ({ sdp: formatSdp({ media: [{ type: 'audio', payloadType: 0, rtpmap: 'PCMU/8000', control: 'trackID=0' }] }), play: () => () => {} }),
    });
    t.after(() => g711.close());
    const un = await probeFails(probe(g711.url('/cam'), { seconds: 0.5 }), 'unsupported-codec');
    assert.match(un.message, /nothing mediagraph can record/);
    await probeFails(probe(cam.url, { seconds: 3 }), 'no-media');
  });
});
