import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SegmentCutter } from '../../src/media/segmenter/cutter.ts';
import type { CutterAction, SegmentSummary } from '../../src/media/segmenter/actions.ts';
import type { MediaMessage } from '../../src/types/media.ts';
import { audioTrack, discontinuity, END, stream, videoTrack } from '../helpers/segmenter-streams.ts';
import { findAll, parseBoxes, readTfdt, readTfhd, readTrun } from '../helpers/mp4-read.ts';

/** These tests are about cutting: on the source's own timeline unless they ask for the epoch one. */
function run(options: ConstructorParameters<typeof SegmentCutter>[0], messages: readonly MediaMessage[]): CutterAction[] {
  const c = new SegmentCutter({ decodeTimeline: 'source', ...options });
  return messages.flatMap((m) => c.push(m));
}
const closes = (a: readonly CutterAction[]): SegmentSummary[] => a.flatMap((x) => (x.type === 'close-segment' ? [x.summary] : []));
const types = (a: readonly CutterAction[]) => a.map((x) => x.type);
const concat = (chunks: readonly Uint8Array[]) => Uint8Array.from(Buffer.concat(chunks));

/** Per-traf (trackId, tfdt, sample count, durations) of each append. */
function fragments(a: readonly CutterAction[]) {
  return a.flatMap((x) => {
    if (x.type !== 'append') return [];
    const boxes = parseBoxes(concat(x.chunks));
    return [
      findAll(boxes, 'traf').map((traf) => {
        const tfhd = readTfhd(traf.children.find((b) => b.type === 'tfhd')!.body);
        const tfdt = readTfdt(traf.children.find((b) => b.type === 'tfdt')!.body);
        const trun = readTrun(traf.children.find((b) => b.type === 'trun')!.body);
        return {
          trackId: tfhd.track_ID - 1 /* back to the source track id */,
          tfdt: tfdt.baseMediaDecodeTime,
          count: trun.sample_count,
          durations: trun.samples.map((s) => s.duration!),
        };
      }),
    ];
  });
}

