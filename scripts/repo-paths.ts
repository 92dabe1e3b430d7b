// The repository's own root, found from this file (never from the working directory), and the
// repo-relative form of a path for anything written down (results, logs): a path on the
// machine that ran it means nothing in a clone elsewhere.
import { fileURLToPath } from 'node:url';
import { isAbsolute, relative, sep, basename } from 'node:path';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/[\\/]$/, '');

/** `path` relative to the repository (with `/`), or only its file name when it lies outside. */
export function repoRelative(path: string): string {
  if (!isAbsolute(path)) return path;
  const rel = relative(REPO_ROOT, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return basename(path);
  return rel.split(sep).join('/');
}
