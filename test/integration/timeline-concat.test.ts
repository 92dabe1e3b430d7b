// One decode timeline per asset (docs/architecture.md, Decode timeline). An asset recorded
// across two camera sessions (the line to the camera cut with the TCP proxy) and a recorder
// restart (the host closed and opened again on the same data folder): `cat` of its init and
// segments decodes with no timestamp error, decode times rise strictly and jump by the
// outages, every segment's tfdt is its wall-clock start since the Unix epoch, audio sits on
// the same clock. The playlist of the stopped recording, asked with an end time in the future,
// ends (EXT-X-ENDLIST): `ffmpeg -i <playlist> -c copy` finishes with the recorded span.
// Real parts: simulated camera at real time over RTSP, TCP proxy, host, Azurite, HTTP, ffmpeg.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaGraphHost } from '../../src/runtime/host.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';
import { scanFragments } from '../../src/media/mp4/read-fragments.ts';
import { readInitSegment } from '../../src/media/mp4/read-init.ts';
import { openRecorder, RECORDER_ASSET as ASSET } from './short-segment-recorder.ts';
import { get, serve } from './http-support.ts';
import { until } from '../helpers/until.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { ffmpegDecodeErrors, videoPacketDts } from '../helpers/recording-check.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Listed {
  readonly uri: string;
  readonly startMs: number;
  readonly seconds: number;
  readonly init: string;
  readonly discontinuity: boolean;
}

function parsePlaylist(text: string): Listed[] {
  const out: Listed[] = [];
  let init = '';
  let startMs = NaN;
  let seconds = NaN;
  let discontinuity = false;
  for (const line of text.trim().split('\n')) {
    if (line.startsWith('#EXT-X-MAP:URI="')) init = line.slice(16, -1);
    else if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) startMs = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) seconds = Number.parseFloat(line.slice(8));
    else if (!line.startsWith('#')) {
      out.push({ uri: line, startMs, seconds, init, discontinuity });
      discontinuity = false;
    }
  }
  return out;
}

function ffprobeDurationS(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8', timeout: 30_000 });
  return Number(r.stdout.trim());
}

