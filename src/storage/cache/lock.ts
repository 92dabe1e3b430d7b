// One process per cache folder: a lock file created with O_EXCL holding the owner's pid.
// A lock whose pid no longer exists (process.kill(pid, 0) → ESRCH) is stale and taken over.
import { openSync, writeSync, closeSync, readFileSync, unlinkSync } from 'node:fs';

export class CacheLockedError extends Error {
  override readonly name = 'CacheLockedError';
  constructor(readonly directory: string, readonly ownerPid: number) {
    super(`cache folder ${directory} is in use by process ${ownerPid}`);
  }
}

/** Lock files this process holds, so a second open inside the same process fails too. */
const heldHere = new Set<string>();

export function acquireLock(lockPath: string, directory: string): () => void {
  if (heldHere.has(lockPath)) throw new CacheLockedError(directory, process.pid);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(lockPath, 'wx');
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      heldHere.add(lockPath);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(lockPath);
        try { unlinkSync(lockPath); } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    const owner = readOwner(lockPath);
    if (owner !== undefined && isAlive(owner)) throw new CacheLockedError(directory, owner);
    // Stale (owner gone) or unreadable (owner died between create and write): take it over.
    try { unlinkSync(lockPath); } catch { /* someone else removed it first */ }
  }
  throw new CacheLockedError(directory, readOwner(lockPath) ?? -1);
}

function readOwner(lockPath: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
