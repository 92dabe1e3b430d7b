// The media session against the simulated camera over loopback: what comes out must match
// the MP4 the camera plays (checked with mp4box.js, independently of our RTP code).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { startSimulatedCamera } from '../../src/testing/sim-camera/sim-camera.ts';
import { demuxMp4 } from '../../src/testing/sim-camera/mp4-demux.ts';
import { RtspMediaSession, type MediaSessionEvent } from '../../src/media/session/rtsp-media-session.ts';
import type { MediaMessage, Sample, TrackInfo } from '../../src/types/media.ts';
import type { TestContext } from 'node:test';
import { until } from '../helpers/until.ts';

const fixture = (name: string) => fileURLToPath(new URL(`../fixtures/media/${name}`, import.meta.url));

async function record(t: TestContext, url: string, transport: 'tcp' | 'udp' | 'http', until_: (msgs: MediaMessage[]) => boolean, extra: object = {}) {
  const msgs: MediaMessage[] = [];
  const events: MediaSessionEvent[] = [];
  const s = new RtspMediaSession({ url, transport, requestTimeoutMs: 3000, ...extra }, { onMessage: (m) => msgs.push(m), onEvent: (e) => events.push(e) });
  t.after(() => s.stop());
  await s.start();
  await until(() => until_(msgs), 8000);
  await s.stop();
  return { msgs, events, session: s };
}

const samplesOf = (msgs: MediaMessage[], trackId: number) => msgs.filter((m): m is Sample => m.kind === 'sample' && m.trackId === trackId);