test('two camera sessions and a recorder restart: one timeline, cat decodes, gaps are jumps, the stopped playlist ends', {
  skip: skipUnless(hasCommand('ffmpeg') && hasCommand('ffprobe'), 'ffmpeg/ffprobe'),
  timeout: 110_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-timeline-'));
  const azurite = await startAzurite();
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 1 });
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: camera.port });
  let host: MediaGraphHost | undefined;
  t.after(async () => {
    await host?.close();
    await proxy.close();
    await camera.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = join(dir, 'host');
  const cachePath = join(dir, 'cache');
  const rtspUrl = `rtsp://127.0.0.1:${proxy.port}${new URL(camera.url).pathname}`;
  const testStart = Date.now();
  let uploads = 0;
  const watch = (h: MediaGraphHost) =>
    h.events$.subscribe((e: GraphEvent) => {
      if (e.type === 'SegmentUploaded') uploads++;
    });

  // Session 1, then the line to the camera is cut for 2 s: the source reconnects (session 2).
  host = await openRecorder(dataDir, cachePath, rtspUrl, azurite.connectionString);
  let sub = watch(host);
  await until(() => uploads >= 2, 30_000, 'two segments of the first session');
  proxy.mode('reset');
  await sleep(2000);
  proxy.mode('pass');
  const afterCut = uploads;
  await until(() => uploads >= afterCut + 3, 30_000, 'segments of the second session');

  // Recorder restart: the host stops and opens again on the same data folder (it resumes the instance).
  sub.unsubscribe();
  await host.close();
  host = undefined;
  await sleep(1500);
  uploads = 0;
  host = await openRecorder(dataDir, cachePath, rtspUrl, azurite.connectionString);
  sub = watch(host);
  // the HTTP API serves while the instance records, as `serve` and `demo` run it
  const server = await serve(t, host, { playback: await BlobPlaybackSource.create(azurite.connectionString) });
  await until(() => uploads >= 2, 30_000, 'segments after the restart');
  await host.instanceDeactivate('cam1'); // drains the cache: everything recorded is stored
  sub.unsubscribe();

  // The stopped recording's playlist, asked up to an hour from now, ends.
  const base = `${server.url}/api/assets/${ASSET}`;
  const query = new URLSearchParams({ startTime: new Date(testStart - 60_000).toISOString(), endTime: new Date(Date.now() + 3_600_000).toISOString() });
  const playlistUrl = `${base}/playlist.m3u8?${query}`;
  const playlist = await (await get(playlistUrl)).text();
  assert.match(playlist, /#EXT-X-ENDLIST\n$/, playlist);
  const listed = parsePlaylist(playlist);
  assert.ok(listed.length >= 7, `${listed.length} segments`);
  assert.equal(new Set(listed.map((s) => s.init)).size, 1, 'one init segment for the whole asset');
  // the two outages are the playlist's discontinuities
  assert.ok(listed.filter((s) => s.discontinuity).length >= 2, playlist);

  const copied = join(dir, 'copied.mp4');
  const ff = await new Promise<{ code: number | null; stderr: string; ms: number }>((resolve) => {
    const t0 = performance.now();
    const p = spawn('ffmpeg', ['-nostdin', '-v', 'error', '-i', playlistUrl, '-c', 'copy', '-y', copied], { timeout: 30_000 });
    let stderr = '';
    p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    p.on('close', (code) => resolve({ code, stderr, ms: performance.now() - t0 }));
  });
  assert.equal(ff.code, 0, `ffmpeg -c copy of the playlist did not finish cleanly (${Math.round(ff.ms)} ms): ${ff.stderr}`);
  const first = listed[0]!;
  const last = listed.at(-1)!;
  const spanS = (last.startMs + last.seconds * 1000 - first.startMs) / 1000;
  const copiedS = ffprobeDurationS(copied);
  t.diagnostic(`ffmpeg -c copy took ${Math.round(ff.ms)} ms; ${copiedS.toFixed(2)} s copied, recorded span ${spanS.toFixed(2)} s, ${listed.length} segments`);
  assert.ok(Math.abs(copiedS - spanS) < 1, `copied ${copiedS} s, recorded from first start to last end ${spanS} s`);

  // cat init + all segments, in order
  const initBytes = Buffer.from(await (await get(`${base}/${first.init}`)).arrayBuffer());
  const segmentBytes: Buffer[] = [];
  for (const s of listed) segmentBytes.push(Buffer.from(await (await get(`${base}/${s.uri}`)).arrayBuffer()));
  const all = join(dir, 'all.mp4');
  writeFileSync(all, Buffer.concat([initBytes, ...segmentBytes]));
  assert.equal(ffmpegDecodeErrors(all), '', 'ffmpeg decodes init + every segment as one file without a message');

  // ffprobe: video decode times rise strictly; the jumps are the outages, as long as they were
  const dts = videoPacketDts(all);
  for (let i = 1; i < dts.length; i++) assert.ok(dts[i]! > dts[i - 1]!, `dts ${dts[i]} after ${dts[i - 1]} at packet ${i}`);
  const tracks = readInitSegment(new Uint8Array(initBytes));
  const video = tracks.find((x) => x.mediaType === 'video')!;
  const audio = tracks.find((x) => x.mediaType === 'audio')!;
  const jumpsS = dts
    .slice(1)
    .map((d, i) => (d - dts[i]!) / video.timescale)
    .filter((d) => d > 0.5);
  const holesS = listed
    .slice(1)
    .map((s, i) => (s.startMs - (listed[i]!.startMs + listed[i]!.seconds * 1000)) / 1000)
    .filter((h) => h > 0.5);
  t.diagnostic(`dts jumps ${jumpsS.map((j) => j.toFixed(2)).join(', ')} s; wall-clock holes ${holesS.map((h) => h.toFixed(2)).join(', ')} s`);
  assert.equal(jumpsS.length, holesS.length, 'one decode-time jump per hole in the recording');
  assert.ok(jumpsS.length >= 2, 'a jump at the reconnect and one at the restart');
  jumpsS.forEach((j, i) => assert.ok(Math.abs(j - holesS[i]! - 0.04) < 0.5, `jump ${j} s vs hole ${holesS[i]} s`));

  // every segment decodes at its wall-clock start since the epoch; its audio on the same clock
  listed.forEach((s, i) => {
    const fragments = scanFragments(new Uint8Array(segmentBytes[i]!)).fragments;
    const v = fragments[0]!.runs.find((r) => r.trackId === video.trackId)!;
    assert.ok(
      Math.abs(v.baseMediaDecodeTime / video.timescale - s.startMs / 1000) < 1,
      `${s.uri}: tfdt ${v.baseMediaDecodeTime / video.timescale} s vs start ${s.startMs / 1000} s`,
    );
    const a = fragments.flatMap((f) => f.runs).find((r) => r.trackId === audio.trackId);
    // (the first audio of a segment is within a few frames of its first video: audio that
    // arrived after the keyframe's flush, or after a session's first keyframe; the tracks are
    // placed by their own wall clocks, which before the camera's first sender report are arrival times)
    if (a)
      assert.ok(
        Math.abs(a.baseMediaDecodeTime / audio.timescale - v.baseMediaDecodeTime / video.timescale) < 0.25,
        `${s.uri}: audio at ${a.baseMediaDecodeTime / audio.timescale} s, video at ${v.baseMediaDecodeTime / video.timescale} s`,
      );
  });

  // mp4box.js reads the concatenation as one track each, decode times rising
  const parsed = inspectMp4(new Uint8Array(readFileSync(all)));
  const pv = parsed.find((x) => x.type === 'video')!;
  assert.equal(pv.samples.length, dts.length);
  for (let i = 1; i < pv.samples.length; i++) assert.ok(pv.samples[i]!.dts > pv.samples[i - 1]!.dts);
});
