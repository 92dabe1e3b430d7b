// Interoperability with GStreamer's RTSP server (an independent implementation), launched by
// test/helpers/gst-rtsp-server.py from the committed fixtures.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hasGstRtspServer, skipUnless } from '../helpers/tools.ts';
import { startGstRtspServer, type GstRtspServerHandle } from '../helpers/gst-server.ts';
import { probe, ProbeError } from '../../src/control/cli/commands/probe.ts';

const skip = skipUnless(hasGstRtspServer(), 'GStreamer RTSP server');

describe('GStreamer RTSP server interop', { skip }, () => {
  let gst: GstRtspServerHandle;
  before(async () => {
    gst = await startGstRtspServer();
  });
  after(() => gst?.close());

  test('H.264 + AAC mount over TCP: codecs, resolution, frame counts', async () => {
    const r = await probe(`${gst.baseUrl}/h264-aac`, { seconds: 1.5 });
    assert.deepEqual(r.tracks, [
      { codec: 'h264', profile: 'Main', width: 320, height: 180, fps: 25 },
      { codec: 'aac', sampleRate: 48000, channels: 2 },
    ]);
    // The file plays in real time from its start: ~1.5 s → ~37 frames, 2 keyframes (GOP 1 s).
    assert.ok(r.videoFrames >= 25 && r.videoFrames <= 45, `video frames ${r.videoFrames}`);
    assert.ok(r.keyframes >= 1 && r.keyframes <= 3, `keyframes ${r.keyframes}`);
    assert.ok(r.audioFrames >= 50 && r.audioFrames <= 90, `audio frames ${r.audioFrames}`);
    assert.equal(r.lostPackets, 0);
  });

  test('H.265 mount over UDP', async () => {
    const r = await probe(`${gst.baseUrl}/h265`, { seconds: 1.5, transport: 'udp' });
    assert.deepEqual(r.tracks, [{ codec: 'h265', profile: 'Main', width: 320, height: 180, fps: 25 }]);
    assert.ok(r.videoFrames >= 25 && r.videoFrames <= 45, `video frames ${r.videoFrames}`);
    assert.ok(r.keyframes >= 1);
  });

  test('Basic-auth mount: refused without and with wrong credentials, plays with the right ones', async () => {
    for (const creds of [{}, { username: gst.username, password: 'not-it' }]) {
      await assert.rejects(
        probe(`${gst.authBaseUrl}/secure`, { seconds: 0.5, ...creds }),
        (e) => e instanceof ProbeError && e.code === 'auth-failed' && !e.message.includes('not-it'),
      );
    }
    const r = await probe(`${gst.authBaseUrl}/secure`, { seconds: 1, username: gst.username, password: gst.password });
    assert.equal(r.tracks[0]?.codec, 'h264');
    assert.ok(r.videoFrames >= 15, `video frames ${r.videoFrames}`);
  });
});