describe('SegmentCutter', () => {
  test('waits for the first video keyframe: earlier video and audio are dropped', () => {
    const s = stream({ seconds: 3, audio: true });
    const firstKey = s.findIndex((x, i) => i > 0 && x.trackId === 1 && x.keyframe); // the 2nd keyframe (t = 1 s)
    const actions = run({ segmentLengthMs: 10_000 }, [videoTrack(), audioTrack(), ...s.slice(firstKey), END]);
    assert.deepEqual(types(actions).slice(0, 2), ['init', 'open-segment']);
    const frags = fragments(actions);
    assert.equal(frags[0]![0]!.tfdt, 90000);
    const audio = frags.flatMap((f) => f.filter((t) => t.trackId === 2));
    assert.equal(audio[0]!.tfdt, 48000 - (48000 % 1024) + 1024); // first audio frame at or after 1 s
  });

  test('cuts on the first keyframe after segmentLength of media time, one fragment per GOP', () => {
    const actions = run({ segmentLengthMs: 2000 }, [videoTrack(), ...stream({ seconds: 7, gop: 25 }), END]);
    const segs = closes(actions);
    assert.deepEqual(
      segs.map((s) => s.mediaDurationMs),
      [2000, 2000, 2000, 1000],
    );
    assert.deepEqual(
      segs.map((s) => s.fragments),
      [2, 2, 2, 1],
    );
    assert.deepEqual(
      segs.map((s) => s.reason),
      ['length', 'length', 'length', 'end'],
    );
    assert.deepEqual(
      segs.map((s) => s.baseMediaDecodeTime),
      [0, 180000, 360000, 540000],
    );
    assert.deepEqual(
      segs.map((s) => s.tracks[0]!.sampleCount),
      [50, 50, 50, 25],
    );
    // wall-clock ranges meet
    for (let i = 1; i < segs.length; i++) assert.equal(segs[i]!.startWallClockMs, segs[i - 1]!.endWallClockMs);
    // action order: init, then (open, append+, close)*
    assert.deepEqual(types(actions).slice(0, 5), ['init', 'open-segment', 'append', 'append', 'close-segment']);
  });

  test('a GOP longer than the segment length makes segments of whole GOPs', () => {
    const segs = closes(run({ segmentLengthMs: 1000 }, [videoTrack(), ...stream({ seconds: 9, gop: 75 }), END]));
    assert.deepEqual(
      segs.map((s) => s.mediaDurationMs),
      [3000, 3000, 3000],
    );
  });

  test('audio with dts inside the GOP goes into the GOP fragment; tracks stay contiguous', () => {
    const actions = run({ segmentLengthMs: 1000 }, [videoTrack(), audioTrack(), ...stream({ seconds: 4, gop: 25, audio: true }), END]);
    const frags = fragments(actions);
    assert.equal(frags.length, 4);
    let nextAudio = 0;
    for (const [i, f] of frags.entries()) {
      const v = f.find((t) => t.trackId === 1)!;
      const a = f.find((t) => t.trackId === 2)!;
      assert.equal(v.tfdt, i * 90000);
      assert.equal(a.tfdt, nextAudio, 'audio continues where the previous fragment ended');
      // every audio frame starts before the next GOP
      assert.ok((a.tfdt + (a.count - 1) * 1024) / 48000 < i + 1);
      if (i < frags.length - 1) assert.ok((a.tfdt + a.count * 1024) / 48000 >= i + 1);
      nextAudio = a.tfdt + a.durations.reduce((x, y) => x + y, 0);
    }
    const segs = closes(actions);
    assert.equal(
      segs.reduce((n, s) => n + s.tracks.find((t) => t.trackId === 2)!.sampleCount, 0),
      Math.floor((4 * 48000) / 1024),
    );
  });

  test('durations come from the next dts; the last sample repeats the previous duration', () => {
    const s = stream({ seconds: 2, gop: 25 });
    // irregular timing in the second GOP: frames 30 and 31 come 10 ms later than planned
    const jittered = s.map((x, i) => (i === 30 || i === 31 ? { ...x, dts: x.dts + 900, pts: x.pts + 900 } : x));
    const f = fragments(run({ segmentLengthMs: 60_000 }, [videoTrack(), ...jittered, END]));
    const d = f[1]![0]!.durations;
    assert.equal(d[4], 3600 + 900); // frame 29 → 30
    assert.equal(d[5], 3600); // 30 → 31
    assert.equal(d[6], 3600 - 900); // 31 → 32
    assert.equal(d[24], 3600); // last: previous duration
  });

  test('B-frames: composition offsets are carried, dts stays the decode time', () => {
    const actions = run({ segmentLengthMs: 60_000 }, [videoTrack(), ...stream({ seconds: 1, bFrames: true }), END]);
    const append = actions.find((a) => a.type === 'append')!;
    assert.equal(append.type, 'append');
    const trun = readTrun(findAll(parseBoxes(concat(append.type === 'append' ? append.chunks : [])), 'trun')[0]!.body);
    assert.equal(trun.version, 1);
    assert.ok(trun.samples.every((s) => s.composition_time_offset === 7200));
  });

  test('new codec parameters: close the segment at the next keyframe and start with a new init', () => {
    const s = stream({ seconds: 3, gop: 25 });
    const changed = videoTrack('h265-main.mp4');
    const msgs: MediaMessage[] = [videoTrack(), ...s.slice(0, 35), changed, ...s.slice(35), END];
    const actions = run({ segmentLengthMs: 60_000 }, msgs);
    const inits = actions.filter((a) => a.type === 'init');
    assert.equal(inits.length, 2);
    assert.notEqual(inits[0]!.type === 'init' && inits[0]!.id, inits[1]!.type === 'init' && inits[1]!.id);
    const segs = closes(actions);
    assert.deepEqual(
      segs.map((x) => [x.reason, x.mediaDurationMs, x.baseMediaDecodeTime]),
      [
        ['codec-change', 2000, 0],
        ['end', 1000, 180000],
      ],
    );
    assert.equal(segs[1]!.initId, inits[1]!.type === 'init' ? inits[1]!.id : '');
    assert.equal(segs[1]!.afterDiscontinuity, false);
  });

  test('the same TrackInfo again changes nothing', () => {
    const s = stream({ seconds: 3 });
    const actions = run({ segmentLengthMs: 60_000 }, [videoTrack(), ...s.slice(0, 30), videoTrack(), ...s.slice(30), END]);
    assert.equal(actions.filter((a) => a.type === 'init').length, 1);
    assert.equal(closes(actions).length, 1);
  });

  test('a Discontinuity closes the segment; the next starts at a keyframe, even with earlier timestamps', () => {
    const a = stream({ seconds: 1.6, gop: 25, startDts: 900000 });
    const b = stream({ seconds: 2, gop: 25, startDts: 0 });
    const msgs: MediaMessage[] = [videoTrack(), ...a, discontinuity(), ...b.slice(3), END];
    const actions = run({ segmentLengthMs: 60_000 }, msgs);
    const segs = closes(actions);
    assert.deepEqual(
      segs.map((s) => [s.reason, s.afterDiscontinuity, s.baseMediaDecodeTime, s.tracks[0]!.sampleCount]),
      [
        ['discontinuity', true, 900000, 40],
        ['end', true, 90000, 25],
      ],
    );
    assert.equal(segs[0]!.mediaDurationMs, 1600); // last frame repeats the previous duration
    assert.equal(actions.filter((x) => x.type === 'init').length, 1, 'same config: the init is not re-emitted');
  });

  test('repeated or backward dts is shifted minimally, not accumulated', () => {
    const s = stream({ seconds: 1 });
    const bad = s.map((x, i) => (i === 10 ? { ...x, dts: s[9]!.dts, pts: s[9]!.pts } : x));
    const f = fragments(run({ segmentLengthMs: 60_000 }, [videoTrack(), ...bad, END]));
    const d = f[0]![0]!.durations;
    assert.equal(d[9], 1);
    assert.equal(d[10], 7199);
    assert.equal(d[11], 3600);
  });

  test('a very long GOP is split into several fragments of one segment', () => {
    const actions = run({ segmentLengthMs: 60_000, maxFragmentMs: 2000 }, [videoTrack(), ...stream({ seconds: 10, gop: 250 }), END]);
    const segs = closes(actions);
    assert.equal(segs.length, 1);
    assert.equal(segs[0]!.fragments, 5);
  });

  test('a track with an unreadable SPS is rejected and its samples dropped', () => {
    const v = videoTrack();
    const broken = { ...v, config: { ...v.config, sps: [new Uint8Array([0x67])] } } as typeof v;
    const actions = run({ segmentLengthMs: 1000 }, [broken, ...stream({ seconds: 2 }), END]);
    assert.deepEqual(types(actions), ['track-rejected']);
  });

  test('property: segments start on keyframes, meet without gaps or overlaps and hold every frame', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 60 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 100, max: 5000 }),
        fc.array(fc.integer({ min: 1, max: 9000 }), { minLength: 1, maxLength: 8 }),
        (gops, segmentLengthMs, steps) => {
          const msgs: MediaMessage[] = [videoTrack()];
          let dts = 1_000_000;
          let n = 0;
          const keyDts: number[] = [];
          for (const g of gops) {
            for (let i = 0; i < g; i++) {
              if (i === 0) keyDts.push(dts);
              msgs.push({ kind: 'sample', trackId: 1, dts, pts: dts, keyframe: i === 0, units: [new Uint8Array([1])], wallClockMs: dts / 90 });
              dts += steps[n++ % steps.length]!;
            }
          }
          msgs.push(END);
          const segs = closes(run({ segmentLengthMs }, msgs));
          assert.equal(
            segs.reduce((k, s) => k + s.tracks[0]!.sampleCount, 0),
            n,
          );
          for (const s of segs) assert.ok(keyDts.includes(s.baseMediaDecodeTime));
          for (let i = 1; i < segs.length; i++) {
            const prev = segs[i - 1]!;
            assert.equal(prev.baseMediaDecodeTime + Math.round(prev.mediaDurationMs * 90), segs[i]!.baseMediaDecodeTime);
            assert.ok(prev.mediaDurationMs >= segmentLengthMs - 1e-9);
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});

test('SegmentCutter: a wall clock stepping backwards never gives a segment that ends before it starts', () => {
  const s = stream({ seconds: 4, gop: 25 }).map((x) => (x.dts >= 180000 ? { ...x, wallClockMs: x.wallClockMs - 3_600_000 } : x));
  const segs = closes(run({ segmentLengthMs: 2000 }, [videoTrack(), ...s, END]));
  assert.equal(segs.length, 2);
  for (const seg of segs) assert.ok(seg.endWallClockMs >= seg.startWallClockMs);
  assert.equal(segs[0]!.endWallClockMs, segs[0]!.startWallClockMs + 2000);
});

test('SegmentCutter: when video stalls and audio flows, audio is written alone (bounded memory)', () => {
  const s = stream({ seconds: 30, gop: 25, audio: true });
  // video stops after 2 s; audio goes on for 28 s more
  const stalled = s.filter((x) => x.trackId === 2 || x.dts < 180000);
  const actions = run({ segmentLengthMs: 60_000, maxFragmentMs: 2000 }, [videoTrack(), audioTrack(), ...stalled]);
  const frags = fragments(actions);
  const audioOnly = frags.filter((f) => f.every((t) => t.trackId === 2));
  assert.ok(audioOnly.length >= 5, `${audioOnly.length} audio-only fragments`);
  // each holds about 4 s of audio (2 × maxFragmentMs), none more
  for (const f of audioOnly) assert.ok(f[0]!.count <= Math.ceil((4 * 48000) / 1024) + 1, `${f[0]!.count} frames`);
  // audio timeline stays continuous across them
  const audio = frags.flatMap((f) => f.filter((t) => t.trackId === 2));
  for (let i = 1; i < audio.length; i++) assert.equal(audio[i]!.tfdt, audio[i - 1]!.tfdt + audio[i - 1]!.durations.reduce((a, b) => a + b, 0));
});

test('wall-clock starts never repeat or run backwards, even when the clock steps back', () => {
  const cutter = new SegmentCutter({ segmentLengthMs: 1000 });
  const info = videoTrack();
  const wall = [1000, 2000, 1500, 1500, 900, 5000]; // one keyframe a second, the clock stepping back and repeating
  const frames = stream({ seconds: 6, gop: 25 })
    .filter((f) => f.keyframe)
    .slice(0, 6);
  assert.equal(frames.length, 6);
  const actions: CutterAction[] = [...cutter.push(info)];
  frames.forEach((f, i) => actions.push(...cutter.push({ ...f, wallClockMs: wall[i]! })));
  actions.push(...cutter.push(END));
  const summaries = actions.flatMap((a) => (a.type === 'close-segment' ? [a.summary] : []));
  assert.equal(summaries.length, 6);
  for (let i = 1; i < summaries.length; i++) {
    assert.ok(summaries[i]!.startWallClockMs > summaries[i - 1]!.startWallClockMs, `start ${i} after start ${i - 1}`);
    assert.ok(summaries[i]!.startWallClockMs >= summaries[i - 1]!.endWallClockMs, `segment ${i} starts at or after the previous end`);
  }
});
