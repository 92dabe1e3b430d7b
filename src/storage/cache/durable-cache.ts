// The durable, disk-bounded segment cache (docs/architecture.md, Pull contract): the disk is the buffer, memory is
// flat, the oldest data is the first to go and every eviction is recorded as a gap.
//
// Folder layout (one folder per instance):
//   lock/             claims of the owning process (lock.ts)
//   journal           append-only records, see journal.ts
//   seg/<seq>_<init>.m4s  cached segments (older versions: seg/<seq>.m4s)
//   init/<name>.mp4   init segments, once per init id
//   tmp/              partial copies; emptied on open
//   open/             the segmenter's workspace: the segment being written (and its inits),
//                     inside the bound (reserve()) and moved into seg/ by a rename;
//                     salvaged on open (see salvage.ts)
//
// Ordering rules that make a crash at any point recoverable:
//   add:     copy to tmp + fsync → journal `seg` → rename into seg/ → fsync seg/
//            (journal entry without file = add never completed: dropped on open)
//   remove:  journal `del`/`evict` → unlink (file whose removal was journalled: deleted on open)
// Files the journal does not explain otherwise (journal lost or damaged) are media all the
// same: they are read back and described again (rebuild.ts), never deleted unread.
import { ftruncateSync, mkdirSync, readdirSync, statSync, rmSync, openSync, fsyncSync, closeSync, unlinkSync } from 'node:fs';
import { open, rm, stat, writeFile, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { SegmentMessage, Gap } from '../../types/segment.ts';
import type { CachedSegment, CachedGap, CachedRange, MediaFileReader, SegmentQueueStats } from '../../types/cache.ts';
import { readJournal, encodeRecords, JournalWriter, type JournalRecord, type SegmentMeta } from './journal.ts';
import { acquireLock } from './lock.ts';
import { copyDurably, fsyncDirAsync, fsyncFile, rename, sameDevice, unlinkQuietly } from './files.ts';
import { crc32 } from './crc32.ts';
import { deleteQuietly, InitCatalog, parseSegmentFileName, rebuildInit, rebuildSegment, segmentFileName } from './rebuild.ts';
import { scanForSalvage } from './salvage.ts';
import { parseGapReason } from '../../types/gap.ts';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../private-modes.ts';

export type EvictionCause = 'size-bound' | 'disk-full' | 'too-large' | 'host-quota' | 'free-space-floor';

export interface EvictionEvent {
  readonly gap: Gap;
  readonly segments: number;
  readonly bytes: number;
  readonly cause: EvictionCause;
}

export interface CacheOptions {
  /** Upper bound of the sum of the cached files' sizes. */
  readonly maxBytes: number;
  /**
   * `move` (default) takes ownership of the segment file (rename when on the same file
   * system, else copy + delete); `copy` leaves it in place. Init files are always copied.
   */
  readonly mode?: 'move' | 'copy';
  /** fsync files, folders and the journal (default true). `false` only for bulk test setup. */
  readonly fsync?: boolean;
  /** Called after segments were evicted (or an incoming one dropped) with the gap range. */
  readonly onEvicted?: (event: EvictionEvent) => void;
  /**
   * Reads media files back, to rebuild what the journal does not explain and to salvage a
   * crashed run's open segment. Without one such files are deleted (and counted) unread.
   */
  readonly reader?: MediaFileReader;
  /** Rewrite the journal when it holds this many more records than live ones (default 1000). */
  readonly compactSlack?: number;
  readonly now?: () => number;
}

export interface RecoveryReport {
  readonly segments: number;
  readonly bytes: number;
  readonly gaps: number;
  readonly tempFilesDiscarded: number;
  /** Journal entries dropped because their file was missing, unreadable or the wrong size. */
  readonly entriesDropped: number;
  /** Files in the folder that no journal entry claimed (a crash between write and record). */
  readonly strayFilesDeleted: number;
  readonly tornTail: boolean;
  readonly badRecords: number;
  /** Segment files without a usable record, described again from their bytes and kept. */
  readonly segmentsRebuilt: number;
  /** Init files without a usable record, identified by their content and kept. */
  readonly initsRebuilt: number;
  /** Files without a usable record that held no readable media: deleted. */
  readonly unreadableDeleted: number;
  /** Unfinished segments of a crashed run (open/) closed at their last whole fragment. */
  readonly salvage: SalvageReport;
  readonly durationMs: number;
}

export interface SalvageReport {
  readonly segments: number;
  /** Media time kept in the salvaged segments. */
  readonly mediaMs: number;
  /** Torn bytes cut off their ends. */
  readonly cutBytes: number;
  /** Files that held nothing usable (or were not media), deleted. */
  readonly filesDeleted: number;
}

const NO_SALVAGE: SalvageReport = { segments: 0, mediaMs: 0, cutBytes: 0, filesDeleted: 0 };

export type AddResult = { readonly accepted: true; readonly id: number } | { readonly accepted: false; readonly gap: Gap };

export class CacheClosedError extends Error {
  override readonly name = 'CacheClosedError';
}

/** The reason an in-flight upload's `evicted` signal carries. */
export class SegmentEvictedError extends Error {
  override readonly name = 'SegmentEvictedError';
}

/** A finished segment stays in the workspace for now (the cache folder refused the move). */
export class SegmentStrandedError extends Error {
  override readonly name = 'SegmentStrandedError';
}

interface SegEntry {
  readonly seq: number;
  readonly file: string;
  readonly bytes: number;
  readonly at: number;
  readonly meta: SegmentMeta;
}
interface InitEntry {
  readonly id: string;
  readonly file: string;
  readonly bytes: number;
  refs: number;
}
interface RangeEntry {
  readonly id: number;
  start: number;
  end: number;
}
/** A hole shorter than this between two segments is clock jitter, not a gap (the playlist's tolerance). */
const HOLE_TOLERANCE_MS = 500;
/** Uploaded ranges this close together are one pending index entry. */
const RANGE_MERGE_MS = 1000;
interface GapEntry {
  readonly id: number;
  start: number;
  end: number;
  readonly reason: Gap['reason'];
  lastSeq: number;
}

const isNoSpace = (e: unknown): boolean => (e as NodeJS.ErrnoException | undefined)?.code === 'ENOSPC';

export class DurableSegmentCache {
  readonly directory: string;
  readonly maxBytes: number;
  readonly #opts: CacheOptions;
  readonly #sync: boolean;
  readonly #now: () => number;
  readonly #segDir: string;
  readonly #initDir: string;
  readonly #tmpDir: string;
  readonly #openDir: string;
  readonly #journalPath: string;
  #journal: JournalWriter;
  #releaseLock: () => void;
  /** seg/ held open for its fsync after every add (an open and a close fewer per segment). */
  #segDirHandle: Promise<FileHandle> | undefined;

  readonly #segs = new Map<number, SegEntry>(); // insertion order = seq order = oldest first
  readonly #inits = new Map<string, InitEntry>();
  readonly #gaps = new Map<number, GapEntry>();
  readonly #ranges = new Map<number, RangeEntry>();
  #nextRangeId = 1;
  /** Segments handed out by nextPending and not yet marked uploaded or released, with the
   *  controller that tells their upload the segment was evicted under it. */
  readonly #inFlight = new Map<number, AbortController>();
  /** Victims of an eviction whose journal record is being written: no longer handed out. */
  readonly #evicting = new Set<number>();
  #bytes = 0;
  /** Bytes the segmenter holds in open/ (the open segment, its inits, closed ones not yet added). */
  #reserved = 0;
  /** Seqs whose removal the journal records (replay only): their leftover files are not media to keep. */
  readonly #gone = new Set<number>();
  /** Records whose append failed (a folder that could not be written): written with the next append. */
  #unjournalled: JournalRecord[] = [];
  /** Workspace segments the folder refused to take (see #add): retried with the next add. */
  readonly #stranded: SegmentMessage[] = [];
  #nextSeq = 1;
  #nextGapId = 1;
  #lastInitId: string | undefined;
  /** End of the newest media this cache ever took (kept, evicted or dropped): where a hole starts. */
  #lastEnd: number | undefined;
  /** Set by a `stop` record after the last media: the previous run ended cleanly, at this time. */
  #stoppedAt: number | undefined;
  /** No media added since open: the next segment's distance from #lastEnd is the recorder's own downtime. */
  #firstSinceOpen = true;
  #recordsSinceCompaction = 0;
  #inputEnded = false;
  #closed = false;
  #chain: Promise<unknown> = Promise.resolve();
  readonly #waiters = new Set<() => void>();
  readonly #gapWaiters = new Set<() => void>();
  #inputEndedResolve!: () => void;
  readonly inputEnded: Promise<void> = new Promise((r) => {
    this.#inputEndedResolve = r;
  });
  recovery!: RecoveryReport;

  private constructor(directory: string, opts: CacheOptions, journal: JournalWriter, releaseLock: () => void) {
    this.directory = directory;
    this.maxBytes = opts.maxBytes;
    this.#opts = opts;
    this.#sync = opts.fsync ?? true;
    this.#now = opts.now ?? Date.now;
    this.#segDir = join(directory, 'seg');
    this.#initDir = join(directory, 'init');
    this.#tmpDir = join(directory, 'tmp');
    this.#openDir = join(directory, 'open');
    this.#journalPath = join(directory, 'journal');
    this.#journal = journal;
    this.#releaseLock = releaseLock;
  }

  /** Opens (creating if needed) and recovers the cache in `dir`. Fails if another process holds it. */
  static async open(dir: string, opts: CacheOptions): Promise<DurableSegmentCache> {
    if (!Number.isSafeInteger(opts.maxBytes) || opts.maxBytes <= 0) throw new RangeError(`maxBytes must be a positive integer, got ${opts.maxBytes}`);
    for (const sub of ['seg', 'init', 'tmp', 'open']) mkdirSync(join(dir, sub), { recursive: true, mode: PRIVATE_DIR_MODE });
    const release = acquireLock(join(dir, 'lock'), dir);
    try {
      const t0 = performance.now();
      const contents = readJournal(join(dir, 'journal'));
      // Cut a torn tail before appending anything after it.
      if (contents.validBytes < contents.totalBytes) {
        const fd = openSync(join(dir, 'journal'), 'r+');
        try {
          ftruncateSync(fd, contents.validBytes);
          fsyncSync(fd);
        } finally {
          closeSync(fd);
        }
      }
      const cache = new DurableSegmentCache(dir, opts, new JournalWriter(join(dir, 'journal'), opts.fsync ?? true), release);
      const r = cache.#recover(contents.records, contents.tornTail, contents.badRecords);
      await cache.#exclusive(async () => {
        // A repaired journal is rewritten without what recovery dropped and with what it rebuilt.
        const repaired =
          r.tornTail ||
          r.badRecords > 0 ||
          r.entriesDropped > 0 ||
          r.strayFilesDeleted > 0 ||
          r.segmentsRebuilt > 0 ||
          r.initsRebuilt > 0 ||
          r.unreadableDeleted > 0;
        if (repaired || cache.#needsCompaction()) await cache.#compact();
        const salvage = await cache.#salvage(cache.#openDir);
        cache.recovery = { ...r, salvage, durationMs: performance.now() - t0 };
        if (cache.#bytes > cache.maxBytes) await cache.#evictFor(0, undefined, 'size-bound');
      });
      return cache;
    } catch (e) {
      release();
      throw e;
    }
  }

  // ---- recovery -------------------------------------------------------------------------

  #recover(records: readonly JournalRecord[], tornTail: boolean, badRecords: number): Omit<RecoveryReport, 'durationMs'> {
    for (const r of records) this.#replay(r);
    let tempFilesDiscarded = 0;
    rmSync(join(this.directory, 'journal.compact'), { force: true }); // an interrupted compaction
    for (const name of readdirSync(this.#tmpDir)) {
      rmSync(join(this.#tmpDir, name), { force: true, recursive: true });
      tempFilesDiscarded++;
    }
    let entriesDropped = 0;
    let strayFilesDeleted = 0;
    let initsRebuilt = 0;
    let segmentsRebuilt = 0;
    let unreadableDeleted = 0;
    // Init files: a record's file must exist with its size. A file no valid record claims is
    // identified by its content (its id is its hash) and kept if it reads as an init segment.
    const initFiles = new Set(readdirSync(this.#initDir));
    for (const init of [...this.#inits.values()]) {
      const size = initFiles.has(init.file) ? fileSize(join(this.#initDir, init.file)) : -1;
      if (size !== init.bytes) {
        this.#inits.delete(init.id);
        if (size < 0) {
          initFiles.delete(init.file);
          entriesDropped++;
        }
      } else {
        initFiles.delete(init.file);
      }
    }
    const reader = this.#opts.reader;
    const initCatalog = new InitCatalog(reader, (id) => {
      const i = this.#inits.get(id);
      return i ? join(this.#initDir, i.file) : undefined;
    });
    for (const file of initFiles) {
      const found = rebuildInit(reader, join(this.#initDir, file));
      if (found && !this.#inits.has(found.id)) {
        this.#inits.set(found.id, { id: found.id, file, bytes: found.bytes, refs: 0 });
        initCatalog.set(found);
        initsRebuilt++;
      } else {
        deleteQuietly(join(this.#initDir, file));
        if (found) strayFilesDeleted++;
        else unreadableDeleted++;
      }
    }
    // Segment files: a record's file must exist with its size and its init. A file no valid
    // record explains is media unless the journal says it was removed (uploaded or evicted,
    // then a crash before the unlink): it is described again from its bytes.
    const segFiles = new Set(readdirSync(this.#segDir));
    const unexplained = new Map<string, { seq: number; initId?: string; meta?: SegmentMeta }>();
    for (const seg of [...this.#segs.values()]) {
      const present = segFiles.delete(seg.file);
      const ok = present && this.#inits.has(seg.meta.initId) && fileSize(join(this.#segDir, seg.file)) === seg.bytes;
      if (ok) continue;
      this.#segs.delete(seg.seq);
      if (present) unexplained.set(seg.file, { seq: seg.seq, initId: seg.meta.initId, meta: seg.meta });
      else entriesDropped++;
    }
    for (const file of segFiles) {
      const named = parseSegmentFileName(file);
      if (!named || this.#gone.has(named.seq) || this.#segs.has(named.seq)) {
        deleteQuietly(join(this.#segDir, file));
        strayFilesDeleted++;
        continue;
      }
      unexplained.set(file, named);
    }
    const newestInits = [...this.#inits.keys()].reverse();
    if (this.#lastInitId && this.#inits.has(this.#lastInitId)) newestInits.unshift(this.#lastInitId);
    for (const [file, u] of unexplained) {
      // The init the record or the name gives is the only one tried: pairing media with another
      // init would upload a file no player decodes. Older names carry none: try the newest first.
      const tries = u.initId ? [u.initId] : [...new Set(newestInits)];
      const rebuilt = rebuildSegment(reader, this.#segDir, file, u.seq, tries, initCatalog);
      if (rebuilt) {
        this.#segs.set(rebuilt.seq, { seq: rebuilt.seq, file, bytes: rebuilt.bytes, at: rebuilt.at, meta: rebuilt.meta });
        this.#nextSeq = Math.max(this.#nextSeq, rebuilt.seq + 1);
        segmentsRebuilt++;
      } else {
        deleteQuietly(join(this.#segDir, file));
        unreadableDeleted++;
        // Its time is known only from a record: then the loss is a gap, not a silent hole.
        if (u.meta) {
          const g: GapEntry = { id: this.#nextGapId++, start: u.meta.start, end: u.meta.end, reason: 'write-failed', lastSeq: u.seq };
          this.#gaps.set(g.id, g);
        }
      }
    }
    if (segmentsRebuilt > 0) {
      // Oldest first is the map's order: rebuilt entries go back to their place by seq.
      const ordered = [...this.#segs.values()].sort((a, b) => a.seq - b.seq);
      this.#segs.clear();
      for (const e of ordered) this.#segs.set(e.seq, e);
    }
    // Exact size: the sum of the files that remain, inits counted by their references.
    for (const init of this.#inits.values()) init.refs = 0;
    for (const seg of this.#segs.values()) {
      const init = this.#inits.get(seg.meta.initId);
      if (init) init.refs++;
    }
    for (const init of [...this.#inits.values()]) {
      if (init.refs === 0 && init.id !== this.#lastInitId) {
        // no cached segment needs it any more: counted with the strays, so nothing goes unreported
        this.#inits.delete(init.id);
        unlinkSync(join(this.#initDir, init.file));
        strayFilesDeleted++;
      }
    }
    this.#gone.clear();
    this.#bytes = 0;
    for (const s of this.#segs.values()) this.#bytes += s.bytes;
    for (const i of this.#inits.values()) this.#bytes += i.bytes;
    return {
      segments: this.#segs.size,
      bytes: this.#bytes,
      gaps: this.#gaps.size,
      tempFilesDiscarded,
      entriesDropped,
      strayFilesDeleted,
      tornTail,
      badRecords,
      segmentsRebuilt,
      initsRebuilt,
      unreadableDeleted,
      salvage: NO_SALVAGE,
    };
  }

  /**
   * Closes the unfinished segments found in `dir` (the workspace after a crash, or an older
   * version's segmenter folder) as normal cached segments, each cut at its last whole
   * fragment; the torn tail becomes a `write-failed` gap. Everything else there is deleted.
   * Runs inside the exclusive section.
   */
  async #salvage(dir: string): Promise<SalvageReport> {
    const catalog = new InitCatalog(this.#opts.reader, (id) => {
      const i = this.#inits.get(id);
      return i ? join(this.#initDir, i.file) : undefined;
    });
    const scan = await scanForSalvage(
      this.#opts.reader,
      dir,
      (id) => {
        const init = this.#inits.get(id);
        const description = catalog.get(id);
        return init && description ? { path: join(this.#initDir, init.file), byteSize: init.bytes, description } : undefined;
      },
      dir === this.#openDir,
    );
    let segments = 0;
    let mediaMs = 0;
    let cutBytes = 0;
    let filesDeleted = scan.deleted.length;
    for (const c of scan.candidates) {
      const r = await this.#add(
        {
          kind: 'segment',
          path: c.path,
          byteSize: c.bytes,
          init: c.init,
          startWallClockMs: c.meta.start,
          endWallClockMs: c.meta.end,
          mediaDurationMs: c.meta.mediaDurationMs,
          tracks: c.meta.tracks,
          baseMediaDecodeTime: c.meta.baseMediaDecodeTime,
          afterDiscontinuity: c.meta.afterDiscontinuity,
        },
        true,
      );
      if (r.accepted) {
        segments++;
        mediaMs += c.meta.mediaDurationMs;
      } else filesDeleted++;
      cutBytes += c.cutBytes;
      if (c.lostTail) {
        await this.#recordGap({ kind: 'gap', startWallClockMs: c.lostTail.start, endWallClockMs: c.lostTail.end, reason: 'write-failed' });
        this.#noteEnd(c.lostTail.end); // the recorder-down gap starts where this one ends
      }
    }
    for (const f of scan.initFiles) {
      await unlinkQuietly(join(dir, f));
      filesDeleted++;
    }
    return { segments, mediaMs, cutBytes, filesDeleted };
  }

  /** Salvages an older version's segmenter folder into this cache (see #salvage). */
  adoptFolder(dir: string): Promise<SalvageReport> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      return this.#salvage(dir);
    });
  }

  // ---- the segmenter's workspace (open/) ------------------------------------------------

  /** Where the segmenter writes: inside the cache folder, so a segment enters the cache by a rename. */
  get workspaceDirectory(): string {
    return this.#openDir;
  }

  /**
   * Makes room for `bytes` more in the workspace (the open segment grows by a fragment, or an
   * init is written): evicts oldest-first like any add. False when they cannot fit under the
   * bound; then nothing is reserved.
   */
  reserve(bytes: number): Promise<boolean> {
    return this.#exclusive(async () => {
      if (this.#closed) return false;
      if (this.#bytes + this.#reserved + bytes > this.maxBytes) await this.#evictFor(bytes, this.#lastInitId, 'size-bound');
      if (this.#bytes + this.#reserved + bytes > this.maxBytes) return false;
      this.#reserved += bytes;
      return true;
    });
  }

  /** Workspace bytes that are gone (a dropped segment's file deleted). */
  unreserve(bytes: number): void {
    this.#reserved = Math.max(0, this.#reserved - bytes);
  }

  #replay(r: JournalRecord): void {
    this.#recordsSinceCompaction++;
    switch (r.op) {
      case 'hdr':
        this.#nextSeq = Math.max(this.#nextSeq, r.nextSeq);
        this.#nextGapId = Math.max(this.#nextGapId, r.nextGapId);
        this.#nextRangeId = Math.max(this.#nextRangeId, r.nextRangeId ?? 1);
        this.#noteEnd(r.lastEnd);
        this.#stoppedAt = r.stoppedAt;
        this.#recordsSinceCompaction = 0;
        break;
      case 'stop':
        this.#stoppedAt = r.at;
        break;
      case 'init':
        this.#inits.set(r.id, { id: r.id, file: r.file, bytes: r.bytes, refs: 0 });
        this.#lastInitId = r.id;
        break;
      case 'initdel':
        this.#inits.delete(r.id);
        break;
      case 'seg':
        this.#segs.set(r.seq, { seq: r.seq, file: r.file, bytes: r.bytes, at: r.at, meta: r.meta });
        this.#nextSeq = Math.max(this.#nextSeq, r.seq + 1);
        this.#lastInitId = r.meta.initId;
        this.#noteEnd(r.meta.end);
        this.#stoppedAt = undefined;
        break;
      case 'del':
        this.#segs.delete(r.seq);
        this.#gone.add(r.seq);
        break;
      case 'evict':
        for (const s of r.seqs) {
          this.#segs.delete(s);
          this.#gone.add(s);
        }
        break;
      case 'gap':
        this.#gaps.set(r.id, { id: r.id, start: r.start, end: r.end, reason: parseGapReason(r.reason) ?? 'recorder-down', lastSeq: r.lastSeq });
        if (r.reason === 'evicted') this.#noteEnd(r.end);
        this.#nextGapId = Math.max(this.#nextGapId, r.id + 1);
        this.#nextSeq = Math.max(this.#nextSeq, r.lastSeq + 1);
        break;
      case 'gapack':
        for (const id of r.ids) this.#gaps.delete(id);
        break;
      case 'rng':
        this.#ranges.set(r.id, { id: r.id, start: r.start, end: r.end });
        this.#nextRangeId = Math.max(this.#nextRangeId, r.id + 1);
        break;
      case 'rngack':
        for (const id of r.ids) this.#ranges.delete(id);
        break;
    }
  }

  #needsCompaction(): boolean {
    const live = this.#segs.size + this.#inits.size + this.#gaps.size + this.#ranges.size;
    return this.#recordsSinceCompaction > 2 * live + (this.#opts.compactSlack ?? 1000);
  }

  async #compactIfDue(): Promise<void> {
    if (this.#needsCompaction()) await this.#compact();
  }

  /**
   * Rewrites the journal with only the live records (temp file, fsync, rename, fsync folder).
   * An optimisation: if it fails (e.g. disk full) the long journal stays valid. Off the event
   * loop (its fsyncs would stall every stream in the process); callers hold the exclusive
   * section, so no append runs meanwhile.
   */
  async #compact(): Promise<void> {
    const tmp = join(this.directory, 'journal.compact');
    try {
      await writeFile(tmp, encodeRecords(this.#liveRecords()), { mode: PRIVATE_FILE_MODE });
      if (this.#sync) await fsyncFile(tmp);
      await rename(tmp, this.#journalPath);
      if (this.#sync) await fsyncDirAsync(this.directory);
      this.#journal.close();
      this.#journal = new JournalWriter(this.#journalPath, this.#sync);
      this.#recordsSinceCompaction = 0;
    } catch {
      await rm(tmp, { force: true }).catch(() => {});
      this.#recordsSinceCompaction = 0; // try again after another round of records
    }
  }

  #liveRecords(): JournalRecord[] {
    const records: JournalRecord[] = [
      {
        op: 'hdr',
        v: 1,
        nextSeq: this.#nextSeq,
        nextGapId: this.#nextGapId,
        nextRangeId: this.#nextRangeId,
        ...(this.#lastEnd !== undefined ? { lastEnd: this.#lastEnd } : {}),
        ...(this.#stoppedAt !== undefined ? { stoppedAt: this.#stoppedAt } : {}),
      },
    ];
    // The newest init goes last so that `lastInitId` survives the rewrite.
    const inits = [...this.#inits.values()].sort((a, b) => Number(a.id === this.#lastInitId) - Number(b.id === this.#lastInitId));
    for (const i of inits) records.push({ op: 'init', id: i.id, file: i.file, bytes: i.bytes });
    for (const s of this.#segs.values()) records.push({ op: 'seg', seq: s.seq, file: s.file, bytes: s.bytes, at: s.at, meta: s.meta });
    for (const g of this.#gaps.values()) records.push({ op: 'gap', id: g.id, start: g.start, end: g.end, reason: g.reason, lastSeq: g.lastSeq });
    for (const r of this.#ranges.values()) records.push({ op: 'rng', id: r.id, start: r.start, end: r.end });
    return records;
  }

  // ---- adding -----------------------------------------------------------------------------

  /**
   * Takes a finished segment into the cache. Resolves once it is durable (or, when it cannot
   * fit even after evicting everything evictable, once it was dropped and recorded as a gap).
   */
  add(segment: SegmentMessage): Promise<AddResult> {
    return this.#exclusive(() => this.#add(segment));
  }

  /**
   * The producer stopped cleanly (deactivation, host closed). Journalled, so that the next run's
   * first media follows a `recorder-stopped` gap; without it (a crash) the gap is `recorder-down`.
   */
  markStopped(): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#closed) return;
      const at = this.#now();
      await this.#append([{ op: 'stop', at }]);
      this.#stoppedAt = at;
    });
  }

  /** Records a gap that came down the segment stream (camera lost, stopped). */
  addGap(gap: Gap): Promise<void> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      await this.#recordGap(gap);
    });
  }

  /**
   * A gap is kept (and offered to the uploader) even when its record cannot be written now,
   * e.g. a folder that turned read-only: the record goes with the next append that works.
   */
  async #recordGap(gap: Gap): Promise<void> {
    const entry: GapEntry = { id: this.#nextGapId++, start: gap.startWallClockMs, end: gap.endWallClockMs, reason: gap.reason, lastSeq: this.#nextSeq - 1 };
    this.#gaps.set(entry.id, entry);
    this.#notifyGaps();
    try {
      await this.#append([gapRecord(entry)]);
    } catch {
      this.#unjournalled.push(gapRecord(entry));
    }
  }

  async #add(segment: SegmentMessage, salvaged = false): Promise<AddResult> {
    this.#assertOpen();
    if (this.#inputEnded && !salvaged) throw new Error('cache input already ended');
    if (!salvaged && this.#stranded.length > 0) {
      for (const earlier of this.#stranded.splice(0)) await this.#add(earlier).catch(() => undefined);
    }
    const meta: SegmentMeta = {
      initId: segment.init.id,
      start: segment.startWallClockMs,
      end: segment.endWallClockMs,
      mediaDurationMs: segment.mediaDurationMs,
      tracks: segment.tracks,
      baseMediaDecodeTime: segment.baseMediaDecodeTime,
      afterDiscontinuity: segment.afterDiscontinuity,
    };
    await this.#recordHoleBefore(meta, salvaged);
    // A segment from the workspace was counted as it grew: its reservation becomes cache bytes.
    // Its size is what the segmenter wrote and fsynced (no stat); anything else is measured.
    const fromWorkspace = dirname(segment.path) === this.#openDir;
    const segBytes = fromWorkspace && !salvaged ? segment.byteSize : (await stat(segment.path)).size;
    if (fromWorkspace && !salvaged) this.unreserve(segBytes);
    const initKnown = this.#inits.has(segment.init.id);
    const initBytes = initKnown ? 0 : (await stat(segment.init.path)).size;
    const seq = this.#nextSeq++;
    if (segBytes + initBytes > this.maxBytes) return this.#drop(seq, meta, segment.path, segBytes, 'too-large');
    await this.#evictFor(segBytes + initBytes, segment.init.id, 'size-bound');
    if (this.#bytes + this.#reserved + segBytes + initBytes > this.maxBytes) return this.#drop(seq, meta, segment.path, segBytes, 'size-bound');
    try {
      if (!initKnown) await this.#placeInit(segment.init.id, segment.init.path, initBytes, seq);
      await this.#placeSegment(seq, segment.path, segBytes, meta, fromWorkspace);
    } catch (e) {
      if (isNoSpace(e)) return this.#drop(seq, meta, segment.path, segBytes, 'disk-full');
      if (fromWorkspace && !salvaged) {
        // The folder refused the move (read-only, permissions): the file is whole and durable
        // where it is. It stays counted and is retried with the next add; if this run ends
        // first, the next one salvages it from the workspace.
        this.#reserved += segBytes;
        this.#stranded.push(segment);
        throw new SegmentStrandedError(`segment ${basename(segment.path)} kept in the workspace, not yet cached: ${(e as Error).message}`);
      }
      throw e;
    }
    this.#notify();
    await this.#compactIfDue();
    return { accepted: true, id: seq };
  }

  /**
   * A segment that does not continue the previous media starts after a hole; the hole becomes a
   * journalled gap here, before the segment is placed, so it survives a crash. Its reason: the
   * first media after the cache was opened follows the recorder's own absence (`recorder-stopped`
   * after a clean stop, else `recorder-down`: a crash); a later one after a discontinuity
   * follows a lost camera.
   */
  async #recordHoleBefore(meta: SegmentMeta, salvaged = false): Promise<void> {
    const first = this.#firstSinceOpen;
    const stoppedCleanly = this.#stoppedAt !== undefined;
    // A salvaged segment is the last of a run that crashed: the next live segment is still the
    // first of this run, and the time between them is recorder-down.
    this.#firstSinceOpen = salvaged;
    const from = this.#lastEnd;
    this.#noteEnd(meta.end);
    this.#stoppedAt = undefined;
    if (from === undefined || meta.start - from <= HOLE_TOLERANCE_MS) return;
    let reason: Gap['reason'];
    if (first) reason = stoppedCleanly ? 'recorder-stopped' : 'recorder-down';
    else if (meta.afterDiscontinuity) reason = 'camera-lost';
    else return; // continuous media with a clock step: not a hole anyone caused
    const entry: GapEntry = { id: this.#nextGapId++, start: from, end: meta.start, reason, lastSeq: this.#nextSeq - 1 };
    try {
      await this.#withSpace(meta.initId, () => this.#append([gapRecord(entry)]));
    } catch (e) {
      if (!isNoSpace(e)) throw e;
      return; // no room even for the record: the hole stays, unexplained
    }
    this.#gaps.set(entry.id, entry);
    this.#notifyGaps();
  }

  #noteEnd(end: number | undefined): void {
    if (end !== undefined && (this.#lastEnd === undefined || end > this.#lastEnd)) this.#lastEnd = end;
  }

  async #placeInit(id: string, source: string, bytes: number, seq: number): Promise<void> {
    const file = `${crc32(Buffer.from(id)).toString(16).padStart(8, '0')}-${id.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 48)}.mp4`;
    const tmp = join(this.#tmpDir, `init-${seq}.part`);
    await this.#withSpace(id, () => copyDurably(source, tmp));
    await this.#withSpace(id, () => this.#append([{ op: 'init', id, file, bytes }]));
    await rename(tmp, join(this.#initDir, file));
    if (this.#sync) await fsyncDirAsync(this.#initDir);
    this.#inits.set(id, { id, file, bytes, refs: 0 });
    this.#lastInitId = id;
    this.#bytes += bytes;
  }

  async #placeSegment(seq: number, source: string, bytes: number, meta: SegmentMeta, fromWorkspace: boolean): Promise<void> {
    const file = segmentFileName(seq, meta.initId);
    const move = fromWorkspace || (this.#opts.mode ?? 'move') === 'move';
    let staged = source;
    const direct = move && (fromWorkspace || (await sameDevice(source, this.#segDir)));
    if (direct) {
      // The segmenter fsyncs a workspace file before it hands it over: one fsync per segment.
      if (this.#sync && !fromWorkspace) await fsyncFile(source);
    } else {
      staged = join(this.#tmpDir, `${seq}.part`);
      const tmp = staged;
      await this.#withSpace(meta.initId, () => copyDurably(source, tmp));
    }
    try {
      await this.#withSpace(meta.initId, () => this.#append([{ op: 'seg', seq, file, bytes, at: this.#now(), meta }]));
    } catch (e) {
      if (!direct) await unlinkQuietly(staged);
      throw e;
    }
    await rename(staged, join(this.#segDir, file));
    if (this.#sync) await this.#fsyncSegDir();
    if (move && !direct) await unlinkQuietly(source);
    this.#segs.set(seq, { seq, file, bytes, at: this.#now(), meta });
    const init = this.#inits.get(meta.initId);
    if (init) init.refs++;
    this.#bytes += bytes;
  }

  async #fsyncSegDir(): Promise<void> {
    this.#segDirHandle ??= open(this.#segDir, 'r');
    try {
      await (await this.#segDirHandle).sync();
    } catch (e) {
      // a handle that failed (or never opened) is not kept: the next add opens the folder again
      const failed = this.#segDirHandle;
      this.#segDirHandle = undefined;
      void failed?.then((h) => h.close()).catch(() => undefined);
      throw e;
    }
  }

  /** The incoming segment cannot be kept: it becomes a gap, as if it had been evicted at once. */
  async #drop(seq: number, meta: SegmentMeta, source: string, bytes: number, cause: EvictionCause): Promise<AddResult> {
    const fromWorkspace = dirname(source) === this.#openDir;
    const gap = this.#extendGap({ seq, meta });
    const absorbed = this.#absorbTouchingGaps(gap);
    try {
      await this.#append([gapRecord(gap), ...absorbedRecords(absorbed)]);
    } catch (e) {
      if (!isNoSpace(e)) throw e;
    }
    if (fromWorkspace || (this.#opts.mode ?? 'move') === 'move') await unlinkQuietly(source);
    this.#opts.onEvicted?.({ gap: { kind: 'gap', startWallClockMs: gap.start, endWallClockMs: gap.end, reason: 'evicted' }, segments: 1, bytes, cause });
    this.#notifyGaps();
    return { accepted: false, gap: { kind: 'gap', startWallClockMs: meta.start, endWallClockMs: meta.end, reason: 'evicted' } };
  }

  /**
   * Frees space for a writer elsewhere on this disk (the segmenter hit ENOSPC): evicts the
   * oldest segment not being uploaded, recorded as a gap like any eviction. False when
   * nothing is evictable.
   */
  reclaimSpace(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.#exclusive(() => this.#evictOne(undefined, 'disk-full'));
  }

  /**
   * Evicts this cache's oldest segment for the host's cache quota (src/storage/cache/cache-quota.ts),
   * recorded as an `evicted` gap like any eviction. False when nothing is evictable.
   */
  evictOldest(cause: 'host-quota' | 'free-space-floor'): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    return this.#exclusive(() => this.#evictOne(undefined, cause));
  }

  /** Start of the oldest segment eviction would take next; `undefined` when nothing is evictable. */
  oldestEvictableStartMs(): number | undefined {
    return this.#oldestEvictable()?.meta.start;
  }

  /** Runs a write; on ENOSPC evicts the oldest evictable segment and tries again. */
  async #withSpace<T>(protectInit: string | undefined, op: () => Promise<T> | T): Promise<T> {
    for (;;) {
      try {
        return await op();
      } catch (e) {
        if (!isNoSpace(e)) throw e;
        const freed = await this.#evictOne(protectInit, 'disk-full');
        if (!freed) throw e;
      }
    }
  }

  // ---- eviction ---------------------------------------------------------------------------

  /** The oldest segment not in flight: the next one to hand to the uploader. */
  #oldestPending(): SegEntry | undefined {
    for (const s of this.#segs.values()) if (!this.#inFlight.has(s.seq) && !this.#evicting.has(s.seq)) return s;
    return undefined;
  }

  /**
   * The oldest segment, uploading or not: eviction is strictly oldest first. Skipping the one
   * in flight would evict newer segments while a hung upload retried the oldest, leaving holes
   * out of order; its upload is aborted instead (see #evictNow).
   */
  #oldestEvictable(): SegEntry | undefined {
    for (const s of this.#segs.values()) if (!this.#evicting.has(s.seq)) return s;
    return undefined;
  }

  /** Evicts oldest-first until `incoming` more bytes fit under the bound (or nothing is left). */
  async #evictFor(incoming: number, protectInit: string | undefined, cause: EvictionCause): Promise<void> {
    const victims: SegEntry[] = [];
    let freedInits: InitEntry[] = [];
    let projected = this.#bytes + this.#reserved;
    const refs = new Map<string, number>();
    for (const s of this.#segs.values()) {
      if (projected + incoming <= this.maxBytes) break;
      if (this.#evicting.has(s.seq)) continue;
      victims.push(s);
      projected -= s.bytes;
      const init = this.#inits.get(s.meta.initId);
      if (init) {
        const left = (refs.get(init.id) ?? init.refs) - 1;
        refs.set(init.id, left);
        if (left === 0 && init.id !== protectInit && init.id !== this.#lastInitId) {
          freedInits.push(init);
          projected -= init.bytes;
        }
      }
    }
    if (victims.length === 0) return;
    freedInits = [...new Set(freedInits)];
    await this.#evict(victims, freedInits, cause);
  }

  async #evictOne(protectInit: string | undefined, cause: EvictionCause): Promise<boolean> {
    const victim = this.#oldestEvictable();
    if (!victim) return false;
    const init = this.#inits.get(victim.meta.initId);
    const freedInits = init && init.refs === 1 && init.id !== protectInit && init.id !== this.#lastInitId ? [init] : [];
    await this.#evict([victim], freedInits, cause);
    return true;
  }

  async #evict(victims: readonly SegEntry[], freedInits: readonly InitEntry[], cause: EvictionCause): Promise<void> {
    for (const v of victims) this.#evicting.add(v.seq);
    try {
      await this.#evictNow(victims, freedInits, cause);
    } finally {
      for (const v of victims) this.#evicting.delete(v.seq);
    }
  }

  async #evictNow(victims: readonly SegEntry[], freedInits: readonly InitEntry[], cause: EvictionCause): Promise<void> {
    const gapsTouched = new Map<number, GapEntry>();
    let bytes = 0;
    const absorbed: GapEntry[] = [];
    for (const v of victims) {
      const g = this.#extendGap(v);
      gapsTouched.set(g.id, g);
      for (const a of this.#absorbTouchingGaps(g)) {
        absorbed.push(a);
        gapsTouched.delete(a.id);
      }
      bytes += v.bytes;
    }
    const records: JournalRecord[] = [{ op: 'evict', seqs: victims.map((v) => v.seq) }];
    for (const g of gapsTouched.values()) records.push(gapRecord(g));
    records.push(...absorbedRecords(absorbed));
    for (const i of freedInits) records.push({ op: 'initdel', id: i.id });
    const files = [...victims.map((v) => join(this.#segDir, v.file)), ...freedInits.map((i) => join(this.#initDir, i.file))];
    try {
      await this.#append(records);
    } catch (e) {
      if (!isNoSpace(e)) throw e;
      // No room even for the record: free the files first, then record (a crash in between
      // only loses the gap record; the missing files are dropped consistently on open).
      for (const f of files) await unlinkQuietly(f);
      await this.#append(records);
    }
    for (const v of victims) {
      this.#segs.delete(v.seq);
      this.#bytes -= v.bytes;
      // Its upload, if one runs, is abandoned: the segment is now a gap, never a blob.
      const upload = this.#inFlight.get(v.seq);
      this.#inFlight.delete(v.seq);
      upload?.abort(new SegmentEvictedError(`segment ${v.seq} was evicted during its upload`));
      const init = this.#inits.get(v.meta.initId);
      if (init) init.refs--;
    }
    for (const i of freedInits) {
      this.#inits.delete(i.id);
      this.#bytes -= i.bytes;
      bytes += i.bytes;
    }
    for (const f of files) await unlinkQuietly(f);
    // One event per gap touched, each with the evicted range of this batch inside that gap.
    for (const g of gapsTouched.values()) {
      const inGap = victims.filter((v) => v.meta.start >= g.start && v.meta.end <= g.end);
      this.#opts.onEvicted?.({
        gap: { kind: 'gap', startWallClockMs: g.start, endWallClockMs: g.end, reason: 'evicted' },
        segments: inGap.length,
        bytes,
        cause,
      });
    }
    this.#notifyGaps();
  }

  /** Adds an evicted segment to the pending gap it continues, or opens a new gap. */
  #extendGap(v: { seq: number; meta: SegmentMeta }): GapEntry {
    for (const g of this.#gaps.values()) {
      if (g.reason === 'evicted' && g.lastSeq === v.seq - 1) {
        g.lastSeq = v.seq;
        g.start = Math.min(g.start, v.meta.start);
        g.end = Math.max(g.end, v.meta.end);
        return g;
      }
    }
    const g: GapEntry = { id: this.#nextGapId++, start: v.meta.start, end: v.meta.end, reason: 'evicted', lastSeq: v.seq };
    this.#gaps.set(g.id, g);
    return g;
  }

  /**
   * Merges into `g` the other pending eviction gaps that now touch or overlap it in time, and
   * returns them (removed). During an outage the uploader keeps retrying the oldest segment:
   * evictions skip it while it is in flight and open a new gap after it; once it is evicted
   * too, the two gaps meet. Unmerged, every such retry left one more pending gap — in memory,
   * in the journal, and as one more marker blob and index entry to write when the uplink
   * returns. Segments' wall-clock ranges do not overlap and are never empty, so gaps that
   * touch have no cached media between them.
   */
  #absorbTouchingGaps(g: GapEntry): GapEntry[] {
    const absorbed: GapEntry[] = [];
    for (const h of this.#gaps.values()) {
      if (h === g || h.reason !== 'evicted' || h.start > g.end || h.end < g.start) continue;
      g.start = Math.min(g.start, h.start);
      g.end = Math.max(g.end, h.end);
      g.lastSeq = Math.max(g.lastSeq, h.lastSeq);
      absorbed.push(h);
    }
    for (const h of absorbed) this.#gaps.delete(h.id);
    return absorbed;
  }

  // ---- the pull side ----------------------------------------------------------------------

  /** Oldest pending segment not in flight; waits until one arrives. `undefined` when the cache closed or the input ended and nothing is left. */
  async nextPending(signal?: AbortSignal): Promise<CachedSegment | undefined> {
    for (;;) {
      signal?.throwIfAborted();
      if (this.#closed) return undefined;
      const s = this.#oldestPending();
      if (s) {
        const evicted = new AbortController();
        this.#inFlight.set(s.seq, evicted);
        return { ...this.#toCached(s), evicted: evicted.signal };
      }
      if (this.#inputEnded && this.#segs.size === 0) return undefined;
      await this.#wait(this.#waiters, signal);
    }
  }

  /** The segment `nextPending` would return now, left pending (and evictable); `undefined` if none. */
  peekPending(): CachedSegment | undefined {
    if (this.#closed) return undefined;
    const s = this.#oldestPending();
    return s ? this.#toCached(s) : undefined;
  }

  /** Deletes an uploaded segment (journal first, then the file). */
  markUploaded(id: number): Promise<void> {
    return this.#exclusive(async () => {
      this.#assertOpen();
      const s = this.#segs.get(id);
      if (!s) return;
      const range = this.#rangeFor(s.meta.start, s.meta.end);
      const records: JournalRecord[] = [
        { op: 'del', seq: id },
        { op: 'rng', id: range.id, start: range.start, end: range.end },
      ];
      const init = this.#inits.get(s.meta.initId);
      const dropInit = init && init.refs === 1 && init.id !== this.#lastInitId;
      if (dropInit) records.push({ op: 'initdel', id: init.id });
      await this.#append(records);
      this.#ranges.set(range.id, range);
      this.#segs.delete(id);
      this.#inFlight.delete(id);
      this.#bytes -= s.bytes;
      if (init) init.refs--;
      await unlinkQuietly(join(this.#segDir, s.file));
      if (dropInit) {
        this.#inits.delete(init.id);
        this.#bytes -= init.bytes;
        await unlinkQuietly(join(this.#initDir, init.file));
      }
      await this.#compactIfDue();
      this.#notify();
      this.#notifyGaps();
    });
  }

  /** The pending range an upload extends (a copy, applied after the journal write), or a new one. */
  #rangeFor(start: number, end: number): RangeEntry {
    for (const r of this.#ranges.values()) {
      if (start <= r.end + RANGE_MERGE_MS && end >= r.start - RANGE_MERGE_MS) return { id: r.id, start: Math.min(r.start, start), end: Math.max(r.end, end) };
    }
    return { id: this.#nextRangeId++, start, end };
  }

  pendingRanges(): readonly CachedRange[] {
    return [...this.#ranges.values()].sort((a, b) => a.start - b.start).map((r) => ({ id: r.id, startWallClockMs: r.start, endWallClockMs: r.end }));
  }

  ackRanges(ranges: readonly CachedRange[]): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#closed) return;
      const ids = ranges
        .filter((r) => {
          const cur = this.#ranges.get(r.id);
          return cur && cur.start === r.startWallClockMs && cur.end === r.endWallClockMs;
        })
        .map((r) => r.id);
      // A range that grew forward while it was being indexed keeps only its new part pending
      // (the consumer writes its index rarely, by how much time is pending).
      const trimmed = ranges.flatMap((r) => {
        const cur = this.#ranges.get(r.id);
        return cur && cur.start === r.startWallClockMs && cur.end > r.endWallClockMs ? [{ id: r.id, start: r.endWallClockMs, end: cur.end }] : [];
      });
      if (ids.length === 0 && trimmed.length === 0) return;
      await this.#append([...(ids.length ? [{ op: 'rngack' as const, ids }] : []), ...trimmed.map((t) => ({ op: 'rng' as const, ...t }))]);
      for (const id of ids) this.#ranges.delete(id);
      for (const t of trimmed) this.#ranges.set(t.id, t);
    });
  }

  /** A failed upload: the segment is pending (and evictable) again. */
  release(id: number): void {
    if (this.#inFlight.delete(id)) this.#notify();
  }

  pendingGaps(): readonly CachedGap[] {
    return [...this.#gaps.values()]
      .sort((a, b) => a.start - b.start)
      .map((g) => ({ kind: 'gap', id: g.id, startWallClockMs: g.start, endWallClockMs: g.end, reason: g.reason }));
  }

  ackGaps(gaps: readonly CachedGap[]): Promise<void> {
    return this.#exclusive(async () => {
      if (this.#closed) return;
      const ids = gaps
        .filter((g) => {
          const cur = this.#gaps.get(g.id);
          return cur && cur.start === g.startWallClockMs && cur.end === g.endWallClockMs;
        })
        .map((g) => g.id);
      if (ids.length === 0) return;
      await this.#append([{ op: 'gapack', ids }]);
      for (const id of ids) this.#gaps.delete(id);
    });
  }

  /** Reads the pending gaps and acknowledges them at once (for consumers that need no durability). */
  async takeGaps(): Promise<readonly CachedGap[]> {
    const gaps = this.pendingGaps();
    await this.ackGaps(gaps);
    return gaps;
  }

  gapsChanged(signal?: AbortSignal): Promise<void> {
    return this.#wait(this.#gapWaiters, signal);
  }

  /** No more segments will be added; `nextPending` answers `undefined` once the cache is empty. */
  endInput(): void {
    this.#inputEnded = true;
    this.#inputEndedResolve();
    this.#notify();
  }

  get inputHasEnded(): boolean {
    return this.#inputEnded;
  }

  stats(): SegmentQueueStats {
    const oldest = this.#segs.values().next().value as SegEntry | undefined;
    return {
      bytes: this.#bytes + this.#reserved,
      maximumBytes: this.maxBytes,
      segments: this.#segs.size,
      inFlight: this.#inFlight.size,
      oldestAgeMs: oldest ? Math.max(0, this.#now() - oldest.meta.start) : 0,
      pendingGaps: this.#gaps.size,
    };
  }

  /** Ids of cached segments, oldest first (for tests and diagnostics). */
  segmentIds(): number[] {
    return [...this.#segs.keys()];
  }

  /** Closes the journal and releases the lock. Waiters get `undefined`. Idempotent. */
  close(): Promise<void> {
    if (this.#closed)
      return this.#chain.then(
        () => {},
        () => {},
      );
    this.#closed = true;
    this.#notify();
    this.#notifyGaps();
    return this.#chain
      .then(
        () => {},
        () => {},
      )
      .finally(async () => {
        await this.#segDirHandle?.then((h) => h.close()).catch(() => undefined);
        this.#segDirHandle = undefined;
        this.#journal.close();
        this.#releaseLock();
      });
  }

  get closed(): boolean {
    return this.#closed;
  }

  // ---- plumbing ---------------------------------------------------------------------------

  #toCached(s: SegEntry): CachedSegment {
    const init = this.#inits.get(s.meta.initId);
    if (!init) throw new Error(`cache invariant: init ${s.meta.initId} missing for segment ${s.seq}`);
    return {
      id: s.seq,
      path: join(this.#segDir, s.file),
      byteSize: s.bytes,
      init: { id: init.id, path: join(this.#initDir, init.file), byteSize: init.bytes },
      startWallClockMs: s.meta.start,
      endWallClockMs: s.meta.end,
      mediaDurationMs: s.meta.mediaDurationMs,
      tracks: s.meta.tracks,
      baseMediaDecodeTime: s.meta.baseMediaDecodeTime,
      afterDiscontinuity: s.meta.afterDiscontinuity,
      cachedAtMs: s.at,
    };
  }

  async #append(records: readonly JournalRecord[]): Promise<void> {
    const all = this.#unjournalled.length ? [...this.#unjournalled, ...records] : records;
    await this.#journal.append(all);
    this.#unjournalled = [];
    this.#recordsSinceCompaction += all.length;
  }

  #assertOpen(): void {
    if (this.#closed) throw new CacheClosedError(`cache ${this.directory} is closed`);
  }

  /** Serialises mutations: one journal writer, one size account. */
  #exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#chain.then(fn, fn);
    this.#chain = run.catch(() => {});
    return run;
  }

  #wait(set: Set<() => void>, signal?: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const wake = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal?.reason);
      };
      const cleanup = (): void => {
        set.delete(wake);
        signal?.removeEventListener('abort', onAbort);
      };
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      set.add(wake);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  #notify(): void {
    for (const w of [...this.#waiters]) w();
  }
  #notifyGaps(): void {
    for (const w of [...this.#gapWaiters]) w();
  }
}

function gapRecord(g: GapEntry): JournalRecord {
  return { op: 'gap', id: g.id, start: g.start, end: g.end, reason: g.reason, lastSeq: g.lastSeq };
}

/** Gaps merged into another are removed as if acknowledged (after the merged gap's record). */
function absorbedRecords(absorbed: readonly GapEntry[]): JournalRecord[] {
  return absorbed.length ? [{ op: 'gapack', ids: absorbed.map((a) => a.id) }] : [];
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}
