// Bench: the file system work of one segment, from the segmenter's first fragment to the
// cache's delete after upload (no network): SegmentFiles writes in the cache's workspace,
// DurableSegmentCache.add takes it, markUploaded removes it. Run it under strace twice with
// different counts; the difference divided by the extra segments is the cost of one segment:
//   strace -f -c -o a.txt node --import tsx bench/segment-syscalls.ts --segments 20
//   strace -f -c -o b.txt node --import tsx bench/segment-syscalls.ts --segments 220
// Without strace it prints the wall and CPU time per segment.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableSegmentCache } from '../src/storage/cache/index.ts';
import { SegmentFiles } from '../src/nodes/fmp4-segmenter/segment-files.ts';
import { workspaceOf } from '../src/nodes/durable-cache/recovery-log.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): number => {
  const i = args.indexOf(`--${name}`);
  return Number(i >= 0 && args[i + 1] !== undefined ? args[i + 1] : dflt);
};
const SEGMENTS = opt('segments', '100');
/** Fragments (GOPs) per segment and bytes per fragment: 30 s of 2 s GOPs at ~4 Mbit/s by default. */
const FRAGMENTS = opt('fragments', '15');
const FRAGMENT_BYTES = opt('fragment-bytes', '1000000');
const T0 = Date.UTC(2026, 0, 1);
/** `--no-fsync`: the cache's journal and folder fsyncs off (the segment file's stays), to see what they cost. */
const FSYNC = !args.includes('--no-fsync');

const root = mkdtempSync(join(tmpdir(), 'bench-segsys-'));
try {
  const cache = await DurableSegmentCache.open(join(root, 'cache'), { maxBytes: 4 * 1024 ** 3, fsync: FSYNC });
  const files = new SegmentFiles(join(root, 'unused'), { workspace: Promise.resolve(workspaceOf(cache, (w) => void w())) });
  const fragment = [Buffer.alloc(120, 1), Buffer.alloc(FRAGMENT_BYTES - 120, 2)];
  const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.640028', sampleCount: 60, durationMs: 2000 }];
  await files.perform({ type: 'init', id: 'abc123', bytes: Buffer.alloc(700, 3), codecs: ['avc1.640028'] });
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 1; s <= SEGMENTS; s++) {
    const start = T0 + (s - 1) * 30_000;
    await files.perform({ type: 'open-segment', sequence: s, initId: 'abc123', startWallClockMs: start, baseMediaDecodeTime: 0, afterDiscontinuity: false });
    for (let f = 0; f < FRAGMENTS; f++) await files.perform({ type: 'append', sequence: s, chunks: fragment, byteLength: FRAGMENT_BYTES });
    const closed = await files.perform({
      type: 'close-segment',
      summary: {
        sequence: s,
        initId: 'abc123',
        startWallClockMs: start,
        endWallClockMs: start + 30_000,
        mediaDurationMs: 30_000,
        baseMediaDecodeTime: 0,
        afterDiscontinuity: false,
        byteSize: FRAGMENTS * FRAGMENT_BYTES,
        fragments: FRAGMENTS,
        tracks,
        reason: 'length',
      },
    });
    if (closed?.kind !== 'segment') throw new Error(`segment ${s} was not written`);
    const added = await cache.add(closed);
    if (!added.accepted) throw new Error(`segment ${s} was not cached`);
    const pending = await cache.nextPending();
    if (pending) await cache.markUploaded(pending.id);
  }
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(c0);
  await cache.close();
  console.log(
    `${SEGMENTS} segments of ${FRAGMENTS} × ${FRAGMENT_BYTES} bytes: ${(wall / SEGMENTS).toFixed(2)} ms wall, ${((cpu.user + cpu.system) / 1000 / SEGMENTS).toFixed(2)} ms CPU per segment`,
  );
} finally {
  rmSync(root, { recursive: true, force: true });
}
