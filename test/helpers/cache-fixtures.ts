// Segment files for cache and sink tests: the cache never parses media, so any bytes do.
// Each file's content encodes its index, so a test can tell a corrupt or swapped file.
import { writeFileSync, mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import type { SegmentMessage } from '../../src/types/segment.ts';

export function tempDir(t: { after(fn: () => unknown): void }, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** Bytes for segment `k`: a 16-byte header with k, then a pattern derived from k. */
export function segmentBytes(k: number, size: number): Buffer {
  const b = Buffer.alloc(size);
  b.write(`SEG${String(k).padStart(12, '0')}|`, 0, 'latin1');
  for (let i = 16; i < size; i++) b[i] = (k * 31 + i) & 0xff;
  return b;
}

/** Returns k if `b` is an intact segment written by segmentBytes, else -1. */
export function checkSegmentBytes(b: Buffer): number {
  const m = /^SEG(\d{12})\|/.exec(b.toString('latin1', 0, 16));
  if (!m) return -1;
  const k = Number(m[1]);
  for (let i = 16; i < b.length; i++) if (b[i] !== ((k * 31 + i) & 0xff)) return -1;
  return k;
}

export interface FixtureOptions {
  readonly size?: number;
  readonly durationMs?: number;
  readonly t0?: number;
  readonly initId?: string;
  readonly initSize?: number;
}

/** Writes segment k (and its init, if missing) into `srcDir` and describes it. */
export function writeSegment(srcDir: string, k: number, o: FixtureOptions = {}): SegmentMessage {
  const size = o.size ?? 1000;
  const dur = o.durationMs ?? 1000;
  const t0 = o.t0 ?? Date.UTC(2026, 0, 1);
  const initId = o.initId ?? 'init-a';
  const initPath = join(srcDir, `${initId}.mp4`);
  try {
    statSync(initPath);
  } catch {
    writeFileSync(initPath, Buffer.alloc(o.initSize ?? 100, 0x69));
  }
  const path = join(srcDir, `seg-${k}.m4s`);
  writeFileSync(path, segmentBytes(k, size));
  return {
    kind: 'segment',
    path,
    byteSize: size,
    init: { id: initId, path: initPath, byteSize: o.initSize ?? 100 },
    startWallClockMs: t0 + k * dur,
    endWallClockMs: t0 + (k + 1) * dur,
    mediaDurationMs: dur,
    tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.64001f', sampleCount: 25, durationMs: dur }],
    baseMediaDecodeTime: k * dur * 90,
    afterDiscontinuity: k === 0,
  };
}

/** Sum of the sizes of the files under the cache's seg/ and init/ folders. */
export function bytesOnDisk(cacheDir: string): number {
  let sum = 0;
  for (const sub of ['seg', 'init']) for (const n of readdirSync(join(cacheDir, sub))) sum += statSync(join(cacheDir, sub, n)).size;
  return sum;
}
