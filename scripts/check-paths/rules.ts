// What "a path outside the repository" means for scripts/check-paths.ts. The repository must
// work from a clone anywhere: code, tests, docs and committed results may name files in the
// repository (relative), the machine's kernel and programs, and folders on the device a
// topology describes; never a folder on the machine someone worked on.

/** First segments of absolute paths that name a machine's own folders. */
const ROOTS = [
  'bin',
  'boot',
  'dev',
  'etc',
  'home',
  'lib',
  'lib64',
  'media',
  'mnt',
  'opt',
  'private',
  'proc',
  'root',
  'run',
  'sbin',
  'srv',
  'sys',
  'tmp',
  'usr',
  'var',
  'work',
  'Users',
  'Volumes',
];

/**
 * Absolute paths that are legitimate anywhere, each with its reason. Extend with care: an entry
 * here is a promise that the path means the same thing on every machine that runs the code.
 */
export const ALLOWED: readonly { readonly prefix: RegExp; readonly why: string }[] = [
  { prefix: /^\/(proc|sys)(\/|$)/, why: 'kernel interfaces (CPU and memory figures)' },
  { prefix: /^\/dev\/(null|zero|u?random|shm)\b/, why: 'standard devices' },
  { prefix: /^\/(usr\/)?(local\/)?s?bin\/[\w.+-]+$/, why: 'system programs (shebangs, python3, chromium)' },
  { prefix: /^\/var\/(lib\/(azuremediaservices|mediagraph)|media)\b/, why: 'folders on the edge device a topology configures (LVA examples)' },
];

/** A line carrying this marker is not checked (say why on the same line). */
export const LINE_MARKER = 'outside-path-ok';

/** Documents the original team kept beside the repository; the repository's docs/ replace them. */
const OUTSIDE_DOCUMENTS = ['DESIGN', 'STYLE', 'LVA', 'CAMERA-QUIRKS', 'DEPENDENCIES'].map((n) => `${n}.md`);

export interface Finding {
  readonly line: number;
  readonly text: string;
  readonly why: string;
}

/** `/<root>/…`: a bare `/media` or `/tmp` is a word (or a regex), not a path to anything. */
const absolute = new RegExp(`(?<![\\w.:/~$@{}-])/(?:${ROOTS.join('|')})/[^\\s'"\`),;|<>\\]]*(?=[\\s'"\`),;|<>\\]]|$)`, 'g');
const home = /(?<![\w/])(?:~|\$HOME|\$\{HOME\})(?:\/[\w.-]+)+/g;
const windows = /\b[A-Za-z]:\\\\?(?:Users|Windows|tmp|temp)\b/gi;
const climbing = /(?<![\w./])(?:\.\.\/)+[\w.-]+(?:\/[\w.-]+)*/g;
const fileName = /(?<![\w/.-])(?:[\w.-]+\/)*[\w.-]+\.(?:md|sh|py)\b/g;

export interface ScanContext {
  /** Repository-relative path of the file, with `/`. */
  readonly file: string;
  /** Every file and folder name (basename) in the repository, for "is that document here?". */
  readonly names: ReadonlySet<string>;
  /** Names of the entries at the repository's root, for "is that folder here?". */
  readonly topLevel: ReadonlySet<string>;
}

/** The findings in one file's text. */
export function scanText(text: string, ctx: ScanContext): Finding[] {
  const out: Finding[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line.includes(LINE_MARKER)) return;
    const add = (match: string, why: string) => out.push({ line: i + 1, text: match, why });
    for (const m of line.matchAll(absolute)) {
      const path = m[0];
      if (!ALLOWED.some((a) => a.prefix.test(path))) add(path, 'absolute path to a folder outside the repository');
    }
    for (const m of line.matchAll(home)) add(m[0], 'path in a home folder');
    for (const m of line.matchAll(windows)) add(m[0], 'Windows path outside the repository');
    for (const m of line.matchAll(climbing)) {
      const inside = resolveInRepo(ctx.file, m[0]);
      if (inside === undefined) add(m[0], 'relative path that climbs out of the repository');
      // a doc's example may be relative to another file: a folder of that name anywhere will do
      else if (inside.length > 0 && !ctx.topLevel.has(inside[0]!) && !ctx.names.has(m[0].split('/').find((p) => p !== '..') ?? '')) {
        add(m[0], 'relative path to a folder that is not in the repository');
      }
    }
    for (const m of line.matchAll(fileName)) {
      const name = m[0].split('/').pop()!;
      if (OUTSIDE_DOCUMENTS.includes(name)) add(m[0], 'cites a document that is not in the repository (point at docs/ or say the reason)');
      else if (!ctx.names.has(name)) add(m[0], 'names a file that is not in the repository');
    }
  });
  return out;
}

/**
 * `rel` (e.g. `../../src`) read from `file`'s folder, as repository path segments; undefined
 * when it leaves the repository root.
 */
function resolveInRepo(file: string, rel: string): string[] | undefined {
  const at = file.split('/').slice(0, -1);
  for (const part of rel.split('/')) {
    if (part === '..') {
      if (at.pop() === undefined) return undefined;
    } else if (part !== '.' && part !== '') at.push(part);
  }
  return at;
}
