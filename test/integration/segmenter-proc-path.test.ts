// A segmenter folder the kernel refuses level by level (a user's outputDirectoryPath under
// /proc/<pid>/) must fail at once. Node's recursive mkdir never returns there and spins a CPU,
// stalling every camera of the host; the segmenter now makes folders one level at a time. Run
// in a child process with a deadline, so the old behaviour fails the test instead of hanging it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';

const script = `
import { SegmentFiles } from './src/nodes/fmp4-segmenter/segment-files.ts';
const files = new SegmentFiles('/proc/1/mediagraph-never-made/seg'); // outside-path-ok: refused by the kernel, never written
await files.perform({ type: 'init', id: 'i1', bytes: new Uint8Array(100), codecs: [] });
await files.perform({ type: 'open-segment', sequence: 1, initId: 'i1', startWallClockMs: 1000, baseMediaDecodeTime: 0, afterDiscontinuity: false });
await files.perform({ type: 'append', sequence: 1, chunks: [new Uint8Array(1000)], byteLength: 1000 });
const closed = await files.perform({ type: 'close-segment', summary: { sequence: 1, initId: 'i1', startWallClockMs: 1000, endWallClockMs: 2000, mediaDurationMs: 1000, baseMediaDecodeTime: 0, afterDiscontinuity: false, byteSize: 1000, fragments: 1, tracks: [], reason: 'length' } });
console.log(JSON.stringify(closed));
`;

test('a segmenter folder under /proc is refused at once: the segment becomes a write-failed gap, nothing spins', {
  skip: process.platform === 'linux' ? false : 'needs /proc',
}, () => {
  const started = Date.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { timeout: 20_000, encoding: 'utf8' });
  assert.equal(r.signal, null, `still running after 20 s (spinning in mkdir): ${r.stderr}`);
  assert.equal(r.status, 0, r.stderr);
  const closed = JSON.parse(r.stdout.trim().split('\n').pop()!) as { kind: string; reason?: string; startWallClockMs: number; endWallClockMs: number };
  assert.deepEqual(closed, { kind: 'gap', startWallClockMs: 1000, endWallClockMs: 2000, reason: 'write-failed' });
  assert.ok(Date.now() - started < 20_000);
});
