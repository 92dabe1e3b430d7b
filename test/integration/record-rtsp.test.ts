// End to end without a host: RTSP (our simulated camera, and GStreamer's server we did not
// write, quirks included) → RtspSource → Fmp4Segmenter → files, through `mediagraph record`.
// Every segment is decoded by ffmpeg, its DTS checked by ffprobe, its first sample by mp4box.js.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/control/cli/main.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { hasCommand, hasGstRtspServer, skipUnless } from '../helpers/tools.ts';
import { startGstRtspServer } from '../helpers/gst-server.ts';
import { checkRecordingFolder } from '../helpers/recording-check.ts';

async function record(url: string, dir: string, seconds: number, segmentLength: string): Promise<{ code: number; lines: string[]; errors: string[] }> {
  const lines: string[] = [];
  const errors: string[] = [];
  const code = await main(['record', url, '--out', dir, '--segment-length', segmentLength, '--for', String(seconds)], {
    out: (l) => lines.push(l),
    err: (l) => errors.push(l),
  });
  return { code, lines, errors };
}

function assertClean(dir: string, minSegments: number): void {
  const reports = checkRecordingFolder(dir);
  assert.ok(reports.length >= minSegments, `expected ≥ ${minSegments} segments, got ${reports.length}`);
  for (const r of reports) {
    assert.equal(r.decodeErrors, '', `${r.file}: ffmpeg reported errors`);
    assert.ok(r.videoPackets > 0, `${r.file}: no video`);
    assert.equal(r.nonMonotonicDts, 0, `${r.file}: DTS not strictly increasing`);
    assert.ok(r.firstVideoSampleIsSync, `${r.file}: does not start on a keyframe`);
  }
}

const ffmpegMissing = skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg/ffprobe');

describe('record from the simulated camera', () => {
  test('H.264 Main with B-frames + AAC: segments cut on keyframes, contiguous, decodable', { skip: ffmpegMissing }, async (t) => {
    const cam = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 4 });
    const dir = mkdtempSync(join(tmpdir(), 'mg-record-'));
    t.after(async () => {
      await cam.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const r = await record(cam.url, dir, 3, 'PT2S');
    assert.equal(r.code, 0, r.errors.join('\n'));
    const rows = r.lines.map((l) => l.split('\t'));
    assert.ok(rows.length >= 4, r.lines.join('\n'));
    // names sort by time and never repeat
    const names = rows.map((c) => c[0]!);
    assert.deepEqual([...names].sort(), names);
    assert.equal(new Set(names).size, names.length);
    // every closed segment but the last holds ≥ 2 s of media (cut on the next keyframe)
    for (const c of rows.slice(0, -1)) assert.ok(parseFloat(c[1]!) >= 2, c.join(' '));
    assertClean(dir, rows.length);
  });

  test('H.265: decodable segments', { skip: ffmpegMissing }, async (t) => {
    const cam = await startSimulatedCamera({ file: 'test/fixtures/media/h265-main.mp4', speed: 4 });
    const dir = mkdtempSync(join(tmpdir(), 'mg-record-'));
    t.after(async () => {
      await cam.close();
      rmSync(dir, { recursive: true, force: true });
    });
    const r = await record(cam.url, dir, 2.5, 'PT2S');
    assert.equal(r.code, 0, r.errors.join('\n'));
    assertClean(dir, 3);
  });

  test('a URL that is not rtsp:// is refused at once', async () => {
    const r = await record('http://user:pw-secret@127.0.0.1:1/x', join(tmpdir(), 'mg-never-written'), 1, 'PT2S');
    assert.equal(r.code, 2);
    assert.ok(!r.errors.join('\n').includes('pw-secret'));
  });
});

describe("record from GStreamer's RTSP server (an independent peer)", () => {
  const skip = ffmpegMissing || skipUnless(hasGstRtspServer() && hasCommand('gst-inspect-1.0', ['x264enc']), 'GStreamer RTSP server with x264enc');
  test('the /slices quirk (4 slices a frame, SPS/PPS before each IDR slice) and H.265 record clean', { skip }, async (t) => {
    const gst = await startGstRtspServer();
    const dirs = [mkdtempSync(join(tmpdir(), 'mg-gst-')), mkdtempSync(join(tmpdir(), 'mg-gst-'))];
    t.after(async () => {
      await gst.close();
      for (const d of dirs) rmSync(d, { recursive: true, force: true });
    });
    const [slices, h265] = await Promise.all([record(`${gst.baseUrl}/slices`, dirs[0]!, 4.5, 'PT1S'), record(`${gst.baseUrl}/h265`, dirs[1]!, 4.5, 'PT1S')]);
    assert.equal(slices.code, 0, slices.errors.join('\n'));
    assert.equal(h265.code, 0, h265.errors.join('\n'));
    assertClean(dirs[0]!, 2);
    assertClean(dirs[1]!, 2);
  });
});
