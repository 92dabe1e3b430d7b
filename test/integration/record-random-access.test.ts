// Cameras whose random access points are not IDR frames (docs/camera-quirks.md, "Random access
// without IDR"), recorded over RTSP on loopback through the real source and cutter at
// segmentLength PT10S: H.264 with an IDR only at start-up and then non-IDR I frames led by a
// recovery point SEI (irregular frame timing, as such cameras send), with and without SPS/PPS
// repeated in front; H.265 with CRA random access and RASL leading pictures. Every segment must
// last 10 s to 10 s + one GOP, begin with a sync sample that is the random access point under
// test, parse with mp4box.js and decode alone (init + segment) with ffmpeg without a message.
// The fixtures are checked first: a recipe that stopped producing these properties would
// otherwise make the recording tests pass for the wrong reason.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { h264RandomAccess } from '../../src/media/h264/random-access.ts';
import { idrToRecoveryPoints, splitAnnexB } from '../../scripts/fixtures/h264-recovery-points.ts';
import { h265RandomAccess, isH265Rasl } from '../../src/media/h265/random-access.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';
import type { SimulatedCameraQuirks } from '../../src/testing/sim-camera/index.ts';
import { fixturePath, fixtureSkip } from '../helpers/fixtures.ts';
import { inspectMp4, type InspectedTrack } from '../helpers/mp4-inspect.ts';
import { recordRealSegments } from '../helpers/real-segments.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';
import { ffmpegDecodeErrors } from '../helpers/recording-check.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

const SEGMENT_S = 10;
/** GOP of the fixtures: 48 frames at ~23 fps (H.264), 50 at 25 fps (H.265). */
const H264_GOP_S = 48 / 23;
const H265_GOP_S = 2;
/** Frame timing jitter of the H.264 fixture (±15 ms) and rounding. */
const SLACK_S = 0.05;
/**
 * The cut is by presentation time, the recorded length by decode time: with B-frames a cut
 * point's decode time is up to the reorder depth (a few frames) before its presentation time.
 */
const REORDER_S = 0.2;

type Codec = 'h264' | 'h265';

interface Sample {
  readonly isSync: boolean;
  readonly dtsS: number;
  readonly units: Uint8Array[];
}

/** The 4-byte-length-prefixed NAL units of a sample (our writer's and ffmpeg's MP4 use 4). */
function splitUnits(data: Uint8Array): Uint8Array[] {
  const units: Uint8Array[] = [];
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  for (let p = 0; p + 4 <= data.length; ) {
    const n = view.getUint32(p);
    units.push(data.subarray(p + 4, p + 4 + n));
    p += 4 + n;
  }
  return units;
}

/** Video samples of a whole MP4 (or init + segment) as mp4box.js reads them. */
function videoSamples(bytes: Uint8Array): Sample[] {
  const track: InspectedTrack | undefined = inspectMp4(bytes).find((t) => t.type === 'video');
  assert.ok(track, 'mp4box.js found no video track');
  return track.samples.map((s) => ({ isSync: s.is_sync, dtsS: s.dts / track.timescale, units: splitUnits(bytes.subarray(s.offset, s.offset + s.size)) }));
}

function randomAccess(codec: Codec, units: readonly Uint8Array[]): string | undefined {
  return codec === 'h264' ? h264RandomAccess(units) : h265RandomAccess(units);
}

const nalTypes = (units: readonly Uint8Array[]) => units.map((u) => (u[0] as number) & 0x1f);

/** ffprobe's own count of key packets, independent of our parsers. */
function ffprobeKeyPackets(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.split('\n').filter((l) => l.startsWith('K')).length;
}

async function record(t: { after(fn: () => unknown): void }, file: string, quirks?: SimulatedCameraQuirks): Promise<SegmentMessage[]> {
  const dir = tempDir(t, 'mg-random-access-');
  return recordRealSegments(dir, 2, `PT${SEGMENT_S}S`, { file, speed: 10, ...(quirks ? { quirks } : {}) });
}

/**
 * Each segment: length 10 s to 10 s + one GOP; first sample a sync sample of kind `expected`;
 * every sync sample a random access point and every random access point a sync sample; mp4box.js
 * parses it and ffmpeg decodes it alone without a message.
 */
