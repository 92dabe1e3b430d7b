// Performs cutter actions as whole MP4 files: init + every fragment of a run in one file
// (`<name>-<n>.mp4.part` while writing; at close the init's duration fields are patched, then
// fsync and rename), and keeps the folder
// under its size bound by deleting the oldest finished files.
import { open, readdir, rename, stat, unlink, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { makeDirectory } from '../../storage/make-directory.ts';
import type { CutterAction } from '../../media/segmenter/actions.ts';
import { patchInitDuration } from '../../media/mp4/init.ts';
import { writeAll } from '../fmp4-segmenter/segment-files.ts';
import { nextIndex } from './file-name.ts';

export interface FinishedFile {
  readonly path: string;
  readonly byteSize: number;
  readonly deleted: readonly string[];
}

export interface Mp4FilesOptions {
  readonly directory: string;
  /** Name (without `-<n>.mp4`) for a file starting at this wall-clock time. */
  readonly nameAt: (startWallClockMs: number) => string;
  readonly maximumBytes: number;
  /** Which existing files in the folder belong to this sink (only those are ever deleted). */
  readonly owns: (fileName: string) => boolean;
  readonly onOpen?: (path: string) => void;
  /** The file's first fragment is on disk: the recording can be played. */
  readonly onFirstFragment?: (path: string) => void;
}

interface Current {
  readonly partPath: string;
  readonly path: string;
  readonly handle: FileHandle;
  readonly init: Uint8Array;
  bytes: number;
  fragments: number;
}

export class Mp4Files {
  private readonly inits = new Map<string, Uint8Array>();
  /** Files this sink finished, oldest first (plus those found on disk at start). */
  private finished: { path: string; size: number; mtimeMs: number }[] | undefined;
  private current: Current | undefined;

  constructor(private readonly options: Mp4FilesOptions) {}

  async perform(action: CutterAction): Promise<FinishedFile | undefined> {
    switch (action.type) {
      case 'init':
        this.inits.set(action.id, action.bytes);
        return undefined;
      case 'open-segment': {
        const init = this.inits.get(action.initId);
        if (!init) throw new Error(`file opened with unknown init ${action.initId}`);
        makeDirectory(this.options.directory); // one level at a time: a user path under /proc must not spin
        await this.loadExisting();
        const base = this.options.nameAt(action.startWallClockMs);
        const n = nextIndex(base, await readdir(this.options.directory));
        const path = join(this.options.directory, `${base}-${n}.mp4`);
        const partPath = `${path}.part`;
        const handle = await open(partPath, 'wx');
        this.current = { path, partPath, handle, init, bytes: 0, fragments: 0 };
        await writeAll(handle, [init]);
        this.current.bytes += init.length;
        this.options.onOpen?.(path);
        return undefined;
      }
      case 'append': {
        const c = this.current;
        if (!c) throw new Error('append without an open file');
        await writeAll(c.handle, action.chunks);
        c.bytes += action.byteLength;
        if (c.fragments++ === 0) this.options.onFirstFragment?.(c.path);
        await this.enforceQuota();
        return undefined;
      }
      case 'close-segment': {
        const c = this.current;
        if (!c) throw new Error('close without an open file');
        this.current = undefined;
        // Now the length is known: say it in mvhd/mehd, over the init's own bytes.
        const init = patchInitDuration(c.init, action.summary.mediaDurationMs);
        await c.handle.write(init, 0, init.length, 0);
        await c.handle.sync();
        await c.handle.close();
        await rename(c.partPath, c.path);
        this.finished!.push({ path: c.path, size: c.bytes, mtimeMs: Date.now() });
        const deleted = await this.enforceQuota();
        return { path: c.path, byteSize: c.bytes, deleted };
      }
      case 'track-rejected':
        return undefined;
    }
  }

  /** This sink's files already in the folder count against the bound, oldest first. */
  private async loadExisting(): Promise<void> {
    if (this.finished) return;
    const names = (await readdir(this.options.directory)).filter((f) => this.options.owns(f));
    const found = await Promise.all(
      names.map(async (f) => {
        const p = join(this.options.directory, f);
        const s = await stat(p).catch(() => undefined);
        return s?.isFile() ? { path: p, size: s.size, mtimeMs: s.mtimeMs } : undefined;
      }),
    );
    this.finished = found.filter((x) => x !== undefined).sort((a, b) => a.mtimeMs - b.mtimeMs);
  }

  /** Deletes the oldest finished files while the folder holds more than the bound. */
  private async enforceQuota(): Promise<string[]> {
    const deleted: string[] = [];
    const list = this.finished ?? [];
    let total = list.reduce((n, f) => n + f.size, 0) + (this.current?.bytes ?? 0);
    while (total > this.options.maximumBytes && list.length > 0) {
      const oldest = list.shift()!;
      await unlink(oldest.path).catch((e: NodeJS.ErrnoException) => {
        if (e.code !== 'ENOENT') throw e;
      });
      total -= oldest.size;
      deleted.push(oldest.path);
    }
    return deleted;
  }

  async abort(): Promise<void> {
    const c = this.current;
    this.current = undefined;
    if (c) await c.handle.close().catch(() => undefined);
  }
}
