// Performs the cutter's actions on disk, one at a time: init files once per id, the open
// segment as `<start>_<seq>.m4s.part` appended per fragment, fsynced and renamed at close.
// A full disk (ENOSPC) first asks for space (the cache evicts its oldest segment) and retries
// the write from where it stood; if nothing can be freed, the open segment is dropped whole
// (never a truncated file), reported, and recording resumes at the next segment.
// With a durable cache downstream the files are written in the cache's workspace (inside its
// folder and its bound): every fragment reserves its bytes first, so media on disk never
// exceeds the bound, and the names carry the init id, so a crash leaves files that can be
// salvaged without any other record. A folder that cannot be written (read-only, no
// permission, I/O error) drops the segment like a full disk. Every dropped segment is
// returned as a `write-failed` gap, never a silent hole.
import { open, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../storage/private-modes.ts';
import { makeDirectory } from '../../storage/make-directory.ts';
import type { CutterAction } from '../../media/segmenter/actions.ts';
import type { Gap, InitSegmentRef, SegmentMessage } from '../../types/segment.ts';
import type { SegmentWorkspace } from '../../types/cache.ts';

/** `2026-01-01T12:00:00.000Z` → `20260101T120000.000Z`: sorts by time, safe in file names. */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

/** Writes every chunk at `position` (or the file position), even if the kernel takes fewer bytes than asked. */
export async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[], position?: number): Promise<void> {
  let rest = chunks.filter((c) => c.length > 0);
  let at = position;
  while (rest.length > 0) {
    const { bytesWritten } = at === undefined ? await handle.writev(rest as Uint8Array[]) : await handle.writev(rest as Uint8Array[], at);
    if (at !== undefined) at += bytesWritten;
    let n = bytesWritten;
    let i = 0;
    while (i < rest.length && n >= rest[i]!.length) n -= rest[i++]!.length;
    rest = rest.slice(i);
    if (n > 0 && rest[0]) rest[0] = rest[0].subarray(n);
  }
}

interface OpenFile {
  readonly partPath: string;
  readonly finalPath: string;
  readonly handle: FileHandle;
  readonly init: InitSegmentRef;
  /** Bytes durably appended so far: a failed append is cut back to this. */
  size: number;
}

export interface SegmentFilesOptions {
  /** Asked for space when a write fails with ENOSPC; true when something was freed. */
  readonly reclaimSpace?: () => Promise<boolean>;
  /** Told when a segment is dropped because the disk stayed full. */
  readonly onDropped?: (what: { path: string; reason: string }) => void;
  /** Bound on space requests for one write (each frees one cached segment). */
  readonly maxReclaims?: number;
  /** The cache's workspace, once it is open (undefined: write to `directory`). Awaited before the first write. */
  readonly workspace?: Promise<SegmentWorkspace | undefined>;
}

