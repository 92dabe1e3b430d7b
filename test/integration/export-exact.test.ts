// Issue 16's exact export, end to end: the simulated camera records through the real pipeline
// (RTSP → segmenter → durable cache → asset sink) into a local-folder store with 2 s segments;
// `mediagraph export` then cuts a window in the middle of a run and a window across a gap.
// Checked from outside: ffprobe (duration, first presented frame, metadata), the top-level
// boxes (moov before mdat), `ffmpeg -v error` decoding in silence, mp4box.js parsing, and the
// first shown frame being the very frame recorded at --from (framemd5 against the stored fragments).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { openRecorder, RECORDER_ASSET } from './short-segment-recorder.ts';
import { until } from '../helpers/until.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { ffmpegDecode, inspectMp4 } from '../helpers/mp4-inspect.ts';
import { readBoxHeader } from '../../src/media/mp4/box-reader.ts';

const FRAME_S = 1 / 25; // the fixture's frame rate
const nameTime = (ms: number) => new Date(ms).toISOString().replaceAll(':', '-');

interface StoredSegment {
  name: string;
  startMs: number;
  endMs: number;
  initId: string;
}

function storedSegments(assetDir: string): StoredSegment[] {
  const dir = join(assetDir, 'segments');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => n.endsWith('.m4s'))
    .sort()
    .flatMap((name) => {
      try {
        const m = JSON.parse(readFileSync(join(dir, `${name}.json`), 'utf8')) as { start: string; end: string; initid: string };
        return [{ name, startMs: Date.parse(m.start), endMs: Date.parse(m.end), initId: m.initid }];
      } catch {
        return []; // metadata not written yet
      }
    });
}

function exportCli(storeRoot: string, args: string[]) {
  return spawnSync(process.execPath, ['bin/mediagraph.js', 'export', '--asset', RECORDER_ASSET, '--store', `file:${storeRoot}`, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
  });
}

function topLevelBoxes(bytes: Uint8Array): string[] {
  const types: string[] = [];
  for (let at = 0; at < bytes.length; ) {
    const b = readBoxHeader(bytes, at);
    if (!b) throw new Error(`box cut short at ${at}`);
    types.push(b.type);
    at = b.end;
  }
  return types;
}

function probe(path: string): { duration: number; date?: string; creation?: string; firstVideoPts: number } {
  const f = JSON.parse(spawnSync('ffprobe', ['-v', 'error', '-show_format', '-of', 'json', path], { encoding: 'utf8' }).stdout) as {
    format: { duration: string; tags?: Record<string, string> };
  };
  const first = framePts(path)[0];
  if (first === undefined || Number.isNaN(first)) throw new Error(`${path}: no presented video frame`);
  return { duration: Number(f.format.duration), date: f.format.tags?.['date'], creation: f.format.tags?.['creation_time'], firstVideoPts: first };
}

/** Each decoded video frame's pts (in the stream's own time base, timestamps kept as stored) and md5. */
function frameMd5s(path: string): { pts: number; md5: string }[] {
  const r = spawnSync(
    'ffmpeg',
    ['-nostdin', '-v', 'error', '-copyts', '-i', path, '-map', '0:v', '-fps_mode', 'passthrough', '-enc_time_base:v', '-1', '-f', 'framemd5', '-'],
    { encoding: 'utf8', maxBuffer: 64 << 20 },
  );
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const cols = l.split(',').map((c) => c.trim());
      return { pts: Number(cols[2]), md5: cols.at(-1)! };
    });
}

/** Presentation times (s) of the decoded video frames of a file, as ffprobe reports them. */
function framePts(path: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v', '-show_entries', 'frame=pts_time', '-of', 'csv=p=0', path], {
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  });
  // A frame without a timestamp keeps its place (NaN) so indexes match framemd5's lines.
  return r.stdout
    .trim()
    .split('\n')
    .map((l) => (l.split(',')[0] ? Number(l.split(',')[0]) : Number.NaN));
}