describe('media session ↔ simulated camera', () => {
  test('H.265: TrackInfo, keyframe first, every frame byte-exact, monotonic dts across a loop', async (t) => {
    const file = fixture('h265-main.mp4');
    const ref = await demuxMp4(file);
    const cam = await startSimulatedCamera({ file, speed: 8 });
    t.after(() => cam.close());
    const n = ref.video?.samples.length ?? 0;
    const { msgs, session } = await record(t, cam.url, 'tcp', (m) => samplesOf(m, 0).length >= n + 30);
    const info = msgs[0] as TrackInfo;
    assert.equal(info.kind, 'track');
    assert.equal(info.config.codec, 'h265');
    assert.ok('width' in info.config && info.config.width === 320 && info.config.height === 180);
    const video = samplesOf(msgs, 0);
    assert.equal(video[0]?.keyframe, true);
    // Late joiner starts at a keyframe: find where in the file we started.
    const firstPayload = video[0]?.units.at(-1);
    const refKeyIdx =
      ref.video?.samples.findIndex((s) => s.keyframe && Buffer.compare(Buffer.from(s.nalus.at(-1) ?? []), Buffer.from(firstPayload ?? [])) === 0) ?? -1;
    assert.ok(refKeyIdx >= 0, 'first sample is one of the file keyframes');
    for (let i = 0; i < n; i++) {
      const got = video[i] as Sample;
      const want = ref.video?.samples[(refKeyIdx + i) % n];
      assert.ok(want);
      // The camera repeats VPS/SPS/PPS before keyframes; compare the slice NAL units.
      const gotSlices = got.units.slice(got.units.length - want.nalus.length);
      assert.deepEqual(
        gotSlices.map((u) => Buffer.from(u).toString('hex')),
        want.nalus.map((u) => Buffer.from(u).toString('hex')),
        `frame ${i}`,
      );
      assert.equal(got.keyframe, want.keyframe, `keyframe flag of frame ${i}`);
      assert.ok(got.dts <= got.pts, `dts <= pts at ${i}`);
      if (i > 0) assert.ok(got.dts > (video[i - 1] as Sample).dts, `dts increases at ${i}`);
    }
    // pts differences equal the file's cts differences, in 90 kHz; the first dts is 0.
    assert.equal(video[0]?.dts, 0);
    const ts = ref.video?.timescale ?? 1;
    const p0 = ref.video?.samples[refKeyIdx]?.pts ?? 0;
    for (let i = 1; i < 10; i++) {
      const want = ref.video?.samples[refKeyIdx + i];
      if (!want) break;
      assert.equal((video[i]?.pts ?? 0) - (video[0]?.pts ?? 0), Math.round(((want.pts - p0) / ts) * 90000));
    }
    assert.equal(session.stats.lostPackets, 0);
    assert.ok(cam.stats.loops >= 1);
    assert.ok(video.every((s) => Number.isFinite(s.wallClockMs)));
    assert.equal(msgs.at(-1)?.kind, 'end');
  });

  test('H.264 + AAC over UDP with a G.711 track: G.711 skipped by event, audio byte-exact, SR-anchored clocks, RRs sent', async (t) => {
    const file = fixture('h264-main-aac.mp4');
    const ref = await demuxMp4(file);
    const cam = await startSimulatedCamera({ file, speed: 4, senderReportIntervalMs: 100, quirks: { g711Track: true } });
    t.after(() => cam.close());
    const { msgs, events, session } = await record(t, cam.url, 'udp', (m) => samplesOf(m, 0).length >= 40 && samplesOf(m, 1).length >= 80, {
      rtcpIntervalMs: 100,
    });
    const skipped = events.find((e) => e.type === 'track-skipped');
    assert.ok(skipped && skipped.type === 'track-skipped' && skipped.encoding === 'PCMU');
    const infos = msgs.filter((m): m is TrackInfo => m.kind === 'track');
    assert.deepEqual(
      infos.map((i) => [i.trackId, i.config.codec, i.timescale]),
      [
        [0, 'h264', 90000],
        [1, 'aac', 48000],
      ].filter((x) => infos.some((i) => i.trackId === x[0])),
    );
    const aac = infos.find((i) => i.config.codec === 'aac');
    assert.ok(aac && aac.config.codec === 'aac' && aac.config.sampleRate === 48000 && aac.config.channels === 2);
    const h264 = infos.find((i) => i.config.codec === 'h264');
    assert.ok(h264 && h264.config.codec === 'h264' && h264.config.profile === 'Main' && h264.config.width === 320);
    const audio = samplesOf(msgs, 1);
    // Audio frames are whole file frames, in order, 1024 ticks apart.
    const refAudio = (ref.audio?.samples ?? []).map((x) => Buffer.from(x.data).toString('hex'));
    const start = refAudio.indexOf(Buffer.from(audio[0]?.units[0] ?? []).toString('hex'));
    assert.ok(start >= 0, 'first audio frame is a file frame');
    for (let i = 1; i < 30; i++) {
      assert.equal(Buffer.from(audio[i]?.units[0] ?? []).toString('hex'), refAudio[start + i], `audio frame ${i}`);
      assert.equal((audio[i]?.dts ?? 0) - (audio[i - 1]?.dts ?? 0), 1024);
    }
    const video = samplesOf(msgs, 0);
    assert.equal(video[0]?.keyframe, true);
    for (let i = 1; i < video.length; i++) assert.ok((video[i]?.dts ?? 0) > (video[i - 1]?.dts ?? 0));
    // B-frames: some samples have pts > dts by more than a frame.
    assert.ok(
      video.some((v) => v.pts - v.dts >= 3600),
      'composition offsets present',
    );
    assert.ok(events.some((e) => e.type === 'sender-report' && e.verdict === 'accepted'));
    // Wall-clock times of video and audio agree within 100 ms of media time (speed 4 makes
    // media time run 4x the wall clock, so compare via the camera's own mapping).
    const now = Date.now();
    assert.ok(video.every((v) => Math.abs(v.wallClockMs - now) < 60_000));
    assert.ok(cam.server.stats.rtcpFromClients > 0, 'receiver reports reached the camera');
    assert.equal(session.stats.lostPackets, 0);
  });

  test('continuous timestamps across loops and a late joiner starting at a keyframe', async (t) => {
    const file = fixture('h264-main-aac.mp4');
    const cam = await startSimulatedCamera({ file, speed: 10 });
    t.after(() => cam.close());
    await new Promise((r) => setTimeout(r, 130)); // join mid-GOP
    const { msgs } = await record(t, cam.url, 'tcp', () => cam.stats.loops >= 2);
    const video = samplesOf(msgs, 0);
    const audio = samplesOf(msgs, 1);
    assert.equal(video[0]?.keyframe, true);
    for (let i = 1; i < video.length; i++) {
      const step = (video[i]?.dts ?? 0) - (video[i - 1]?.dts ?? 0);
      assert.ok(step > 0 && step < 3 * 3600, `video dts step ${step} at ${i}`);
    }
    for (let i = 1; i < audio.length; i++) {
      const step = (audio[i]?.dts ?? 0) - (audio[i - 1]?.dts ?? 0);
      assert.ok(step > 0 && step <= 2048, `audio dts step ${step} at ${i}`);
    }
    // Over ≥1 loop, the media duration covered equals the frame count at 25 fps.
    const span = ((video.at(-1)?.dts ?? 0) - (video[0]?.dts ?? 0)) / 90000;
    assert.ok(Math.abs(span - (video.length - 1) / 25) < 0.1, `span ${span} for ${video.length} frames`);
  });

  test('camera reboot (new SSRC) and clock jump (same SSRC): Discontinuity, then a monotonic timeline from a keyframe', async (t) => {
    const cam = await startSimulatedCamera({ file: fixture('h264-main-aac.mp4'), speed: 8 });
    t.after(() => cam.close());
    const msgs: MediaMessage[] = [];
    const s = new RtspMediaSession({ url: cam.url }, { onMessage: (m) => msgs.push(m) });
    t.after(() => s.stop());
    await s.start();
    await until(() => samplesOf(msgs, 0).length > 20, 5000);
    cam.reboot();
    await until(() => msgs.filter((m) => m.kind === 'discontinuity').length >= 2, 5000);
    await until(() => samplesOf(msgs.slice(msgs.findLastIndex((m) => m.kind === 'discontinuity')), 0).length > 10, 5000);
    cam.reboot({ keepSsrc: true });
    await until(() => msgs.some((m) => m.kind === 'discontinuity' && m.reason === 'timestamp-jump'), 5000);
    await new Promise((r) => setTimeout(r, 300));
    await s.stop();
    const reasons = new Set(msgs.filter((m) => m.kind === 'discontinuity').map((m) => m.kind === 'discontinuity' && m.reason));
    assert.deepEqual([...reasons].sort(), ['source-restart', 'timestamp-jump']);
    for (const track of [0, 1]) {
      let last = -Infinity;
      let afterBreak = false;
      for (const m of msgs) {
        if (m.kind === 'discontinuity') afterBreak = true;
        if (m.kind !== 'sample' || m.trackId !== track) continue;
        assert.ok(m.dts > last, `track ${track}: dts ${m.dts} after ${last}`);
        if (afterBreak && track === 0) assert.equal(m.keyframe, true, 'video resumes at a keyframe');
        afterBreak = false;
        last = m.dts;
      }
    }
  });

  test('packet loss is counted and does not stop the stream', async (t) => {
    const cam = await startSimulatedCamera({ file: fixture('h264-main-aac.mp4'), speed: 8, quirks: { dropRtpEvery: 40 } });
    t.after(() => cam.close());
    const { msgs, session } = await record(t, cam.url, 'tcp', (m) => samplesOf(m, 0).length >= 60);
    assert.ok(session.stats.lostPackets > 0, `lost ${session.stats.lostPackets}`);
    assert.ok(samplesOf(msgs, 1).length > 0);
  });

  test('parameter sets only in-band (no sprop) and a camera clock years off (SR ignored, arrival anchors)', async (t) => {
    const cam = await startSimulatedCamera({
      file: fixture('h264-main-aac.mp4'),
      speed: 4,
      senderReportIntervalMs: 100,
      quirks: { omitSprop: true, senderReportClockOffsetMs: -3 * 365 * 86400_000 },
    });
    t.after(() => cam.close());
    const { msgs, events } = await record(t, cam.url, 'tcp', (m) => samplesOf(m, 0).length >= 30);
    const firstSample = msgs.findIndex((m) => m.kind === 'sample');
    const infos = msgs.filter((m): m is TrackInfo => m.kind === 'track');
    assert.ok(infos.length === 2 && msgs.findIndex((m) => m.kind === 'track' && m.trackId === 0) < firstSample, 'TrackInfos precede samples');
    const h264 = infos.find((i) => i.trackId === 0);
    assert.ok(h264 && 'width' in h264.config && h264.config.width === 320 && h264.config.sps.length === 1);
    assert.ok(events.some((e) => e.type === 'sender-report' && e.verdict === 'implausible'));
    assert.ok(!events.some((e) => e.type === 'sender-report' && e.verdict === 'accepted'));
    const now = Date.now();
    for (const v of samplesOf(msgs, 0)) assert.ok(Math.abs(v.wallClockMs - now) < 30_000, `wall clock ${new Date(v.wallClockMs).toISOString()}`);
  });
});