function checkSegments(codec: Codec, segments: readonly SegmentMessage[], expected: string, gopS: number): void {
  assert.equal(segments.length, 2);
  let startsOnExpected = 0;
  for (const seg of segments) {
    const name = seg.path.split('/').pop();
    const lengthS = seg.mediaDurationMs / 1000;
    const early = codec === 'h265' ? REORDER_S : SLACK_S;
    assert.ok(
      lengthS >= SEGMENT_S - early && lengthS < SEGMENT_S + gopS + SLACK_S,
      `${name}: ${lengthS} s is not ${SEGMENT_S} s to ${SEGMENT_S} s + one GOP (${gopS.toFixed(2)} s)`,
    );
    const bytes = new Uint8Array(Buffer.concat([readFileSync(seg.init.path), readFileSync(seg.path)]));
    const samples = videoSamples(bytes);
    const first = samples[0]!;
    assert.ok(first.isSync, `${name}: first sample is not flagged sync in the trun`);
    // The simulated camera loops its clip, whose first frame is an IDR: a cut may land there.
    const kind = randomAccess(codec, first.units);
    assert.ok(kind === expected || kind === 'idr', `${name}: first sample's NAL types ${nalTypes(first.units)}`);
    if (kind === expected) startsOnExpected++;
    for (const [i, s] of samples.entries()) {
      assert.equal(s.isSync, randomAccess(codec, s.units) !== undefined, `${name}: sample ${i} sync flag disagrees with its NAL units`);
    }
    assert.ok(samples.filter((s) => s.isSync).length >= Math.floor(SEGMENT_S / gopS), `${name}: too few random access points`);
    const joined = `${seg.path}.alone.mp4`;
    writeFileSync(joined, bytes);
    assert.equal(ffmpegDecodeErrors(joined), '', `${name}: ffmpeg did not decode init + segment cleanly`);
  }
  // segments start about 10 s apart and the clip's only IDR comes once a loop: one at most starts there
  assert.ok(startsOnExpected >= 1, `no segment starts on a ${expected} random access point`);
}

const skip = skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg/ffprobe');

