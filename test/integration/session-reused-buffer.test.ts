// The media session reads its TCP socket into one buffer that every later read overwrites
// (and that all sessions of the process share), so whatever it emits must be its own copy.
// Two sessions at once, many reads each, every sample of more than a whole loop of the file
// compared byte for byte at the end, long after the reads that carried it.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSimulatedCamera } from '../../src/testing/sim-camera/sim-camera.ts';
import { demuxMp4 } from '../../src/testing/sim-camera/mp4-demux.ts';
import { RtspMediaSession } from '../../src/media/session/rtsp-media-session.ts';
import type { MediaMessage, Sample } from '../../src/types/media.ts';
import { until } from '../helpers/until.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/media/${name}`, import.meta.url));
const hex = (b: Uint8Array | undefined) => Buffer.from(b ?? []).toString('hex');

describe('media session over TCP with a reused read buffer', () => {
  test('H.264 + AAC, two sessions at once: every video NAL and audio frame of a whole loop is byte-exact at the end', async (t) => {
    const file = fixture('h264-main-aac.mp4');
    const ref = await demuxMp4(file);
    const refVideo = ref.video?.samples ?? [];
    const refAudio = (ref.audio?.samples ?? []).map((s) => hex(s.data));
    assert.ok(refVideo.length > 0 && refAudio.length > 0);
    // a small MTU: many small packets and frames cut across reads
    const cam = await startSimulatedCamera({ file, speed: 8, maxPayloadSize: 500 });
    t.after(() => cam.close());
    const runs = [0, 1].map(() => {
      const msgs: MediaMessage[] = [];
      const s = new RtspMediaSession({ url: cam.url, transport: 'tcp', requestTimeoutMs: 3000 }, { onMessage: (m) => msgs.push(m) });
      t.after(() => s.stop());
      return { s, msgs };
    });
    await Promise.all(runs.map((r) => r.s.start()));
    const samples = (msgs: MediaMessage[], id: number) => msgs.filter((m): m is Sample => m.kind === 'sample' && m.trackId === id);
    await until(() => runs.every((r) => samples(r.msgs, 0).length >= refVideo.length + 10), 15_000);
    for (const r of runs) await r.s.stop();
    for (const r of runs) {
      assert.equal(r.s.stats.lostPackets, 0);
      const video = samples(r.msgs, 0);
      const first = video[0]?.units.at(-1);
      const k0 = refVideo.findIndex((s) => s.keyframe && hex(s.nalus.at(-1)) === hex(first));
      assert.ok(k0 >= 0, 'the first sample is one of the file keyframes');
      for (let i = 0; i < refVideo.length + 10; i++) {
        const want = refVideo[(k0 + i) % refVideo.length]!;
        const got = video[i]!.units;
        // the camera repeats SPS/PPS before keyframes: compare the picture's own NALs
        assert.deepEqual(got.slice(got.length - want.nalus.length).map(hex), want.nalus.map(hex), `video frame ${i}`);
      }
      const audio = samples(r.msgs, 1);
      assert.ok(audio.length > refAudio.length, `${audio.length} audio frames`);
      const a0 = refAudio.indexOf(hex(audio[0]?.units[0]));
      assert.ok(a0 >= 0, 'the first audio frame is a file frame');
      // in file order up to the end of the file (where the camera's loop may drop a frame)…
      for (let i = 0; a0 + i < refAudio.length - 1; i++) assert.equal(hex(audio[i]?.units[0]), refAudio[a0 + i], `audio frame ${i}`);
      // …and every frame, past the loop too, is one of the file's frames, unaltered
      const known = new Set(refAudio);
      audio.forEach((a, i) => assert.ok(known.has(hex(a.units[0])), `audio frame ${i} is a file frame`));
    }
  });
});
