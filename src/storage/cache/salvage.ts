// Salvage of segments a crashed run left unfinished: the segmenter's open segment
// (`…m4s.part`, appended one whole fragment per GOP) and closed segments the cache never took
// (a crash, or a folder that could not be written). Each keeps its whole fragments, is cut
// before a fragment the crash tore, and becomes a normal segment with its true duration.
// Anything that cannot be used is deleted and counted: after start-up nothing is left over.
import { open, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { InitDescription, MediaFileReader } from '../../types/cache.ts';
import { unlinkQuietly } from './files.ts';
import type { SegmentMeta } from './journal.ts';

export interface SalvageCandidate {
  /** The file, already cut to its whole fragments and fsynced. */
  readonly path: string;
  readonly init: { readonly id: string; readonly path: string; readonly byteSize: number };
  readonly meta: SegmentMeta;
  readonly bytes: number;
  /** Bytes cut off the end (a fragment torn by the crash). */
  readonly cutBytes: number;
  /** Wall-clock time of media that was on disk but torn (from the salvaged end to the last write). */
  readonly lostTail: { readonly start: number; readonly end: number } | undefined;
}

export interface SalvageScan {
  readonly candidates: SalvageCandidate[];
  /** Files that held no usable media (or were not media), already deleted. */
  readonly deleted: { readonly file: string; readonly reason: string }[];
  /** Init files of the folder: delete once the candidates are placed (the cache copied what it needs). */
  readonly initFiles: string[];
}

/** The cache's own init segments, for segments whose init is no longer in the folder. */
export type KnownInit = (id: string) => { readonly path: string; readonly byteSize: number; readonly description: InitDescription } | undefined;

interface FolderInit {
  readonly id: string;
  readonly path: string;
  readonly byteSize: number;
  readonly description: InitDescription;
  readonly mtimeMs: number;
}

const SEGMENT_NAME = /^(.+?)_(\d+)(?:_([A-Za-z0-9]+))?\.m4s(\.part)?$/;
const INIT_NAME = /^init-([A-Za-z0-9]+)\.mp4$/;

/**
 * `ownFolder`: the cache's workspace, where anything that is not media is deleted too; in a
 * folder adopted from elsewhere only segment and init files are touched.
 */
export async function scanForSalvage(reader: MediaFileReader | undefined, dir: string, knownInit: KnownInit, ownFolder: boolean): Promise<SalvageScan> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { candidates: [], deleted: [], initFiles: [] };
    throw e;
  }
  const deleted: SalvageScan['deleted'] = [];
  const drop = async (file: string, reason: string): Promise<void> => {
    await unlinkQuietly(join(dir, file));
    deleted.push({ file, reason });
  };
  const inits = new Map<string, FolderInit>();
  const initFiles: string[] = [];
  const segments: { file: string; seq: number; label: number | undefined; initId: string | undefined; part: boolean }[] = [];
  for (const file of names) {
    const init = INIT_NAME.exec(file);
    if (init) {
      initFiles.push(file);
      try {
        const path = join(dir, file);
        const bytes = await readFile(path);
        const description = reader?.readInit(bytes);
        if (description) inits.set(init[1]!, { id: init[1]!, path, byteSize: bytes.length, description, mtimeMs: (await stat(path)).mtimeMs });
      } catch {
        /* unreadable: deleted with the other init files */
      }
      continue;
    }
    const seg = SEGMENT_NAME.exec(file);
    if (!seg) {
      if (ownFolder) await drop(file, 'not a segment or init file');
      continue;
    }
    segments.push({ file, seq: Number(seg[2]), label: timeLabelOf(seg[1]!), initId: seg[3], part: seg[4] !== undefined });
  }
  const newestFirst = [...inits.values()].sort((a, b) => b.mtimeMs - a.mtimeMs);
  const candidates: SalvageCandidate[] = [];
  for (const s of segments.sort((a, b) => (a.label ?? 0) - (b.label ?? 0) || a.seq - b.seq)) {
    const path = join(dir, s.file);
    let bytes: Buffer;
    let mtimeMs: number;
    try {
      bytes = await readFile(path);
      mtimeMs = (await stat(path)).mtimeMs;
    } catch {
      await drop(s.file, 'unreadable');
      continue;
    }
    // The init its name carries, else (older names) every init of the folder, newest first.
    const tries = s.initId ? [inits.get(s.initId) ?? withId(s.initId, knownInit(s.initId))].filter((i) => i !== undefined) : newestFirst;
    let placed = false;
    for (const init of tries) {
      const d = reader?.describeSegment(bytes, { id: init.id, tracks: init.description.tracks }, s.label !== undefined ? { startWallClockMs: s.label } : {});
      if (!d) continue;
      // It continues the run it was recorded in: no discontinuity before it.
      const meta: SegmentMeta = {
        initId: init.id,
        start: d.startWallClockMs,
        end: d.endWallClockMs,
        mediaDurationMs: d.mediaDurationMs,
        tracks: d.tracks,
        baseMediaDecodeTime: d.baseMediaDecodeTime,
        afterDiscontinuity: false,
      };
      const cutBytes = bytes.length - d.validBytes;
      await cutAndSync(path, d.validBytes, cutBytes > 0);
      const lostEnd = Math.round(mtimeMs);
      candidates.push({
        path,
        init: { id: init.id, path: init.path, byteSize: init.byteSize },
        meta,
        bytes: d.validBytes,
        cutBytes,
        lostTail: cutBytes > 0 && lostEnd > meta.end ? { start: meta.end, end: lostEnd } : undefined,
      });
      placed = true;
      break;
    }
    if (!placed) await drop(s.file, bytes.length === 0 ? 'empty' : 'no whole fragment (or no init segment for it)');
  }
  return { candidates, deleted, initFiles };
}

function withId(id: string, known: ReturnType<KnownInit>): FolderInit | undefined {
  return known ? { id, path: known.path, byteSize: known.byteSize, description: known.description, mtimeMs: 0 } : undefined;
}

/** Cuts the torn tail and makes the file durable before the journal claims it. */
async function cutAndSync(path: string, length: number, cut: boolean): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    if (cut) await fh.truncate(length);
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** `20260101T120000.000Z…` at the start of a segment file name → Unix ms. */
export function timeLabelOf(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,3})?Z/.exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  return Number.isFinite(ms) ? ms : undefined;
}
