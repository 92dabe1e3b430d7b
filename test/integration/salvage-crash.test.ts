// Issue: a SIGKILL 50 s into a PT1M recording lost the ~47 s already written to the open
// segment (`….m4s.part`, never uploaded, never deleted). Now the next start closes it at its
// last whole fragment and uploads it: a crash loses at most the GOP that was still in memory.
// Real child process, real SIGKILL, real disk, real RTSP (sim camera at 5× speed), Azurite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { until } from '../helpers/until.ts';
import { filesUnder, startRecorder, storedSegments, timeLabelOf } from './salvage-harness.ts';

const SPEED = 5;
/** The fixture's keyframe interval. */
const GOP_S = 1;
/**
 * Measurement slack, in real time: the open segment is polled every 5 ms, and the recorder
 * may trail the camera by a few tens of ms on a loaded machine; 0.2 s covers both (1 s of media at 5×).
 */
const SLACK_REAL_S = 0.2;

/** Media seconds ffprobe reads from init + (possibly torn) fragments: an independent count of what was on disk. */
function ffprobeVideoSeconds(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=duration_time', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isFinite(n) && n > 0)
    .reduce((a, b) => a + b, 0);
}

test('SIGKILL mid-segment at PT1M: the next start uploads the open segment up to its last GOP, and leaves no file behind', {
  skip: skipUnless(hasCommand('ffprobe') && hasCommand('ffmpeg'), 'ffmpeg/ffprobe'),
  timeout: 90_000,
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'salvage-crash-'));
  const azurite = await startAzurite({ location: join(root, 'azurite') });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: SPEED });
  // One hook, in order: the disk-backed store must be closed before its folder goes.
  t.after(async () => {
    await camera.close();
    await azurite.close();
    rmSync(root, { recursive: true, force: true });
  });
  const data = join(root, 'data');
  const cache = join(root, 'cache');
  const args = [data, cache, camera.url, azurite.connectionString, 'PT1M'];

  // Run 1: recording, killed ~40 media seconds into its first (PT1M) segment.
  const first = startRecorder(args);
  await first.ready;
  let part: string | undefined;
  const findPart = (): string | undefined =>
    [...filesUnder(data).map((f) => join(data, f)), ...filesUnder(cache).map((f) => join(cache, f))].find((f) => f.endsWith('.m4s.part'));
  await until(() => (part = findPart()) !== undefined, 30_000, 'the open segment');
  const openedAt = performance.now();
  await new Promise((r) => setTimeout(r, (40 / SPEED) * 1000));
  first.kill('SIGKILL');
  const killedAt = performance.now();
  assert.equal((await first.exited).signal, 'SIGKILL');
  const recordedS = ((killedAt - openedAt) / 1000) * SPEED;

  // What was on disk at the kill, read by ffprobe (not our code).
  const partDir = dirname(part!);
  const init = readdirSync(partDir)
    .filter((f) => f.startsWith('init-'))
    .map((f) => join(partDir, f))[0];
  assert.ok(init, 'the init segment is beside the open segment');
  const joined = join(root, 'part-at-kill.mp4');
  writeFileSync(joined, Buffer.concat([readFileSync(init), readFileSync(part!)]));
  const onDiskS = ffprobeVideoSeconds(joined);
  const label = timeLabelOf(part!.split('/').pop()!);
  assert.ok(label !== undefined, `the open segment's name carries its start: ${part}`);

  // Run 2: starts on the same folders, uploads what it salvaged, then stops cleanly (drain).
  const second = startRecorder(args);
  await second.ready;
  await until(() => second.events.some((e) => e.type === 'SegmentUploaded'), 30_000, 'the salvaged segment uploaded');
  second.kill('SIGTERM');
  const end = await second.exited;
  assert.equal(end.code, 0, end.stderr);

  const stored = await storedSegments(azurite.connectionString, root);
  const salvaged = stored.find((s) => s.startMs === label);
  assert.ok(
    salvaged,
    `a stored segment starts at the open segment's start (${new Date(label!).toISOString()}); stored: ${stored.map((s) => s.name).join(', ')}`,
  );
  assert.equal(salvaged.decodeErrors, '', 'ffmpeg decodes the salvaged segment');
  t.diagnostic(`recorded ≈ ${recordedS.toFixed(1)} s, on disk at the kill ${onDiskS.toFixed(1)} s, stored ${salvaged.seconds.toFixed(1)} s`);
  assert.ok(
    salvaged.seconds >= recordedS - GOP_S - SLACK_REAL_S * SPEED,
    `stored ${salvaged.seconds.toFixed(2)} s of ${recordedS.toFixed(2)} s recorded: more than one GOP lost`,
  );
  assert.ok(salvaged.seconds >= onDiskS - 0.05, `every whole fragment on disk is kept (${salvaged.seconds} of ${onDiskS} s)`);
  // No orphan: nothing unfinished, temporary or unuploaded is left under the data or cache folders.
  const left = [...filesUnder(data), ...filesUnder(cache)].filter((f) => /\.part$|\.tmp$|\.m4s$|(^|\/)open\/./.test(f));
  assert.deepEqual(left, [], 'no leftover media files');
});
