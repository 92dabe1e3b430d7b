// Performs the cutter's actions on disk, one at a time: init files once per id, the open
// segment as `<start>_<seq>.m4s.part` appended per fragment, fsynced and renamed at close.
import { mkdir, open, rename, stat, unlink, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { CutterAction } from '../../media/segmenter/actions.ts';
import type { InitSegmentRef, SegmentMessage } from '../../types/segment.ts';

/** `2026-01-01T12:00:00.000Z` → `20260101T120000.000Z`: sorts by time, safe in file names. */
export function compactUtc(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

/** Writes every chunk, even if the kernel takes fewer bytes than asked. */
export async function writeAll(handle: FileHandle, chunks: readonly Uint8Array[]): Promise<void> {
  let rest = chunks.filter((c) => c.length > 0);
  while (rest.length > 0) {
    const { bytesWritten } = await handle.writev(rest as Uint8Array[]);
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
}

export class SegmentFiles {
  private readonly inits = new Map<string, InitSegmentRef>();
  private current: OpenFile | undefined;
  private dirReady = false;

  constructor(readonly directory: string) {}

  /** Runs one action; returns the SegmentMessage when it closed a segment. */
  async perform(action: CutterAction): Promise<SegmentMessage | undefined> {
    if (!this.dirReady) {
      await mkdir(this.directory, { recursive: true });
      this.dirReady = true;
    }
    switch (action.type) {
      case 'init':
        await this.writeInit(action.id, action.bytes);
        return undefined;
      case 'open-segment': {
        if (this.current) throw new Error(`segment ${this.current.partPath} still open`);
        const init = this.inits.get(action.initId);
        if (!init) throw new Error(`segment opened with unknown init ${action.initId}`);
        const name = `${compactUtc(action.startWallClockMs)}_${String(action.sequence).padStart(6, '0')}.m4s`;
        const finalPath = join(this.directory, name);
        const partPath = `${finalPath}.part`;
        this.current = { partPath, finalPath, handle: await open(partPath, 'w'), init };
        return undefined;
      }
      case 'append':
        if (!this.current) throw new Error('append without an open segment');
        await writeAll(this.current.handle, action.chunks);
        return undefined;
      case 'close-segment': {
        const file = this.current;
        if (!file) throw new Error('close without an open segment');
        this.current = undefined;
        await file.handle.sync();
        await file.handle.close();
        await rename(file.partPath, file.finalPath);
        const s = action.summary;
        return {
          kind: 'segment', path: file.finalPath, byteSize: s.byteSize, init: file.init,
          startWallClockMs: s.startWallClockMs, endWallClockMs: s.endWallClockMs, mediaDurationMs: s.mediaDurationMs,
          tracks: s.tracks, baseMediaDecodeTime: s.baseMediaDecodeTime, afterDiscontinuity: s.afterDiscontinuity,
        };
      }
      case 'track-rejected':
        return undefined;
    }
  }

  private async writeInit(id: string, bytes: Uint8Array): Promise<void> {
    if (this.inits.has(id)) return;
    const path = join(this.directory, `init-${id}.mp4`);
    const existing = await stat(path).catch(() => undefined);
    if (existing?.size !== bytes.length) {
      // Content-addressed: write beside it and rename, so a reader never sees half a file.
      const tmp = `${path}.${process.pid}.tmp`;
      await writeFile(tmp, bytes, { flush: true });
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
