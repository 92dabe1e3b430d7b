// Our init + fragments built from real samples (demuxed from the fixtures by mp4box.js) must
// re-parse with mp4box.js to the same samples and decode with ffmpeg without a message.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildInitSegment } from '../../src/media/mp4/init.ts';
import { buildFragment, lengthPrefixedUnits, type TrackRun } from '../../src/media/mp4/fragment.ts';
import { sampleFlags } from '../../src/media/mp4/sample-flags.ts';
import { describeTrack } from '../../src/media/mp4/track-description.ts';
import type { Sample } from '../../src/types/media.ts';
import { demuxFixture } from '../helpers/mp4-fixtures.ts';
import { ffmpegDecode, inspectMp4 } from '../helpers/mp4-inspect.ts';
import { findAll, parseBoxes, readHvcC, readAvcC } from '../helpers/mp4-read.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';

/** One fragment per GOP, audio with dts inside the GOP in the same fragment. */
function mux(name: string): { bytes: Uint8Array; samples: Sample[] } {
  const d = demuxFixture(name);
  const init = buildInitSegment(d.tracks.map(describeTrack));
  const timescale = new Map(d.tracks.map((t) => [t.trackId, t.timescale]));
  const byTrack = new Map<number, Sample[]>();
  for (const s of d.samples) byTrack.set(s.trackId, [...(byTrack.get(s.trackId) ?? []), s]);
  const video = d.tracks.find((t) => t.mediaType === 'video')!;
  const keys = byTrack
    .get(video.trackId)!
    .filter((s) => s.keyframe)
    .map((s) => s.dts / 90000);
  keys.push(Infinity);
  const parts: Uint8Array[] = [init];
  for (let g = 0; g + 1 < keys.length; g++) {
    const runs: TrackRun[] = [];
    for (const [id, list] of byTrack) {
      const ts = timescale.get(id)!;
      const idx = list.map((_, i) => i).filter((i) => list[i]!.dts / ts >= keys[g]! && list[i]!.dts / ts < keys[g + 1]!);
      if (idx.length === 0) continue;
      const sel = idx.map((i) => list[i]!);
      const isVideo = id === video.trackId;
      const payload = isVideo ? lengthPrefixedUnits(sel.map((s) => s.units)) : { data: sel.map((s) => s.units[0]!), sizes: sel.map((s) => s.units[0]!.length) };
      runs.push({
        trackId: id,
        baseMediaDecodeTime: sel[0]!.dts,
        data: payload.data,
        samples: idx.map((i, k) => {
          const s = list[i]!;
          const next = list[i + 1];
          return {
            duration: next ? next.dts - s.dts : s.dts - list[i - 1]!.dts,
            size: payload.sizes[k]!,
            flags: sampleFlags(s.keyframe),
            compositionTimeOffset: s.pts - s.dts,
          };
        }),
      });
    }
    parts.push(
      ...buildFragment(g + 1, runs, {
        referenceTrackId: video.trackId,
        wallClockMs: Date.UTC(2026, 0, 1) + keys[g]! * 1000,
        mediaTime: Math.round(keys[g]! * 90000),
      }).chunks,
    );
  }
  return { bytes: Buffer.concat(parts), samples: d.samples };
}

for (const name of ['h264-360p-aac.mp4', 'h265-360p.mp4', 'h264-1080p-aac.mp4']) {
  describe(`mp4 writer on ${name}`, { skip: fixtureSkip(name) }, () => {
    const { bytes, samples } = mux(name);
    const d = demuxFixture(name);

    test('decoder configuration from the SPS matches the source file', () => {
      const boxes = parseBoxes(bytes);
      const hvcC = findAll(boxes, 'hvcC')[0];
      const avcC = findAll(boxes, 'avcC')[0];
      if (d.sourceHvcC) {
        const ours = readHvcC(hvcC!.body);
        const src = d.sourceHvcC;
        assert.deepEqual(
          [
            ours.general_profile_space,
            ours.general_tier_flag,
            ours.general_profile_idc,
            ours.general_profile_compatibility_flags,
            [...ours.general_constraint_indicator_flags],
            ours.general_level_idc,
            ours.chroma_format_idc,
            ours.bit_depth_luma_minus8,
            ours.numTemporalLayers,
            ours.temporalIdNested,
          ],
          [
            src.general_profile_space,
            src.general_tier_flag,
            src.general_profile_idc,
            src.general_profile_compatibility,
            [...src.general_constraint_indicator],
            src.general_level_idc,
            src.chroma_format_idc,
            src.bit_depth_luma_minus8,
            src.numTemporalLayers,
            src.temporalIdNested,
          ],
        );
      } else {
        const ours = readAvcC(avcC!.body);
        assert.deepEqual(
          [ours.AVCProfileIndication, ours.profile_compatibility, ours.AVCLevelIndication],
          [d.sourceAvcC!.AVCProfileIndication, d.sourceAvcC!.profile_compatibility, d.sourceAvcC!.AVCLevelIndication],
        );
      }
    });

    test('mp4box.js reads back the same tracks and samples', () => {
      const tracks = inspectMp4(bytes);
      assert.deepEqual(
        tracks.map((t) => [t.id, t.codec]),
        d.tracks.map((t) => [t.trackId, t.config.codecString]),
      );
      for (const t of tracks) {
        const input = samples.filter((s) => s.trackId === t.id);
        assert.equal(t.timescale, d.tracks.find((x) => x.trackId === t.id)!.timescale);
        assert.equal(t.samples.length, input.length);
        assert.deepEqual(
          t.samples.map((s) => s.dts),
          input.map((s) => s.dts),
        );
        assert.deepEqual(
          t.samples.map((s) => s.cts),
          input.map((s) => s.pts),
        );
        assert.deepEqual(
          t.samples.map((s) => s.is_sync),
          input.map((s) => s.keyframe),
        );
        const sizes = input.map((s) => s.units.reduce((n, u) => n + u.length + (t.type === 'video' ? 4 : 0), 0));
        assert.deepEqual(
          t.samples.map((s) => s.size),
          sizes,
        );
        // durations: next dts − dts, the last one repeats the previous
        for (let i = 0; i + 1 < input.length; i++) assert.equal(t.samples[i]!.duration, input[i + 1]!.dts - input[i]!.dts);
      }
    });

    test('ffmpeg decodes init + fragments without a message', { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') }, (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'mp4-real-'));
      t.after(() => rmSync(dir, { recursive: true, force: true }));
      const path = join(dir, 'out.mp4');
      writeFileSync(path, bytes);
      const r = ffmpegDecode(path);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
    });
  });
}
