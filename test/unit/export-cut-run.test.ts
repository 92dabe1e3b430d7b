// cutRun on real segments (the simulated camera through the RTSP source and the segmenter):
// where a cut starts when the data holds a keyframe before --from, and how far it widens
// when it does not (a recording that begins mid-GOP).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { recordRealSegments } from '../helpers/real-segments.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';
import { cutRun, type RunSegment } from '../../src/control/export/cut-run.ts';
import { buildFragment } from '../../src/media/mp4/fragment.ts';
import { sampleFlags } from '../../src/media/mp4/sample-flags.ts';
import { readSegmentSamples } from '../../src/media/mp4/read-samples.ts';

const VIDEO_TS = 90_000;

test('cutRun starts at the keyframe before --from, or says how far it had to widen', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cut-run-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const recorded = await recordRealSegments(dir, 3, 'PT1S');
  const init = readFileSync(recorded[0]!.init.path);
  const bytes = recorded.map((s) => readFileSync(s.path));
  // Times on the segments' own decode timeline (tfdt), in ms, as the store's index has them.
  const video = bytes.map((b) => readSegmentSamples(b).filter((s) => s.trackId === 1));
  // (whole seconds apart: epoch ticks × 1000 would pass 2^53)
  const ms = (ticks: number) => Math.floor(ticks / VIDEO_TS) * 1000 + ((ticks % VIDEO_TS) * 1000) / VIDEO_TS;
  const segs: RunSegment[] = video.map((v, i) => ({ name: String(i), startMs: ms(v[0]!.dts + v[0]!.cto), endMs: ms(v.at(-1)!.dts + v.at(-1)!.duration) }));
  const keyframes = video.flatMap((v) => v.filter((s) => s.sync).map((s) => ms(s.dts + s.cto)));
  assert.ok(keyframes.length >= 3, `keyframes at ${keyframes}`);

  // From between two keyframes: decoding starts at the earlier one, presentation at --from's frame.
  const from = keyframes[1]! + 300;
  const to = from + 500;
  const payloadPath = join(dir, 'a.mdat');
  const cut = await cutRun({
    segments: segs,
    readInit: async () => init,
    readSegment: async (s) => bytes[Number(s.name)]!,
    fromMs: from,
    toMs: to,
    payloadPath,
  });
  assert.ok(cut);
  assert.equal(cut.keyframeMs, keyframes[1]);
  assert.equal(cut.noKeyframeBefore, false);
  assert.ok(cut.startMs <= from && from - cut.startMs < 40, `starts at ${cut.startMs}, --from ${from}`);
  const file = Buffer.concat([cut.header, readFileSync(payloadPath)]);
  const tracks = inspectMp4(file);
  const v = tracks.find((x) => x.type === 'video')!;
  assert.ok(v.samples[0]!.is_sync, 'the file begins with a keyframe');
  // Shown before --to: the frames from the keyframe (300 ms before --from) to --to (500 ms after).
  const pts = v.samples.map((s) => cut.keyframeMs + ((s.cts - v.samples[0]!.cts) * 1000) / v.timescale);
  const source = video
    .flat()
    .map((s) => ms(s.dts + s.cto))
    .filter((p) => p >= cut.keyframeMs && p < to);
  assert.equal(pts.filter((p) => p < to).length, source.length);
  // A frame shown after --to is there only when a frame shown before it needs it (decoded later).
  pts.forEach((p, i) => {
    if (p >= to)
      assert.ok(
        pts.slice(i + 1).some((q) => q < to),
        `sample ${i} (pts ${p}) is after --to (${to}) and not needed`,
      );
  });

  // The same --from, but the first GOP's fragments were never recorded: no keyframe at or
  // before --from, so the cut starts at the next keyframe and reports it.
  // (Rebuilt from the segment's own samples without the video before its second keyframe,
  // or the first 300 ms when it has one keyframe, as a camera joined mid-GOP would give.)
  const samples1 = readSegmentSamples(bytes[1]!);
  const cutAt = samples1.find((s) => s.trackId === 1 && !s.sync && ms(s.dts + s.cto) > keyframes[1]! + 200)!;
  const runs = [...new Set(samples1.map((s) => s.trackId))].map((trackId) => {
    const kept = samples1.filter((s) => s.trackId === trackId && (trackId !== 1 || s.dts >= cutAt.dts));
    return {
      trackId,
      baseMediaDecodeTime: kept[0]!.dts,
      samples: kept.map((s) => ({ duration: s.duration, size: s.size, flags: sampleFlags(s.sync), compositionTimeOffset: s.cto })),
      data: kept.map((s) => bytes[1]!.subarray(s.offset, s.offset + s.size)),
    };
  });
  const headless = Buffer.concat(buildFragment(1, runs).chunks);
  assert.ok(!readSegmentSamples(headless).some((s) => s.trackId === 1 && s.sync), 'no keyframe left in the rebuilt segment');
  const widened = await cutRun({
    segments: segs.slice(1),
    readInit: async () => init,
    readSegment: async (s) => (s.name === '1' ? headless : bytes[Number(s.name)]!),
    fromMs: ms(cutAt.dts + cutAt.cto) + 100,
    toMs: keyframes[2]! + 500,
    payloadPath,
  });
  assert.ok(widened);
  assert.equal(widened.noKeyframeBefore, true);
  assert.equal(widened.startMs, keyframes[2]);
  assert.equal(widened.keyframeMs, keyframes[2]);
});
