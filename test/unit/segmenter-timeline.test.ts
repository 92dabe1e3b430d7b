// The epoch decode timeline (docs/architecture.md, Decode timeline): tfdt is media time since
// the Unix epoch, continuous within a run, jumping forward by the real gap at a new run, never
// going back, with audio placed on the same clock as video.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SegmentCutter } from '../../src/media/segmenter/cutter.ts';
import type { CutterAction, SegmentSummary } from '../../src/media/segmenter/actions.ts';
import type { MediaMessage, Sample } from '../../src/types/media.ts';
import { audioTrack, discontinuity, END, stream, T0_WALL, videoTrack } from '../helpers/segmenter-streams.ts';
import { findAll, parseBoxes, readTfdt, readTfhd, readTrun } from '../helpers/mp4-read.ts';

function run(messages: readonly MediaMessage[], segmentLengthMs = 2000): CutterAction[] {
  const c = new SegmentCutter({ segmentLengthMs });
  return messages.flatMap((m) => c.push(m));
}
const closes = (a: readonly CutterAction[]): SegmentSummary[] => a.flatMap((x) => (x.type === 'close-segment' ? [x.summary] : []));

/** Every traf of every fragment: source track id, tfdt, total duration. */
function trafs(a: readonly CutterAction[]): { trackId: number; tfdt: number; ticks: number }[] {
  return a.flatMap((x) => {
    if (x.type !== 'append') return [];
    const boxes = parseBoxes(Uint8Array.from(Buffer.concat(x.chunks)));
    return findAll(boxes, 'traf').map((traf) => ({
      trackId: readTfhd(traf.children.find((b) => b.type === 'tfhd')!.body).track_ID - 1,
      tfdt: readTfdt(traf.children.find((b) => b.type === 'tfdt')!.body).baseMediaDecodeTime,
      ticks: readTrun(traf.children.find((b) => b.type === 'trun')!.body).samples.reduce((n, s) => n + s.duration!, 0),
    }));
  });
}

/** The same stream with its wall clocks moved by `ms` (a later session). */
const later = (s: readonly Sample[], ms: number): Sample[] => s.map((x) => ({ ...x, wallClockMs: x.wallClockMs + ms }));

test('tfdt is media time since the Unix epoch: each segment decodes at its wall-clock start', () => {
  // the source's own media time starts at an arbitrary 900000 ticks
  const segs = closes(run([videoTrack(), ...stream({ seconds: 7, gop: 25, startDts: 900000 }), END]));
  assert.equal(segs.length, 4);
  for (const s of segs) {
    assert.ok(s.baseMediaDecodeTime > 2 ** 32, 'needs the 64-bit tfdt');
    assert.equal(s.baseMediaDecodeTime, Math.round(s.startWallClockMs * 90), `segment ${s.sequence}`);
  }
});

test('within a run decode times are continuous; a new session jumps forward by the real gap', () => {
  const a = stream({ seconds: 4, gop: 25, startDts: 900000 });
  // the camera came back 60 s later with its media time reset to 0
  const b = later(stream({ seconds: 4, gop: 25, startDts: 0 }), 60_000 + 4000);
  const actions = run([videoTrack(), ...a, discontinuity(), ...b, END]);
  const video = trafs(actions).filter((t) => t.trackId === 1);
  const jumps = video.slice(1).map((t, i) => (t.tfdt - (video[i]!.tfdt + video[i]!.ticks)) / 90000);
  assert.deepEqual(
    jumps.map((j) => Math.round(j * 1000) / 1000),
    [0, 0, 0, 60, 0, 0, 0],
  );
  const segs = closes(actions);
  for (const s of segs) assert.ok(Math.abs(s.baseMediaDecodeTime / 90000 - s.startWallClockMs / 1000) < 0.001);
});

test('a session whose wall clock lies before what was written is pushed after it, never back', () => {
  const a = stream({ seconds: 4, gop: 25, audio: true });
  // the host clock stepped back 10 s between the sessions
  const b = later(stream({ seconds: 2, gop: 25, audio: true }), -10_000);
  const actions = run([videoTrack(), audioTrack(), ...a, discontinuity(), ...b, END]);
  const all = trafs(actions);
  for (const id of [1, 2]) {
    const t = all.filter((x) => x.trackId === id);
    for (let i = 1; i < t.length; i++) assert.ok(t[i]!.tfdt >= t[i - 1]!.tfdt + t[i - 1]!.ticks, `track ${id} fragment ${i} goes back`);
  }
  // both tracks were pushed by the same amount: audio still starts with its video
  const secondRunVideo = all.filter((x) => x.trackId === 1)[4]!;
  const secondRunAudio = all.filter((x) => x.trackId === 2)[4]!;
  assert.ok(Math.abs(secondRunVideo.tfdt / 90000 - secondRunAudio.tfdt / 48000) < 0.03, `${secondRunVideo.tfdt / 90000} vs ${secondRunAudio.tfdt / 48000}`);
});

test('audio lines up with video by wall clock, whatever media time each track started at', () => {
  // the session numbers each track from 0 at its own first access unit: shift video's origin
  const s = stream({ seconds: 3, gop: 25, audio: true }).map((x) => (x.trackId === 1 ? { ...x, dts: x.dts + 123_456, pts: x.pts + 123_456 } : x));
  const t = trafs(run([videoTrack(), audioTrack(), ...s, END]));
  const v = t.find((x) => x.trackId === 1)!;
  const a = t.find((x) => x.trackId === 2)!;
  assert.equal(v.tfdt, Math.round(T0_WALL * 90));
  assert.equal(a.tfdt, Math.round(T0_WALL * 48));
});

test('media delivered faster than real time never yields a segment ending after its last frame', () => {
  // 10 s of media whose frames arrived (and are dated) over 1 s of wall clock
  const s = stream({ seconds: 10, gop: 25 }).map((x) => ({ ...x, wallClockMs: T0_WALL + (x.wallClockMs - T0_WALL) / 10 }));
  const segs = closes(run([videoTrack(), ...s, END], 60_000));
  assert.equal(segs.length, 1);
  const lastFrameWall = s.at(-1)!.wallClockMs;
  assert.ok(segs[0]!.endWallClockMs <= lastFrameWall + 40, `ends ${segs[0]!.endWallClockMs - lastFrameWall} ms after its last frame`);
  assert.equal(segs[0]!.mediaDurationMs, 10_000);
});

test("a segment described again from its bytes (salvage, journal rebuild) ends no later than its last fragment's clock allows", async () => {
  const { describeSegment, readInitDescription } = await import('../../src/media/mp4/describe-segment.ts');
  // 6 s of media (6 GOPs) dated over 0.6 s of wall clock, as a camera at 10× speed delivers it
  const s = stream({ seconds: 6, gop: 25 }).map((x) => ({ ...x, wallClockMs: T0_WALL + (x.wallClockMs - T0_WALL) / 10 }));
  const actions = run([videoTrack(), ...s, END], 60_000);
  const init = actions.find((a) => a.type === 'init');
  assert.ok(init?.type === 'init');
  const bytes = Uint8Array.from(Buffer.concat(actions.flatMap((a) => (a.type === 'append' ? a.chunks : []))));
  const d = describeSegment(bytes, readInitDescription(init.bytes)!, { startWallClockMs: T0_WALL });
  assert.ok(d);
  assert.equal(d.mediaDurationMs, 6000);
  // the last fragment's prft (its first frame, 0.5 s) plus that fragment's media (one GOP, 1 s), not 6 s
  assert.equal(d.endWallClockMs, T0_WALL + 1500);
});