const errno = (e: unknown): string => (e as NodeJS.ErrnoException | undefined)?.code ?? '';
const isNoSpace = (e: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes(errno(e));
/** The folder refuses writes: the segment is lost, recording goes on (and tries again at the next one). */
const isUnwritable = (e: unknown): boolean => ['EROFS', 'EACCES', 'EPERM', 'EIO', 'ENOENT'].includes(errno(e));
const dropsSegment = (e: unknown): boolean => isNoSpace(e) || isUnwritable(e);

class NoRoomError extends Error {}

export class SegmentFiles {
  private readonly inits = new Map<string, InitSegmentRef>();
  /** Init segments the cutter announced but the full disk has not taken yet. */
  private readonly pendingInits = new Map<string, Uint8Array>();
  private current: OpenFile | undefined;
  /** The segment being dropped (disk full): its appends and close are ignored. */
  private dropping = false;
  private dirReady = false;
  private space: SegmentWorkspace | undefined;
  private placed = false;
  /** Start of the segment being dropped: the gap returned at its close begins here. */
  private droppedStart: number | undefined;
  /** A hard stop left the open segment's .part for salvage: its init must stay beside it. */
  private leftPart = false;

  constructor(
    public directory: string,
    private readonly options: SegmentFilesOptions = {},
  ) {}

  /** Runs one action; returns the SegmentMessage when it closed a segment, a Gap when it dropped one. */
  async perform(action: CutterAction): Promise<SegmentMessage | Gap | undefined> {
    if (!this.placed) {
      this.placed = true;
      this.space = await this.options.workspace;
      if (this.space) this.directory = this.space.directory;
    }
    try {
      this.ensureDirectory();
    } catch (e) {
      if (!dropsSegment(e)) throw e;
    }
    switch (action.type) {
      case 'init':
        this.pendingInits.set(action.id, action.bytes);
        await this.tryWritePendingInits();
        return undefined;
      case 'open-segment': {
        if (this.current) throw new Error(`segment ${this.current.partPath} still open`);
        this.dropping = false;
        this.droppedStart = undefined;
        const initPart = this.space ? `_${action.initId}` : '';
        const name = `${compactUtc(action.startWallClockMs)}_${String(action.sequence).padStart(6, '0')}${initPart}.m4s`;
        const finalPath = join(this.directory, name);
        const partPath = `${finalPath}.part`;
        await this.tryWritePendingInits();
        const init = this.inits.get(action.initId);
        if (!init) {
          if (!this.pendingInits.has(action.initId)) throw new Error(`segment opened with unknown init ${action.initId}`);
          this.drop(finalPath, 'the init segment could not be written', action.startWallClockMs);
          return undefined;
        }
        try {
          this.ensureDirectory();
          const handle = await this.withSpace(() => open(partPath, 'w', PRIVATE_FILE_MODE));
          this.current = { partPath, finalPath, handle, init, size: 0 };
        } catch (e) {
          if (!dropsSegment(e)) throw e;
          this.drop(finalPath, describeFailure(e), action.startWallClockMs);
        }
        return undefined;
      }
      case 'append': {
        if (this.dropping) return undefined;
        const file = this.current;
        if (!file) throw new Error('append without an open segment');
        const bytes = action.chunks.reduce((n, c) => n + c.length, 0);
        let reserved = false;
        try {
          // Room under the cache's bound first (it evicts the oldest cached media), then the write.
          if (this.space) {
            if (!(await this.space.reserve(bytes))) throw new NoRoomError(`the open segment does not fit under the cache bound (${file.size + bytes} bytes)`);
            reserved = true;
          }
          await this.withSpace(
            () => writeAll(file.handle, action.chunks, file.size),
            // a partial write is cut back so the retry appends the fragment exactly once
            () => file.handle.truncate(file.size),
          );
          file.size += bytes;
        } catch (e) {
          if (!dropsSegment(e) && !(e instanceof NoRoomError)) throw e;
          if (reserved) this.space?.unreserve(bytes);
          await this.abort(true);
          this.drop(file.finalPath, describeFailure(e));
        }
        return undefined;
      }
      case 'close-segment': {
        const s = action.summary;
        const lost = (): Gap => ({
          kind: 'gap',
          startWallClockMs: Math.min(this.droppedStart ?? s.startWallClockMs, s.startWallClockMs),
          endWallClockMs: s.endWallClockMs,
          reason: 'write-failed',
        });
        if (this.dropping) {
          this.dropping = false;
          return lost();
        }
        const file = this.current;
        if (!file) throw new Error('close without an open segment');
        try {
          await this.withSpace(() => file.handle.sync());
        } catch (e) {
          if (!dropsSegment(e)) throw e;
          await this.abort(true);
          this.drop(file.finalPath, describeFailure(e));
          this.dropping = false;
          return lost();
        }
        this.current = undefined;
        await file.handle.close();
        // The file is whole and durable. In a cache's workspace it is handed over under its .part
        // name: the cache's rename into its own folder is the only one (a crash before it leaves
        // a .part that salvage closes at its last fragment, i.e. whole). Elsewhere it is renamed
        // to its final name, so readers of the folder never see a growing file; if the folder
        // refuses that, it is handed over as .part too.
        let path = file.partPath;
        if (!this.space) {
          try {
            await rename(file.partPath, file.finalPath);
            path = file.finalPath;
          } catch (e) {
            if (!isUnwritable(e)) throw e;
          }
        }
        // A dropped segment before this one is its own gap record (returned at its close), not
        // a discontinuity: the stream itself went on, and a discontinuity reads as camera-lost.
        const afterDiscontinuity = s.afterDiscontinuity;
        return {
          kind: 'segment',
          path,
          byteSize: file.size,
          init: file.init,
          startWallClockMs: s.startWallClockMs,
          endWallClockMs: s.endWallClockMs,
          mediaDurationMs: s.mediaDurationMs,
          tracks: s.tracks,
          baseMediaDecodeTime: s.baseMediaDecodeTime,
          afterDiscontinuity,
        };
      }
      case 'track-rejected':
        return undefined;
    }
  }

  /** Runs a write; on ENOSPC undoes what it half did, asks for space and tries again. */
  private async withSpace<T>(write: () => Promise<T>, undo?: () => Promise<void>): Promise<T> {
    const max = this.options.maxReclaims ?? 64;
    for (let attempt = 0; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if (!isNoSpace(e)) throw e;
        await undo?.().catch(() => undefined);
        if (attempt >= max || !this.options.reclaimSpace || !(await this.options.reclaimSpace())) throw e;
      }
    }
  }

  private drop(path: string, reason: string, start?: number): void {
    if (start !== undefined) this.droppedStart = start;
    if (this.current) {
      // bytes written (and reserved) for a file that abort() deleted
      this.space?.unreserve(this.current.size);
    }
    this.dropping = true;
    this.options.onDropped?.({ path, reason });
  }

  private async tryWritePendingInits(): Promise<void> {
    for (const [id, bytes] of this.pendingInits) {
      try {
        await this.withSpace(() => this.writeInit(id, bytes));
        this.pendingInits.delete(id);
      } catch (e) {
        if (!dropsSegment(e) && !(e instanceof NoRoomError)) throw e;
        // kept pending: written before the next segment that needs it, once space is back
      }
    }
  }

  private async writeInit(id: string, bytes: Uint8Array): Promise<void> {
    if (this.inits.has(id)) return;
    const path = join(this.directory, `init-${id}.mp4`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size !== bytes.length) {
      if (this.space && !(await this.space.reserve(bytes.length))) throw new NoRoomError('no room for the init segment under the cache bound');
      // Content-addressed: write beside it and rename, so a reader never sees half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      try {
        await writeFile(tmp, bytes, { flush: true, mode: PRIVATE_FILE_MODE });
      } catch (e) {
        await unlink(tmp).catch(() => undefined);
        throw e;
      }
      await rename(tmp, path);
    }
    this.inits.set(id, { id, path, byteSize: bytes.length });
  }

  /** Makes the folder once; after a refusal the next action tries again. */
  private ensureDirectory(): void {
    if (this.dirReady) return;
    makeDirectory(this.directory, PRIVATE_DIR_MODE); // one level at a time: a user path under /proc must not spin
    this.dirReady = true;
  }

  /** See releaseWorkspace: only in a workspace, and only when no segment file stays behind. */
  async removeWorkspaceInits(): Promise<void> {
    if (!this.space || this.current || this.leftPart) return;
    // Not now: the cache may still be taking the last segment, which reads its init from here.
    const space = this.space;
    const inits = [...this.inits.values()];
    this.inits.clear();
    space.afterIntake(async () => {
      for (const init of inits) {
        await unlink(init.path).catch(() => undefined);
        space.unreserve(init.byteSize);
      }
    });
  }

  /**
   * Closes the open file after an error or unsubscription. Its .part stays: in a cache's
   * workspace it is salvaged at the next start (its whole fragments kept).
   */
  async abort(removePart = false): Promise<void> {
    const file = this.current;
    if (!file) return;
    if (removePart) this.space?.unreserve(file.size);
    else this.leftPart = true;
    this.current = undefined;
    await file.handle.close().catch(() => undefined);
    if (removePart) await unlink(file.partPath).catch(() => undefined);
  }
}

/**
 * The end of a run: with no segment open, the init files this run wrote in a cache workspace
 * are removed (the cache holds its own copy of every init a segment uses); with one open
 * (a hard stop) they stay, so the next start can salvage that segment.
 */
export async function releaseWorkspace(files: SegmentFiles): Promise<void> {
  await files.abort();
  await files.removeWorkspaceInits();
}

function describeFailure(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return isNoSpace(e) ? `disk full: ${message}` : e instanceof NoRoomError ? message : `the folder cannot be written: ${message}`;
}
