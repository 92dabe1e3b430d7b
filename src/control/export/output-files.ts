// Names and no-clobber writes for export output: `<asset>_<start>.mp4` with the start time
// in a form every file system accepts, and files that appear whole or not at all.
import { createReadStream, createWriteStream } from 'node:fs';
import { link, rename, rm, writeFile } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';

/** 2026-12-07T06:32:00.000Z → 2026-12-07T06-32-00.000Z (no colons: Windows and SMB shares refuse them). */
export function timeForFileName(ms: number): string {
  return new Date(ms).toISOString().replaceAll(':', '-');
}

/** The asset name as part of a file name: path separators and other awkward characters become `-`. */
export function assetForFileName(asset: string): string {
  return asset.replace(/[^A-Za-z0-9._-]/g, '-');
}

export class OutputExistsError extends Error {
  override readonly name = 'OutputExistsError';
  constructor(readonly path: string) {
    super(`${path} already exists (use --force to overwrite it)`);
  }
}

/** Moves a finished temporary file to `path`; refuses to replace an existing file unless `force`. */
export async function publish(tempPath: string, path: string, force: boolean): Promise<void> {
  if (force) {
    await rename(tempPath, path);
    return;
  }
  try {
    await link(tempPath, path); // fails with EEXIST instead of replacing, unlike rename
  } catch (e) {
    await rm(tempPath, { force: true });
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new OutputExistsError(path);
    throw e;
  }
  await rm(tempPath, { force: true });
}

/** header + the payload file's bytes, into `tempPath`. */
export async function assemble(tempPath: string, header: Uint8Array, payloadPath: string): Promise<void> {
  await writeFile(tempPath, header);
  await pipeline(createReadStream(payloadPath), createWriteStream(tempPath, { flags: 'a' }));
}
