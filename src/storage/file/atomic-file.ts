// Whole-file writes that a crash cannot tear: the bytes go to a temporary file in the same
// folder, which is synced and then renamed over the target; the folder is synced so that the
// rename itself survives a power loss. A reader sees the old file or the new one, never half.
import { open, rename, unlink, copyFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import { PRIVATE_FILE_MODE } from '../private-modes.ts';

function tempName(target: string): string {
  return join(dirname(target), `.tmp-${randomBytes(6).toString('hex')}`);
}

async function syncFolder(folder: string): Promise<void> {
  const fh = await open(folder, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Writes `data` to `target` atomically. */
export async function writeFileAtomic(target: string, data: Buffer | string): Promise<void> {
  const tmp = tempName(target);
  try {
    const fh = await open(tmp, 'wx', PRIVATE_FILE_MODE);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncFolder(dirname(target));
}

/** Copies the file at `source` to `target` atomically. */
export async function copyFileAtomic(source: string, target: string): Promise<void> {
  const tmp = tempName(target);
  try {
    await copyFile(source, tmp);
    const fh = await open(tmp, 'r+');
    try {
      await fh.chmod(PRIVATE_FILE_MODE);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, target);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
  await syncFolder(dirname(target));
}
