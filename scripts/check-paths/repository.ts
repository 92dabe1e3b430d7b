// Walks the parts of the repository that scripts/check-paths.ts checks and applies the rules
// to every text file. Returns `file:line: match: why` lines.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { scanText } from './rules.ts';

const CHECKED = ['src', 'test', 'bench', 'faults', 'scripts', 'docs', 'examples', 'bin', 'schemas', '.ci', 'README.md', 'package.json'];
const SKIPPED_DIRS = new Set(['node_modules', '.git', '.cache', '.data', 'tmp']);
const BINARY = /\.(mp4|m4s|png|jpe?g|gif|ico|woff2?|gz|zip)$/i;
/** Files the check skips (none: the rules and their test assemble the names they look for). */
const EXEMPT = new Set<string>([]);

function walk(path: string, out: string[]): string[] {
  let entries;
  try {
    entries = readdirSync(path, { withFileTypes: true });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOTDIR') out.push(path);
    else if (code !== 'ENOENT') throw e;
    return out;
  }
  for (const entry of entries) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name)) walk(join(path, entry.name), out);
    } else if (entry.isFile()) out.push(join(path, entry.name));
  }
  return out;
}

export interface RepositoryScan {
  readonly filesChecked: number;
  readonly problems: readonly string[];
}

/** Folders the repository's own build creates (git-ignored). */
const BUILT_FOLDERS = ['dist'];

export function scanRepository(root: string): RepositoryScan {
  const files = CHECKED.flatMap((p) => walk(join(root, p), []));
  const rootEntries = readdirSync(root, { withFileTypes: true });
  // dist/ is built from src/ by `npm run build` (and `prepare`): bin/ points into it before it exists.
  const topLevel = new Set([...rootEntries.map((e) => e.name), ...BUILT_FOLDERS]);
  const names = new Set([...rootEntries.filter((e) => e.isFile()).map((e) => e.name)]);
  for (const f of files) for (const part of relative(root, f).split(sep)) names.add(part);
  const problems: string[] = [];
  for (const abs of files) {
    const file = relative(root, abs).split(sep).join('/');
    if (EXEMPT.has(file) || BINARY.test(file)) continue;
    const text = readFileSync(abs, 'utf8');
    if (text.includes('\u0000')) continue;
    for (const f of scanText(text, { file, names, topLevel })) problems.push(`${file}:${f.line}: ${f.text}: ${f.why}`);
  }
  return { filesChecked: files.length, problems };
}
