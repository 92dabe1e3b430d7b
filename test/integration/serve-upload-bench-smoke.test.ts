// Keeps issue 17's bench from rotting: a short N = 20 run of bench/serve-upload.ts on the 360p
// clip — `mediagraph serve` in its own process with 20 instances set and activated through
// LVA's API, Azurite and the camera in their own processes, 20 ffmpeg recorders and the
// receive-only floor — checks that every figure comes out and that every instance's segments
// reached Blob Storage. No timing assertions: the machine may be busy.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runServeUpload, SD_FILE } from '../../bench/serve-upload.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

const finite = (n: number | undefined, what: string) => assert.ok(n !== undefined && Number.isFinite(n), `${what}: ${n}`);

test('serve-upload bench: 20 instances through serve record and upload; ffmpeg and the floor measured beside', {
  timeout: 120_000,
  skip: skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg/ffprobe'),
}, async () => {
  const [row] = await runServeUpload([20], {
    hdFile: SD_FILE,
    sdFile: SD_FILE,
    sdFrom: 1,
    warmupSec: 1,
    windowSec: 3,
    segmentLength: 'PT30S',
    sides: ['ours', 'ffmpeg', 'floor'],
    countFrames: true,
    fromSource: true,
    log: () => {},
  });
  assert.ok(row, 'one row');
  const { ours, ffmpeg, floor } = row;
  assert.ok(ours && ffmpeg && floor, 'all three sides measured');
  assert.deepEqual(ours.errors, []);
  assert.deepEqual(ffmpeg.errors, []);
  assert.deepEqual(floor.errors, []);
  for (const [what, v] of Object.entries({
    'ours CPU': ours.cpuPerStreamMinute,
    'ffmpeg CPU': ffmpeg.cpuPerStreamMinute,
    'floor CPU': floor.cpuPerStreamMinute,
    ratio: row.ratio,
    'RSS per stream': ours.rssPerStreamMiB,
    activation: ours.activationMs,
    'event-loop p99': ours.eventLoopDelayMs.p99,
    'upload delay': ours.storage.maxUploadDelayMs,
  }))
    finite(v, what);
  assert.ok(ours.cpuPerStreamMinute > 0 && ffmpeg.cpuPerStreamMinute > 0 && floor.cpuPerStreamMinute > 0);
  // deactivation cut and uploaded each instance's open segment: all 20 assets hold media
  assert.equal(ours.storage.assetsWithSegments, 20, JSON.stringify(ours.storage));
  assert.ok(ours.storage.segments >= 20);
  assert.ok(ours.storage.videoFrames >= 20 * 25, `frames ${ours.storage.videoFrames}`);
  finite(ours.storage.missingFrames, 'missing frames');
});
