// File steps the cache makes durable: fsync of files and folders, copy to a temp file.
import { open, copyFile, rename, unlink, stat, chmod } from 'node:fs/promises';
import { PRIVATE_FILE_MODE } from '../private-modes.ts';

export async function fsyncFile(path: string): Promise<void> {
  const fh = await open(path, 'r+');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Makes a rename or unlink inside `dir` durable, off the event loop. */
export async function fsyncDirAsync(dir: string): Promise<void> {
  const fh = await open(dir, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

/** Copies `from` to `tmp` and fsyncs it; removes the partial copy on failure. */
export async function copyDurably(from: string, tmp: string): Promise<void> {
  try {
    await copyFile(from, tmp);
    // a copy takes the source's mode; cached media is private whatever the source was
    await chmod(tmp, PRIVATE_FILE_MODE);
    await fsyncFile(tmp);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw e;
  }
}

export async function sameDevice(a: string, b: string): Promise<boolean> {
  const [sa, sb] = await Promise.all([stat(a), stat(b)]);
  return sa.dev === sb.dev;
}

export async function unlinkQuietly(path: string): Promise<void> {
  await unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}

export { rename };
