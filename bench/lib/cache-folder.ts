// What a durable cache folder (src/storage/cache) holds, read from the outside while its
// owner runs: the files on disk and the journal's view of them. Benchmarks use it to check
// that data waits on disk (not in memory) and that every eviction left a recorded gap.
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { readJournal } from '../../src/storage/cache/journal.ts';

export interface CachedSegmentRecord {
  readonly seq: number;
  readonly bytes: number;
  readonly mediaDurationMs: number;
  readonly startMs: number;
  readonly endMs: number;
}

export interface CacheGapRecord {
  readonly id: number;
  readonly startMs: number;
  readonly endMs: number;
  readonly reason: string;
  readonly lastSeq: number;
}

export interface CacheFolderView {
  /** Sum of the sizes of seg/ and init/ files on disk (what the bound limits). */
  readonly fileBytes: number;
  readonly segmentFiles: number;
  /** Segments the journal says are live, oldest first. */
  readonly live: readonly CachedSegmentRecord[];
  /** Every `seg` record still in the journal (compaction drops the ones no longer live). */
  readonly seen: readonly CachedSegmentRecord[];
  /** Highest sequence number ever handed out: segments added (or dropped) so far. */
  readonly lastSeq: number;
  /** Seqs removed as uploaded (`del` records still in the journal). */
  readonly deleted: number;
  readonly gaps: readonly CacheGapRecord[];
  readonly journalBytes: number;
  readonly tornTail: boolean;
  readonly badRecords: number;
}

function filesBytes(dir: string): { bytes: number; files: number } {
  let bytes = 0;
  let files = 0;
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return { bytes, files };
  }
  for (const n of names) {
    try {
      bytes += statSync(join(dir, n)).size;
      files++;
    } catch {
      /* evicted between the listing and the stat */
    }
  }
  return { bytes, files };
}

/** The folder a DurableCache node uses: `<cachePath>/<instance>/<node>`, found by its journal. */
export function findCacheFolder(cachePath: string): string | undefined {
  const walk = (dir: string, depth: number): string | undefined => {
    if (existsSync(join(dir, 'journal'))) return dir;
    if (depth === 0) return undefined;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return undefined;
    }
    for (const n of names.sort()) {
      const found = walk(join(dir, n), depth - 1);
      if (found) return found;
    }
    return undefined;
  };
  return walk(cachePath, 3);
}

export function inspectCacheFolder(dir: string): CacheFolderView {
  const contents = readJournal(join(dir, 'journal'));
  const live = new Map<number, CachedSegmentRecord>();
  const seen: CachedSegmentRecord[] = [];
  const gaps = new Map<number, CacheGapRecord>();
  let lastSeq = 0;
  let deleted = 0;
  for (const r of contents.records) {
    switch (r.op) {
      case 'hdr':
        lastSeq = Math.max(lastSeq, r.nextSeq - 1);
        break;
      case 'seg': {
        const s = { seq: r.seq, bytes: r.bytes, mediaDurationMs: r.meta.mediaDurationMs, startMs: r.meta.start, endMs: r.meta.end };
        live.set(r.seq, s);
        seen.push(s);
        lastSeq = Math.max(lastSeq, r.seq);
        break;
      }
      case 'del':
        live.delete(r.seq);
        deleted++;
        break;
      case 'evict':
        for (const s of r.seqs) live.delete(s);
        break;
      case 'gap':
        gaps.set(r.id, { id: r.id, startMs: r.start, endMs: r.end, reason: r.reason, lastSeq: r.lastSeq });
        lastSeq = Math.max(lastSeq, r.lastSeq);
        break;
      case 'gapack':
        for (const id of r.ids) gaps.delete(id);
        break;
      default:
    }
  }
  const seg = filesBytes(join(dir, 'seg'));
  const init = filesBytes(join(dir, 'init'));
  return {
    fileBytes: seg.bytes + init.bytes,
    segmentFiles: seg.files,
    live: [...live.values()].sort((a, b) => a.seq - b.seq),
    seen,
    lastSeq,
    deleted,
    gaps: [...gaps.values()].sort((a, b) => a.startMs - b.startMs),
    journalBytes: contents.totalBytes,
    tornTail: contents.tornTail,
    badRecords: contents.badRecords,
  };
}
