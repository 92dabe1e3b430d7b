// Start-up recovery of what the journal does not explain: init and segment files found in the
// cache folder without a valid journal record (journal lost, truncated, a record damaged).
// The files are the truth: each is read back (the MediaFileReader the node supplies) and, when
// it is whole media, described again; only what cannot be read is deleted. Synchronous: it
// runs once, inside `DurableSegmentCache.open`, and only over the files left unexplained.
import { readFileSync, statSync, truncateSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { InitDescription, MediaFileReader } from '../../types/cache.ts';
import type { SegmentMeta } from './journal.ts';

export interface RebuiltSegment {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
  readonly at: number;
  readonly meta: SegmentMeta;
}

/** Cache segment file names: `<seq>_<initId>.m4s` (older versions: `<seq>.m4s`). */
export function segmentFileName(seq: number, initId: string): string {
  return `${String(seq).padStart(12, '0')}_${initId.replace(/[^A-Za-z0-9]/g, '')}.m4s`;
}

export function parseSegmentFileName(name: string): { seq: number; initId?: string } | undefined {
  const m = /^(\d{1,15})(?:_([A-Za-z0-9]+))?\.m4s$/.exec(name);
  if (!m) return undefined;
  return { seq: Number(m[1]), ...(m[2] ? { initId: m[2] } : {}) };
}

/** An init file nobody recorded, identified by its content; undefined if it is not one. */
export function rebuildInit(reader: MediaFileReader | undefined, path: string): (InitDescription & { bytes: number }) | undefined {
  if (!reader) return undefined;
  try {
    const bytes = readFileSync(path);
    const d = reader.readInit(bytes);
    return d ? { ...d, bytes: bytes.length } : undefined;
  } catch {
    return undefined;
  }
}

/** The cache's init segments as read back, each read once when a segment needs it. */
export class InitCatalog {
  readonly #read = new Map<string, InitDescription | null>();
  constructor(
    private readonly reader: MediaFileReader | undefined,
    private readonly pathOf: (id: string) => string | undefined,
  ) {}

  get(id: string): InitDescription | undefined {
    if (!this.#read.has(id)) {
      const path = this.pathOf(id);
      let d: InitDescription | null = null;
      try {
        if (path && this.reader) d = this.reader.readInit(readFileSync(path)) ?? null;
      } catch {
        d = null;
      }
      this.#read.set(id, d);
    }
    return this.#read.get(id) ?? undefined;
  }

  set(d: InitDescription): void {
    this.#read.set(d.id, d);
  }
}

/**
 * A segment file without a usable record, described from its bytes. `initIds` are the inits
 * to try, most likely first. A file cut inside a fragment is truncated to its whole
 * fragments. Undefined: nothing in it can be played (or no reader was given).
 */
export function rebuildSegment(
  reader: MediaFileReader | undefined,
  dir: string,
  file: string,
  seq: number,
  initIds: readonly string[],
  inits: InitCatalog,
): RebuiltSegment | undefined {
  if (!reader) return undefined;
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
    const init = inits.get(initId);
    if (!init) continue;
    // Cache file names carry no time: the fragments' prft give the wall clock.
    const d = reader.describeSegment(bytes, init, {});
    if (!d) continue;
    if (d.validBytes < bytes.length) truncateSync(path, d.validBytes);
    return {
      seq,
      file,
      bytes: d.validBytes,
      at: Math.round(mtimeMs),
      meta: {
        initId,
        start: d.startWallClockMs,
        end: d.endWallClockMs,
        mediaDurationMs: d.mediaDurationMs,
        tracks: d.tracks,
        // its history is unknown: a discontinuity is the safe assumption for players
        baseMediaDecodeTime: d.baseMediaDecodeTime,
        afterDiscontinuity: true,
      },
    };
  }
  return undefined;
}

export function deleteQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* already gone */
  }
}
