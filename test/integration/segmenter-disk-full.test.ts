// The segmenter's files on a real, tiny tmpfs that fills up: with a reclaimer (the cache
// evicting its oldest segment) the write is retried and lands exactly once; without one the
// open segment is dropped whole (no .part, no truncated file) and the next one records.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, readdirSync, unlinkSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SegmentFiles } from '../../src/nodes/fmp4-segmenter/segment-files.ts';
import type { SegmentSummary } from '../../src/media/segmenter/actions.ts';

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version'], { stdio: 'ignore' }).status === 0;

function withTmpfs(t: { after(fn: () => void): void }, sizeKiB: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-full-'));
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${sizeKiB}k`, 'tmpfs', dir]);
  assert.equal(r.status, 0, r.stderr?.toString());
  t.after(() => {
    spawnSync('umount', [dir]);
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

/** Fills the file system until a write fails, leaving `leaveBytes` or less. */
function fill(dir: string, leaveBytes: number): string {
  const filler = join(dir, 'filler');
  const df = spawnSync('df', ['-B1', '--output=avail', dir]).stdout.toString().trim().split('\n').pop()!;
  writeFileSync(filler, Buffer.alloc(Math.max(0, Number(df) - leaveBytes)));
  return filler;
}

const summary = (sequence: number, byteSize: number): SegmentSummary => ({
  sequence,
  initId: 'i1',
  startWallClockMs: sequence * 1000,
  endWallClockMs: sequence * 1000 + 1000,
  mediaDurationMs: 1000,
  baseMediaDecodeTime: 0,
  afterDiscontinuity: false,
  byteSize,
  fragments: 1,
  tracks: [],
  reason: 'length',
});

const chunk = (n: number, fill: number) => new Uint8Array(n).fill(fill);

test('ENOSPC with a reclaimer: the fragment is written exactly once after space is freed', {
  skip: canMount ? false : 'needs root to mount a tmpfs',
}, async (t) => {
  const dir = withTmpfs(t, 1024);
  const filler = fill(dir, 64 * 1024);
  let reclaims = 0;
  const files = new SegmentFiles(join(dir, 'seg'), {
    reclaimSpace: async () => {
      reclaims++;
      if (!existsSync(filler)) return false;
      unlinkSync(filler);
      return true;
    },
  });
  await files.perform({ type: 'init', id: 'i1', bytes: chunk(500, 1), codecs: [] });
  await files.perform({ type: 'open-segment', sequence: 1, initId: 'i1', startWallClockMs: 1000, baseMediaDecodeTime: 0, afterDiscontinuity: false });
  await files.perform({ type: 'append', sequence: 1, chunks: [chunk(40_000, 2), chunk(40_000, 3)], byteLength: 80_000 });
  await files.perform({ type: 'append', sequence: 1, chunks: [chunk(30_000, 4)], byteLength: 30_000 });
  const msg = await files.perform({ type: 'close-segment', summary: summary(1, 110_000) });
  assert.ok(reclaims >= 1, 'space was asked for');
  assert.ok(msg?.kind === 'segment', 'the segment closed');
  const bytes = readFileSync(msg.path);
  assert.equal(bytes.length, 110_000, 'no duplicated or missing bytes after the retry');
  assert.equal(bytes[0], 2);
  assert.equal(bytes[40_000], 3);
  assert.equal(bytes[80_000], 4);
  assert.equal(msg.afterDiscontinuity, false);
});

test('ENOSPC and nothing to free: the segment is dropped whole, the next one records after a hole', {
  skip: canMount ? false : 'needs root to mount a tmpfs',
}, async (t) => {
  const dir = withTmpfs(t, 1024);
  const segDir = join(dir, 'seg');
  const dropped: string[] = [];
  const files = new SegmentFiles(segDir, { onDropped: ({ reason }) => void dropped.push(reason) });
  await files.perform({ type: 'init', id: 'i1', bytes: chunk(500, 1), codecs: [] });
  const filler = fill(dir, 16 * 1024);
  await files.perform({ type: 'open-segment', sequence: 1, initId: 'i1', startWallClockMs: 1000, baseMediaDecodeTime: 0, afterDiscontinuity: false });
  await files.perform({ type: 'append', sequence: 1, chunks: [chunk(60_000, 2)], byteLength: 60_000 });
  await files.perform({ type: 'append', sequence: 1, chunks: [chunk(10_000, 3)], byteLength: 10_000 });
  const lost = await files.perform({ type: 'close-segment', summary: summary(1, 70_000) });
  assert.equal(lost?.kind, 'gap', 'the dropped segment is a recorded gap');
  assert.equal(lost.kind === 'gap' && lost.reason, 'write-failed');
  assert.equal(dropped.length, 1);
  assert.match(dropped[0]!, /disk full/);
  assert.deepEqual(
    readdirSync(segDir).filter((f) => f.includes('.m4s')),
    [],
    'no .part or truncated segment left behind',
  );
  unlinkSync(filler); // space comes back
  await files.perform({ type: 'open-segment', sequence: 2, initId: 'i1', startWallClockMs: 2000, baseMediaDecodeTime: 0, afterDiscontinuity: false });
  await files.perform({ type: 'append', sequence: 2, chunks: [chunk(20_000, 5)], byteLength: 20_000 });
  const msg = await files.perform({ type: 'close-segment', summary: summary(2, 20_000) });
  assert.ok(msg?.kind === 'segment');
  assert.equal(readFileSync(msg.path).length, 20_000);
  // The hole is the write-failed gap above; the stream itself went on (no camera-lost discontinuity).
  assert.equal(msg.afterDiscontinuity, false);
});
