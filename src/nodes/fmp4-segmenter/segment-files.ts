// Performs the cutter's actions on disk, one at a time: init files once per id, the open
// segment as `<start>_<seq>.m4s.part` appended per fragment, fsynced and renamed at close.
// A full disk (ENOSPC) first asks for space (the cache evicts its oldest segment) and retries
// the write from where it stood; if nothing can be freed, the open segment is dropped whole
// (never a truncated file), reported, and recording resumes at the next segment.
import { mkdir, open, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../storage/private-modes.ts';
import type { CutterAction } from '../../media/segmenter/actions.ts';
import type { InitSegmentRef, SegmentMessage } from '../../types/segment.ts';

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
}

const isNoSpace = (e: unknown): boolean => ['ENOSPC', 'EDQUOT'].includes((e as NodeJS.ErrnoException | undefined)?.code ?? '');

export class SegmentFiles {
  private readonly inits = new Map<string, InitSegmentRef>();
  /** Init segments the cutter announced but the full disk has not taken yet. */
  private readonly pendingInits = new Map<string, Uint8Array>();
  private current: OpenFile | undefined;
  /** The segment being dropped (disk full): its appends and close are ignored. */
  private dropping = false;
  /** The next segment follows a dropped one: it starts after a hole. */
  private afterDrop = false;
  private dirReady = false;

  constructor(
    readonly directory: string,
    private readonly options: SegmentFilesOptions = {},
  ) {}

  /** Runs one action; returns the SegmentMessage when it closed a segment. */
  async perform(action: CutterAction): Promise<SegmentMessage | undefined> {
    if (!this.dirReady) {
      await mkdir(this.directory, { recursive: true, mode: PRIVATE_DIR_MODE });
      this.dirReady = true;
    }
    switch (action.type) {
      case 'init':
        this.pendingInits.set(action.id, action.bytes);
        await this.tryWritePendingInits();
        return undefined;
      case 'open-segment': {
        if (this.current) throw new Error(`segment ${this.current.partPath} still open`);
        this.dropping = false;
        const name = `${compactUtc(action.startWallClockMs)}_${String(action.sequence).padStart(6, '0')}.m4s`;
        const finalPath = join(this.directory, name);
        const partPath = `${finalPath}.part`;
        await this.tryWritePendingInits();
        const init = this.inits.get(action.initId);
        if (!init) {
          if (!this.pendingInits.has(action.initId)) throw new Error(`segment opened with unknown init ${action.initId}`);
          this.drop(finalPath, 'disk full: the init segment could not be written');
          return undefined;
        }
        try {
          const handle = await this.withSpace(() => open(partPath, 'w', PRIVATE_FILE_MODE));
          this.current = { partPath, finalPath, handle, init, size: 0 };
        } catch (e) {
          if (!isNoSpace(e)) throw e;
          this.drop(finalPath, `disk full: ${(e as Error).message}`);
        }
        return undefined;
      }
      case 'append': {
        if (this.dropping) return undefined;
        const file = this.current;
        if (!file) throw new Error('append without an open segment');
        const bytes = action.chunks.reduce((n, c) => n + c.length, 0);
        try {
          await this.withSpace(
            () => writeAll(file.handle, action.chunks, file.size),
            // a partial write is cut back so the retry appends the fragment exactly once
            () => file.handle.truncate(file.size),
          );
          file.size += bytes;
        } catch (e) {
          if (!isNoSpace(e)) throw e;
          await this.abort(true);
          this.drop(file.finalPath, `disk full: ${(e as Error).message}`);
        }
        return undefined;
      }
      case 'close-segment': {
        if (this.dropping) {
          this.dropping = false;
          return undefined;
        }
        const file = this.current;
        if (!file) throw new Error('close without an open segment');
        try {
          await this.withSpace(() => file.handle.sync());
        } catch (e) {
          if (!isNoSpace(e)) throw e;
          await this.abort(true);
          this.drop(file.finalPath, `disk full: ${(e as Error).message}`);
          this.dropping = false;
          return undefined;
        }
        this.current = undefined;
        await file.handle.close();
        await rename(file.partPath, file.finalPath);
        const s = action.summary;
        const afterDiscontinuity = s.afterDiscontinuity || this.afterDrop;
        this.afterDrop = false;
        return {
          kind: 'segment', path: file.finalPath, byteSize: file.size, init: file.init,
          startWallClockMs: s.startWallClockMs, endWallClockMs: s.endWallClockMs, mediaDurationMs: s.mediaDurationMs,
          tracks: s.tracks, baseMediaDecodeTime: s.baseMediaDecodeTime, afterDiscontinuity,
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

  private drop(path: string, reason: string): void {
    this.dropping = true;
    this.afterDrop = true;
    this.options.onDropped?.({ path, reason });
  }

  private async tryWritePendingInits(): Promise<void> {
    for (const [id, bytes] of this.pendingInits) {
      try {
        await this.withSpace(() => this.writeInit(id, bytes));
        this.pendingInits.delete(id);
      } catch (e) {
        if (!isNoSpace(e)) throw e;
        // kept pending: written before the next segment that needs it, once space is back
      }
    }
  }

  private async writeInit(id: string, bytes: Uint8Array): Promise<void> {
    if (this.inits.has(id)) return;
    const path = join(this.directory, `init-${id}.mp4`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size !== bytes.length) {
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

  /** Closes the open file after an error or unsubscription; its .part stays for inspection. */
  async abort(removePart = false): Promise<void> {
    const file = this.current;
    this.current = undefined;
    if (!file) return;
    await file.handle.close().catch(() => undefined);
    if (removePart) await unlink(file.partPath).catch(() => undefined);
  }
}