describe('H.264 camera: IDR only at start-up, then non-IDR I frames with a recovery point SEI', () => {
  const fixture = 'h264-recovery-points';
  const skipH264 = skip || fixtureSkip(fixture);

  test('the fixture has those properties (our parser and ffprobe agree)', { skip: skipH264 }, () => {
    const file = fixturePath(fixture);
    const samples = videoSamples(new Uint8Array(readFileSync(file)));
    const sync = samples.filter((s) => s.isSync);
    assert.equal(randomAccess('h264', samples[0]!.units), 'idr');
    assert.equal(samples.filter((s) => nalTypes(s.units).includes(5)).length, 1, 'one IDR, at the start');
    assert.ok(sync.length >= 15, `${sync.length} random access points`);
    for (const s of sync.slice(1)) {
      assert.equal(randomAccess('h264', s.units), 'recovery-point');
      assert.deepEqual(
        nalTypes(s.units).filter((t) => t !== 6),
        [1],
        'I slice of nal_unit_type 1, no SPS/PPS in front',
      );
    }
    for (const s of samples.filter((x) => !x.isSync)) assert.equal(randomAccess('h264', s.units), undefined);
    assert.equal(ffprobeKeyPackets(file), sync.length);
    // irregular timing: frame intervals well below and above 1/23 s
    const intervals = samples.slice(1).map((s, i) => s.dtsS - samples[i]!.dtsS);
    assert.ok(Math.min(...intervals) < 0.025 && Math.max(...intervals) > 0.06, `intervals ${Math.min(...intervals)}..${Math.max(...intervals)} s`);
    assert.equal(ffmpegDecodeErrors(file), '');
  });

  test('the fixture rewriter turns IDRs into recovery point I frames without changing one decoded pixel', { skip }, (t) => {
    const dir = tempDir(t, 'mg-rewrite-');
    const original = join(dir, 'idr.h264');
    const r = spawnSync(
      'ffmpeg',
      [
        '-nostdin',
        '-v',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=320x240:rate=25:duration=3',
        '-c:v',
        'libx264',
        '-profile:v',
        'baseline',
        '-preset',
        'veryfast',
        '-g',
        '25',
        '-keyint_min',
        '25',
        '-sc_threshold',
        '0',
        '-bf',
        '0',
        '-pix_fmt',
        'yuv420p',
        '-f',
        'h264',
        original,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    assert.equal(r.status, 0, r.stderr);
    const rewritten = join(dir, 'recovery.h264');
    const bytes = idrToRecoveryPoints(new Uint8Array(readFileSync(original)));
    writeFileSync(rewritten, bytes);
    const types = splitAnnexB(bytes).map((u) => (u[0] as number) & 0x1f);
    assert.equal(types.filter((x) => x === 5).length, 1);
    assert.equal(types.filter((x) => x === 6).length, 3, "x264's own SEI + one recovery point per later GOP");
    const before = frameHashes(original);
    const after = frameHashes(rewritten);
    assert.equal(before.hashes.length, 75);
    assert.deepEqual(after, before);
  });

  test('recovery point SEI only (parameter sets in the SDP): PT10S segments cut on the I frames, each decodable alone', {
    skip: skipH264,
    timeout: 60_000,
  }, async (t) => {
    const segments = await record(t, fixturePath(fixture), { inBandParameterSets: false });
    checkSegments('h264', segments, 'recovery-point', H264_GOP_S);
  });

  test('SPS + PPS + recovery point SEI + I slice, as such cameras send: the same', { skip: skipH264, timeout: 60_000 }, async (t) => {
    const segments = await record(t, fixturePath(fixture));
    checkSegments('h264', segments, 'recovery-point', H264_GOP_S);
    const first = videoSamples(new Uint8Array(Buffer.concat([readFileSync(segments[1]!.init.path), readFileSync(segments[1]!.path)])))[0]!;
    assert.deepEqual(nalTypes(first.units), [7, 8, 6, 1]);
  });
});

/** MD5 of each decoded frame, in output order (the file's own timebase, see ffmpegDecodeErrors). */
function frameHashes(file: string): { hashes: string[]; messages: string[] } {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v', '-enc_time_base:v', '-1', '-f', 'framemd5', '-'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const hashes = r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && !l.startsWith('#'))
    .map((l) => l.split(',').pop()!.trim());
  // "Last message repeated n times" lines belong to the message before them
  const messages = r.stderr
    .split('\n')
    .map((l) => l.replace(/^\[[^\]]*\]\s*/, '').trim())
    .filter((l) => l !== '' && !/^Last message repeated/.test(l));
  return { hashes, messages };
}

describe('H.264 open GOP with B-frames: leading pictures after a recovery point', () => {
  const fixture = 'h264-open-gop';
  const skipOpen = skip || fixtureSkip(fixture);

  test('segments start on the recovery point; decoded alone, every frame shown equals the same frame of a continuous decode', {
    skip: skipOpen,
    timeout: 60_000,
  }, async (t) => {
    const segments = await record(t, fixturePath(fixture));
    assert.equal(segments.length, 2);
    const init = readFileSync(segments[0]!.init.path);
    const parts = segments.map((s) => readFileSync(s.path));
    const continuous = `${segments[1]!.path}.continuous.mp4`;
    writeFileSync(continuous, Buffer.concat([init, ...parts]));
    const whole = frameHashes(continuous);
    let onRecoveryPoint = 0;
    for (const [i, seg] of segments.entries()) {
      const bytes = new Uint8Array(Buffer.concat([init, parts[i]!]));
      const samples = videoSamples(bytes);
      assert.ok(samples[0]!.isSync);
      // the camera loops the clip, whose first frame is its one IDR: a cut may land there
      const kind = randomAccess('h264', samples[0]!.units);
      assert.ok(kind === 'recovery-point' || kind === 'idr', `segment ${i} starts on ${String(kind)}`);
      const alone = `${seg.path}.alone.mp4`;
      writeFileSync(alone, bytes);
      const own = frameHashes(alone);
      if (kind === 'recovery-point') {
        onRecoveryPoint++;
        // the leading B-frames refer to the previous GOP: not shown; everything else is exact
        assert.ok(own.hashes.length >= samples.length - 2 && own.hashes.length < samples.length, `${own.hashes.length} frames of ${samples.length} samples`);
      } else {
        assert.equal(own.hashes.length, samples.length, 'a segment that starts on the IDR shows every frame');
      }
      const known = new Set(whole.hashes);
      assert.deepEqual(
        own.hashes.filter((h) => !known.has(h)),
        [],
        'frames that differ from the continuous decode',
      );
      // ffmpeg's only message: reference marking naming pictures of the previous GOP (it says the same seeking into the source file)
      assert.deepEqual(
        [...new Set(own.messages)].filter((m) => m !== 'mmco: unref short failure'),
        [],
      );
    }
    assert.ok(onRecoveryPoint >= 1, 'no segment starts on a recovery point');
  });
});

describe('H.265 camera: CRA random access with RASL leading pictures', () => {
  const fixture = 'h265-cra';
  const skipH265 = skip || fixtureSkip(fixture);

  test('the fixture has those properties', { skip: skipH265 }, () => {
    const file = fixturePath(fixture);
    const samples = videoSamples(new Uint8Array(readFileSync(file)));
    const sync = samples.filter((s) => s.isSync);
    assert.equal(randomAccess('h265', samples[0]!.units), 'idr');
    assert.ok(sync.length >= 15);
    for (const s of sync.slice(1)) assert.equal(randomAccess('h265', s.units), 'cra');
    // a RASL picture follows each CRA in decode order
    for (const [i, s] of samples.entries()) if (i > 0 && s.isSync) assert.ok(samples[i + 1]!.units.some(isH265Rasl), `no RASL after the CRA at sample ${i}`);
    assert.equal(ffprobeKeyPackets(file), sync.length);
  });

  test('PT10S segments cut on CRA, RASL kept, each decodable alone', { skip: skipH265, timeout: 60_000 }, async (t) => {
    const segments = await record(t, fixturePath(fixture));
    checkSegments('h265', segments, 'cra', H265_GOP_S);
    for (const seg of segments) {
      const samples = videoSamples(new Uint8Array(Buffer.concat([readFileSync(seg.init.path), readFileSync(seg.path)])));
      // (a segment that starts on the looped clip's IDR has no leading pictures to keep)
      if (randomAccess('h265', samples[0]!.units) === 'cra')
        assert.ok(samples[1]!.units.some(isH265Rasl), 'the RASL pictures of the first CRA stay in the segment');
    }
  });
});
