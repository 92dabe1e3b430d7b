// Creates a folder and its missing parents one level at a time. Node's own recursive mkdir
// (sync and async, Node 20) never returns for some paths, e.g. under /proc/<pid>/, where
// each level answers ENOENT: it spins at 100 % CPU and blocks every camera of the host.
// Here each level is one mkdir, so the first refusal (ENOENT, ENOTDIR, EACCES, EROFS) is
// the error the caller gets.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';

export function makeDirectory(path: string, mode?: number): void {
  const missing: string[] = [];
  let at = resolve(path);
  // walk up to the first folder that exists (bounded by the path's depth)
  for (;;) {
    try {
      if (!statSync(at).isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, mkdir '${path}'`), { code: 'ENOTDIR', path: at });
      break;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      const parent = dirname(at);
      missing.push(at);
      if (parent === at) break;
      at = parent;
    }
  }
  for (const dir of missing.reverse()) {
    try {
      mkdirSync(dir, mode === undefined ? undefined : { mode });
    } catch (e) {
      // another process (or a sibling cache) created it in between
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST' || !statSync(dir).isDirectory()) throw e;
    }
  }
}
