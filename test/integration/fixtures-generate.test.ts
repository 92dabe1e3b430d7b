// Media fixtures come from the repository's own recipes (scripts/fixtures/recipes.ts): several
// test processes asking for one clip at once share a single encode and never see a partial
// file; a changed recipe regenerates; without ffmpeg the answer is a clear skip (a failure
// under MEDIAGRAPH_REQUIRE_TOOLS=1); and the generated clips have the properties the tests
// that play them count on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fixturePath } from '../helpers/fixtures.ts';
import { loadFixture } from '../unit/rtp-mp4-fixtures.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const GENERATING = /generating media fixture/g;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

function probe(file: string, entries: string): string[] {
  const r = spawnSync('ffprobe', ['-v', 'error', ...entries.split(' '), '-of', 'csv=p=0', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout.trim().split('\n');
}

const ffmpeg = skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg and ffprobe');

test('three processes asking at once share one encode; a changed recipe regenerates', { skip: ffmpeg, timeout: 120_000 }, async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'mg-fixture-cache-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const env = { ...process.env, MEDIAGRAPH_FIXTURE_CACHE: cache };
  const runs = await Promise.all([1, 2, 3].map(() => run(['scripts/make-fixtures.ts', 'h264-360p-aac'], env)));
  for (const r of runs) assert.equal(r.code, 0, r.stderr);
  assert.equal(
    runs
      .map((r) => r.stderr)
      .join('')
      .match(GENERATING)?.length,
    1,
    runs.map((r) => r.stderr).join('\n'),
  );
  // nothing half-written or locked is left behind
  assert.deepEqual(readdirSync(cache).sort(), ['h264-360p-aac.mp4', 'h264-360p-aac.mp4.recipe']);
  const file = join(cache, 'h264-360p-aac.mp4');
  assert.deepEqual(probe(file, '-select_streams v:0 -count_packets -show_entries stream=nb_read_packets'), ['250']);

  writeFileSync(join(cache, 'h264-360p-aac.mp4.recipe'), '["an older recipe"]\n');
  const stale = await run(['scripts/make-fixtures.ts', 'h264-360p-aac'], env);
  assert.equal(stale.code, 0, stale.stderr);
  assert.equal(stale.stderr.match(GENERATING)?.length, 1, 'a stale clip is made again');
});

test('without ffmpeg: committed clips still work, generated ones skip with a clear message, CI fails', async (t) => {
  const cache = mkdtempSync(join(tmpdir(), 'mg-fixture-cache-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const env: NodeJS.ProcessEnv = { ...process.env, PATH: join(cache, 'no-programs-here'), MEDIAGRAPH_FIXTURE_CACHE: cache };
  delete env['MEDIAGRAPH_REQUIRE_TOOLS']; // set below where wanted (CI sets it for this process too)
  const helpers = new URL('../helpers/fixtures.ts', import.meta.url).href;
  const script = `import { fixturePath, fixtureSkip } from '${helpers}';
    console.log(JSON.stringify({ committed: fixturePath('h264-main-aac'), skip: fixtureSkip('h265-360p') }));`;
  const r = await run(['--input-type=module', '-e', script], env);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { committed: string; skip: string };
  assert.equal(out.committed, join(ROOT, 'test/fixtures/media/h264-main-aac.mp4'));
  assert.match(out.skip, /^ffmpeg \(to generate h265-360p\.mp4\) not installed \(run scripts\/install-media-tools\.sh\)$/);

  const ci = await run(['--input-type=module', '-e', script], { ...env, MEDIAGRAPH_REQUIRE_TOOLS: '1' });
  assert.notEqual(ci.code, 0);
  assert.match(ci.stderr, /required tool missing: ffmpeg \(to generate h265-360p\.mp4\)/);

  const direct = await run(['scripts/make-fixtures.ts', 'h265-360p'], env);
  assert.equal(direct.code, 1);
  assert.match(direct.stderr, /media fixture h265-360p\.mp4 is generated with ffmpeg, which is not installed/);
});

test('the generated clips have what the tests playing them count on', { skip: ffmpeg, timeout: 120_000 }, () => {
  const expect = {
    'h264-360p-aac': { video: 'h264,Main,640,360', audio: true },
    'h265-360p': { video: 'hevc,Main,640,360', audio: false },
    'h264-1080p-aac': { video: 'h264,High,1920,1080', audio: true },
  } as const;
  for (const [name, e] of Object.entries(expect)) {
    const file = fixturePath(name);
    assert.deepEqual(
      probe(file, '-select_streams v:0 -show_entries stream=codec_name,profile,width,height,r_frame_rate,has_b_frames'),
      [`${e.video},2,25/1`],
      name,
    );
    assert.deepEqual(probe(file, '-select_streams a:0 -show_entries stream=codec_name,profile,sample_rate,channels'), [e.audio ? 'aac,LC,48000,2' : ''], name);
    // 10 s at 25 fps, a keyframe every 50 frames (2 s) and nowhere else, B-frames (pts ≠ dts)
    const video = loadFixture(name).find((x) => x.width !== undefined)!;
    assert.equal(video.samples.length, 250, name);
    const first = video.samples[0]!.cts;
    const keys = video.samples.flatMap((x) => (x.isSync ? [Math.round(((x.cts - first) / video.timescale) * 25)] : []));
    assert.deepEqual(keys, [0, 50, 100, 150, 200], `${name}: keyframes at frames ${keys.join(' ')}`);
    assert.ok(
      video.samples.some((x) => x.cts !== x.dts),
      `${name}: B-frames`,
    );
    const audio = loadFixture(name).find((x) => x.audioSpecificConfig !== undefined);
    if (audio) assert.ok(Math.abs((audio.samples.length * 1024) / 48000 - 10) < 0.1, `${name}: ${audio.samples.length} AAC frames`);
  }
});