test('export cuts to the frame, writes moov-first .mp4 files named by start time and lists the gaps', {
  skip: skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg'),
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-export-exact-'));
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4' });
  t.after(async () => {
    await camera.close();
    if (!process.env['MG_KEEP']) rmSync(root, { recursive: true, force: true });
  });
  const storeRoot = join(root, 'assets');
  const assetDir = join(storeRoot, RECORDER_ASSET);
  const host = await openRecorder(join(root, 'data'), join(root, 'cache'), camera.url, `file:${storeRoot}`);
  try {
    await until(() => storedSegments(assetDir).length >= 4, 30_000, 'four stored segments');
    await host.instanceDeactivate('cam1');
    const firstRun = storedSegments(assetDir).length;
    await new Promise((r) => setTimeout(r, 2500)); // a gap of 2.5 s in the recording
    await host.instanceActivate('cam1');
    await until(
      () =>
        storedSegments(assetDir)
          .slice(firstRun)
          .some((s) => s.endMs - s.startMs >= 1900),
      30_000,
      'a whole segment after the gap',
    );
    await host.instanceDeactivate('cam1');
  } finally {
    await host.close();
  }
  const segments = storedSegments(assetDir);
  const gapAt = segments.findIndex((s, i) => i > 0 && s.startMs - segments[i - 1]!.endMs > 1000);
  assert.ok(gapAt >= 4, `a gap after the first run: ${JSON.stringify(segments)}`);

  // 1. A window in the middle of the first run, starting between keyframes (they are 1 s apart).
  const from = segments[1]!.startMs + 1300;
  const to = segments[3]!.startMs + 500;
  const out = join(root, 'out');
  const r = exportCli(storeRoot, ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--out', out, '--json']);
  assert.equal(r.status, 0, r.stderr);
  // Named after its first presented instant: the frame on screen at --from, so at most one frame earlier.
  const named = readdirSync(out).filter((n) => n.endsWith('.mp4'));
  assert.equal(named.length, 1, named.join(', '));
  const startMs = Date.parse(named[0]!.slice(RECORDER_ASSET.length + 1, -4).replace(/T(\d\d)-(\d\d)-/, 'T$1:$2:'));
  assert.equal(named[0], `${RECORDER_ASSET}_${nameTime(startMs)}.mp4`);
  assert.ok(startMs <= from && from - startMs < 1000 * FRAME_S, `${named[0]} starts within the frame before --from ${new Date(from).toISOString()}`);
  const file = join(out, named[0]!);
  const summary = JSON.parse(r.stdout) as { files: { path: string; start: string }[]; gaps: unknown[] };
  assert.deepEqual(
    summary.files.map((f) => f.path),
    [file],
  );
  assert.deepEqual(summary.gaps, []);
  const bytes = readFileSync(file);
  const boxes = topLevelBoxes(bytes);
  assert.ok(boxes.indexOf('moov') >= 0 && boxes.indexOf('moov') < boxes.indexOf('mdat'), `moov before mdat: ${boxes.join(' ')}`);
  assert.ok(!boxes.includes('moof'), `not fragmented: ${boxes.join(' ')}`);
  const p = probe(file);
  assert.ok(Math.abs(p.duration - (to - from) / 1000) <= FRAME_S + 1e-3, `duration ${p.duration} s for a window of ${(to - from) / 1000} s`);
  assert.ok(Math.abs(p.firstVideoPts) <= FRAME_S, `first presented frame at ${p.firstVideoPts} s`);
  assert.equal(p.date, new Date(startMs).toISOString(), 'the start time in the metadata (©day)');
  assert.equal(Date.parse(p.creation!), Math.floor(startMs / 1000) * 1000, 'mvhd creation time');
  assert.deepEqual(ffmpegDecode(file), { status: 0, stderr: '' });
  const tracks = inspectMp4(bytes);
  assert.deepEqual(tracks.map((x) => x.type).sort(), ['audio', 'video']);
  assert.ok(tracks.every((x) => x.samples.length > 0));

  // The first frame shown is the frame recorded at --from: compare it with the stored fragments.
  const raw = join(root, 'raw.mp4');
  const run = segments.slice(0, gapAt);
  writeFileSync(
    raw,
    Buffer.concat([readFileSync(join(assetDir, 'init', `${run[0]!.initId}.mp4`)), ...run.map((s) => readFileSync(join(assetDir, 'segments', s.name)))]),
  );
  const rawFrames = frameMd5s(raw); // pts in 1/90000 s since the Unix epoch, as recorded
  const atFrom = rawFrames.findLastIndex((f) => f.pts <= from * 90);
  assert.ok(
    atFrom > 0 && from * 90 - rawFrames[atFrom]!.pts < 90_000 * FRAME_S,
    `a stored frame at --from (${from * 90}): ${JSON.stringify(rawFrames.slice(0, 2))}`,
  );
  assert.ok(
    Math.abs(rawFrames[atFrom]!.pts - startMs * 90) < 90,
    `the file is named after the pts of the frame on screen at --from (to the ms): ${rawFrames[atFrom]!.pts} vs ${startMs * 90}`,
  );
  const exported = frameMd5s(file);
  assert.equal(exported[0]!.md5, rawFrames[atFrom]!.md5, 'the first exported frame is the one recorded at --from');
  const last = rawFrames.findLastIndex((f) => f.pts < to * 90);
  assert.ok(Math.abs(exported.length - (last - atFrom + 1)) <= 1, `${exported.length} frames exported, ${last - atFrom + 1} recorded in the window`);

  // An existing file is kept unless --force.
  const again = exportCli(storeRoot, ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--out', out]);
  assert.equal(again.status, 1);
  assert.match(again.stderr, /already exists \(use --force/);
  assert.equal(exportCli(storeRoot, ['--from', new Date(from).toISOString(), '--to', new Date(to).toISOString(), '--out', out, '--force']).status, 0);

  // 2. Across the gap: two files, each named after its first presented instant, and the gap listed.
  const gapFrom = segments[gapAt - 1]!.endMs - 1500;
  const gapTo = segments[gapAt]!.startMs + 1500;
  const out2 = join(root, 'across');
  mkdirSync(out2);
  const r2 = exportCli(storeRoot, ['--from', new Date(gapFrom).toISOString(), '--to', new Date(gapTo).toISOString(), '--out', out2]);
  assert.equal(r2.status, 0, r2.stderr);
  const mp4s = readdirSync(out2)
    .filter((n) => n.endsWith('.mp4'))
    .sort();
  assert.equal(mp4s.length, 2, mp4s.join(', '));
  const firstStart = Date.parse(mp4s[0]!.slice(RECORDER_ASSET.length + 1, -4).replace(/T(\d\d)-(\d\d)-/, 'T$1:$2:'));
  assert.ok(firstStart <= gapFrom && gapFrom - firstStart < 1000 * FRAME_S, `${mp4s[0]} starts at --from`);
  const secondStart = Date.parse(mp4s[1]!.slice(RECORDER_ASSET.length + 1, -4).replace(/T(\d\d)-(\d\d)-/, 'T$1:$2:'));
  assert.ok(
    Math.abs(secondStart - segments[gapAt]!.startMs) <= 1000 * FRAME_S,
    `second file starts at the run's start: ${mp4s[1]} vs ${new Date(segments[gapAt]!.startMs).toISOString()}`,
  );
  assert.match(r2.stderr, /gap \S+ – \S+ \(\d+\.\d+ s/);
  const sidecar = JSON.parse(readFileSync(join(out2, `${RECORDER_ASSET}_${nameTime(gapFrom)}.export.json`), 'utf8')) as {
    files: unknown[];
    gaps: { start: string; end: string }[];
  };
  assert.equal(sidecar.files.length, 2);
  assert.equal(sidecar.gaps.length, 1);
  assert.ok(
    Math.abs(Date.parse(sidecar.gaps[0]!.start) - segments[gapAt - 1]!.endMs) <= 100,
    `gap starts at the end of the first run: ${JSON.stringify(sidecar.gaps)}`,
  );
  assert.ok(
    Math.abs(Date.parse(sidecar.gaps[0]!.end) - segments[gapAt]!.startMs) <= 100,
    `gap ends at the start of the second: ${JSON.stringify(sidecar.gaps)}`,
  );
  for (const n of mp4s) assert.deepEqual(ffmpegDecode(join(out2, n)), { status: 0, stderr: '' }, n);

  // 3. From before the recording began: the file starts at the first frame, the time before is a gap.
  const early = segments[0]!.startMs - 3000;
  const r3 = exportCli(storeRoot, [
    '--from',
    new Date(early).toISOString(),
    '--to',
    new Date(segments[0]!.startMs + 1000).toISOString(),
    '--out',
    join(root, 'early'),
    '--json',
  ]);
  assert.equal(r3.status, 0, r3.stderr);
  const s3 = JSON.parse(r3.stdout) as { files: { start: string }[]; gaps: { start: string; end: string }[] };
  assert.equal(s3.files.length, 1);
  assert.ok(Math.abs(Date.parse(s3.files[0]!.start) - segments[0]!.startMs) <= 1000 * FRAME_S, JSON.stringify(s3));
  assert.deepEqual(
    s3.gaps.map((g) => g.start),
    [new Date(early).toISOString()],
  );
});
