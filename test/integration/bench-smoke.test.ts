// Keeps bench/rtsp-ingest.ts from rotting: our side only (no ffmpeg), one stream, ~2 s of
// stream time, the load generator and the recorder as real child processes over loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
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
  const r = await measureOurs(load, 1, { file: DEFAULT_FILE, load: 'sim', windowSec: 2, warmupSec: 0, segmentSec: 10, checkFrames: true, source: 'session', outRoot });
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
