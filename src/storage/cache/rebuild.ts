// Start-up recovery of what the journal does not explain: init and segment files found in the
// cache folder without a valid journal record (journal lost, truncated, a record damaged).
// The files are the truth: each is read back with the project's mp4 reader and, when it is
// whole media, described again; only what cannot be read is deleted. Synchronous: it runs
// once, inside `DurableSegmentCache.open`, and only over the files left unexplained.
import { readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { readInitSegment, type InitTrackInfo } from '../../media/mp4/read-init.ts';
import { initSegmentId } from '../../media/segmenter/init-id.ts';
import { describeSegment } from './describe-segment.ts';
import type { SegmentMeta } from './journal.ts';

export interface RebuiltInit { readonly id: string; readonly file: string; readonly bytes: number }
export interface RebuiltSegment { readonly seq: number; readonly file: string; readonly bytes: number; readonly at: number; readonly meta: SegmentMeta }

/** Cache segment file names: `<seq>_<initId>.m4s` (older versions: `<seq>.m4s`). */
export function segmentFileName(seq: number, initId: string): string {
  return `${String(seq).padStart(12, '0')}_${initId.replace(/[^A-Za-z0-9]/g, '')}.m4s`;
}

export function parseSegmentFileName(name: string): { seq: number; initId?: string } | undefined {
  const m = /^(\d{1,15})(?:_([A-Za-z0-9]+))?\.m4s$/.exec(name);
  if (!m) return undefined;
  return { seq: Number(m[1]), ...(m[2] ? { initId: m[2] } : {}) };
}

/** An init file nobody recorded: its id is the hash of its content, as the segmenter names it. */
export function rebuildInit(dir: string, file: string): (RebuiltInit & { tracks: InitTrackInfo[] }) | undefined {
  try {
    const bytes = readFileSync(join(dir, file));
    const tracks = readInitSegment(bytes);
    return { id: initSegmentId(bytes), file, bytes: bytes.length, tracks };
  } catch {
    return undefined;
  }
}

/** Track tables of the cache's init files, read once each when a segment needs them. */
export class InitTracks {
  readonly #cache = new Map<string, InitTrackInfo[] | null>();
  constructor(private readonly pathOf: (id: string) => string | undefined) {}

  get(id: string): InitTrackInfo[] | undefined {
    if (!this.#cache.has(id)) {
      const path = this.pathOf(id);
      let tracks: InitTrackInfo[] | null = null;
      try { if (path) tracks = readInitSegment(readFileSync(path)); } catch { tracks = null; }
      this.#cache.set(id, tracks);
    }
    return this.#cache.get(id) ?? undefined;
  }

  set(id: string, tracks: InitTrackInfo[]): void { this.#cache.set(id, tracks); }
}

/**
 * A segment file without a usable record, described from its bytes. `initIds` are the inits
 * to try, most likely first (the one its name carries, else the newest). A file cut inside a
 * fragment is truncated to its whole fragments. Undefined: nothing in it can be played.
 */
export function rebuildSegment(dir: string, file: string, seq: number, initIds: readonly string[], inits: InitTracks): RebuiltSegment | undefined {
  const path = join(dir, file);
  let bytes: Buffer;
  let mtimeMs: number;
  try {
    bytes = readFileSync(path);
    mtimeMs = statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
  for (const initId of initIds) {
    const tracks = inits.get(initId);
    if (!tracks) continue;
    // The time label is not in cache file names; the fragments' prft carry the wall clock.
    const d = describeSegment(bytes, initId, tracks, { afterDiscontinuity: true });
    if (!d) continue;
    if (d.validBytes < bytes.length) truncateSync(path, d.validBytes);
    return { seq, file, bytes: d.validBytes, at: Math.round(mtimeMs), meta: d.meta };
  }
  return undefined;
}

export function deleteQuietly(path: string): void {
  try { unlinkSync(path); } catch { /* already gone */ }
}
