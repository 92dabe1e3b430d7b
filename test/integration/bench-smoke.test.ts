// Keeps the benches from rotting. rtsp-ingest: our side only (no ffmpeg), one stream, ~2 s of
// stream time, the load generator and the recorder as real child processes over loopback.
// upload-drain: a 3 MiB backlog, one round.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_FILE, measureOurs, missingFrames, startLoad } from '../../bench/rtsp-ingest.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

test('missingFrames counts frames short of the GOP length between keyframes', () => {
  const gop = (n: number) => [true, ...Array<boolean>(n - 1).fill(false)];
  assert.equal(missingFrames([...gop(5), ...gop(5), true], 5), 0);
  assert.equal(missingFrames([...gop(5), ...gop(3), true], 5), 2);
  // frames before the first keyframe and after the last one are not a complete GOP
  assert.equal(missingFrames([false, false, ...gop(5), true, false], 5), 0);
});

test('rtsp-ingest measures our recorder on one live stream', { timeout: 30_000, skip: skipUnless(hasCommand('ffprobe'), 'ffprobe') }, async (t) => {
  const outRoot = mkdtempSync(join(tmpdir(), 'bench-smoke-'));
  t.after(() => rmSync(outRoot, { recursive: true, force: true }));
  const load = await startLoad('sim', DEFAULT_FILE);
  t.after(() => load.close());
  const r = await measureOurs(load, 1, {
    file: DEFAULT_FILE,
    load: 'sim',
    windowSec: 2,
    warmupSec: 0,
    segmentSec: 10,
    checkFrames: true,
    source: 'session',
    outRoot,
  });
  assert.deepEqual(r.errors, []);
  assert.equal(r.side, 'ours');
  assert.ok(r.windowSec >= 2 && r.windowSec < 4, `window ${r.windowSec}`);
  assert.ok(r.cpuPerStreamSec > 0 && r.cpuPerStreamSec < 1, `cpu ${r.cpuPerStreamSec}`);
  assert.ok(r.rssTotalMiB > 10, `rss ${r.rssTotalMiB}`);
  // ~4.3 Mbit/s in ≤ 1200-byte payloads is ~450 packets/s
  assert.ok((r.rtpPackets ?? 0) > 500, `rtp packets ${r.rtpPackets}`);
  assert.equal(r.lostPackets, 0);
  assert.equal(r.serverDroppedPackets, 0);
  assert.ok(r.frameCheck !== undefined);
  assert.ok(r.frameCheck.frames >= 50, `frames ${r.frameCheck.frames}`);
  assert.equal(r.frameCheck.missing, 0);
  assert.equal(r.frameCheck.unreadable, 0);
  assert.ok((r.frameCheck.realtimeRatio ?? 0) > 0.8, `real time ${r.frameCheck.realtimeRatio}`);
});

test('upload-drain drains a small backlog through the real nodes against Azurite in its own process', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'bench-smoke-drain-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const json = join(dir, 'out.json');
  const script = fileURLToPath(new URL('../../bench/upload-drain.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, '--sizes', '0.25x12', '--rounds', '1', '--latency-segments', '5', '--json', json], {
    encoding: 'utf8',
    timeout: 80_000,
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(readFileSync(json, 'utf8')) as {
    sizes: { segments: number; ratio: number; raw: { mibPerS: number }; sink: { mibPerS: number; runs: { serverCpuMs: number }[] } }[];
    recovery10kMs: number;
    closeToUploadMs: { p95: number };
  };
  assert.equal(out.sizes.length, 1);
  const size = out.sizes[0]!;
  assert.equal(size.segments, 12);
  assert.ok(size.raw.mibPerS > 0 && size.sink.mibPerS > 0, 'both sides uploaded');
  assert.ok(Number.isFinite(size.ratio) && size.ratio > 0);
  assert.ok(
    size.sink.runs.every((run) => run.serverCpuMs > 0),
    'the server process did the storing',
  );
  assert.ok(out.recovery10kMs > 0 && out.recovery10kMs < 10_000, `recovery ${out.recovery10kMs} ms`);
  assert.ok(Number.isFinite(out.closeToUploadMs.p95), 'every segment started uploading');
});
