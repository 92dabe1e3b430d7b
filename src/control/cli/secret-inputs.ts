// Secrets for the CLI from files and the environment. A command line is readable by every
// local user (`ps`, /proc/<pid>/cmdline); a process's environment (/proc/<pid>/environ, mode
// 0400) and a 0600 file only by its owner. So every secret option has a `--…-file` twin and an
// environment variable, and a secret still given on the command line earns a warning.
import { readFile } from 'node:fs/promises';

/** A secret input that cannot be used (exit code 2, like any usage error). The message never holds the secret. */
export class SecretInputError extends Error {
  override readonly name = 'SecretInputError';
}

/** Environment variables the CLI reads secrets from (listed by --help and in the README). */
export const SECRET_ENV = {
  token: 'MEDIAGRAPH_TOKEN',
  tokenFile: 'MEDIAGRAPH_TOKEN_FILE',
  blob: 'AZURE_STORAGE_CONNECTION_STRING',
  rtspPassword: 'MEDIAGRAPH_RTSP_PASSWORD',
  paramPrefix: 'MEDIAGRAPH_PARAM_',
} as const;

export const SECRETS_NOTE = `secrets, off the command line (which every local user can read):
  serve, invoke:       --token-file <file>, ${SECRET_ENV.token} or ${SECRET_ENV.tokenFile}
  run, serve, export:  --blob-file <file> or ${SECRET_ENV.blob}
  run:                 --param-file <file> (name=value lines) or ${SECRET_ENV.paramPrefix}<name>=<value>
  probe, record:       --password-file <file> or ${SECRET_ENV.rtspPassword}
a secret file holds the value alone (one trailing newline is ignored); keep it mode 0600.`;

/** The whole file as one value, without its trailing newline. Names the file, never its content. */
export async function readSecretFile(path: string, option: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    throw new SecretInputError(`${option}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  const value = text.replace(/\r?\n$/, '');
  if (value === '') throw new SecretInputError(`${option}: ${path} is empty`);
  return value;
}

export interface SecretSource {
  /** The option's name without dashes (`token`): `--token` and `--token-file`. */
  readonly option: string;
  readonly value: string | undefined;
  readonly file: string | undefined;
  /** Environment variables holding the value, and one naming a file that holds it. */
  readonly envVar?: string;
  readonly envFileVar?: string;
  /** Whether a value given as `--x` is a secret worth a warning (default: always). */
  readonly isSecret?: (value: string) => boolean;
}

/**
 * The secret from, in order: `--x`, `--x-file`, the environment variable, the file the
 * `…_FILE` variable names; undefined when none is given. Both `--x` and `--x-file` is an error.
 */
export async function resolveSecret(s: SecretSource, env: NodeJS.ProcessEnv, warn: (line: string) => void): Promise<string | undefined> {
  if (s.value !== undefined && s.file !== undefined) throw new SecretInputError(`give --${s.option} or --${s.option}-file, not both`);
  if (s.value !== undefined) {
    if (s.isSecret?.(s.value) ?? true) warn(commandLineWarning(`--${s.option}`, s));
    return s.value;
  }
  if (s.file !== undefined) return readSecretFile(s.file, `--${s.option}-file`);
  const fromEnv = s.envVar ? env[s.envVar] : undefined;
  if (fromEnv) return fromEnv;
  const envFile = s.envFileVar ? env[s.envFileVar] : undefined;
  if (envFile) return readSecretFile(envFile, s.envFileVar!);
  return undefined;
}

function commandLineWarning(what: string, s: Pick<SecretSource, 'option' | 'envVar'>): string {
  return `warning: ${what} on the command line is readable by every local user; prefer --${s.option}-file${s.envVar ? ` or ${s.envVar}` : ''}`;
}

/** A connection string or SAS URL carries a secret; a plain account URL (Entra ID) does not. */
export function blobHoldsSecret(value: string): boolean {
  return /AccountKey=|SharedAccessSignature=|[?&]sig=/i.test(value);
}

/** `--blob` / `--blob-file`; undefined leaves the choice to AZURE_STORAGE_CONNECTION_STRING or the embedded store. */
export function blobFlag(values: { blob?: string; 'blob-file'?: string }, warn: (line: string) => void): Promise<string | undefined> {
  return resolveSecret({ option: 'blob', value: values.blob, file: values['blob-file'], envVar: SECRET_ENV.blob, isSecret: blobHoldsSecret }, {}, warn);
}

/**
 * `name=value` lines (a parameter file): blank lines and lines starting with `#` are skipped;
 * the value is everything after the first `=`, kept as written (no quotes, no escapes), so a
 * password may hold any character but a line break.
 */
export function parseParamLines(text: string, path: string): [name: string, value: string][] {
  const out: [string, string][] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.replace(/^\uFEFF/, '');
    if (line.trim() === '' || line.trimStart().startsWith('#')) continue;
    const eq = line.indexOf('=');
    const name = eq > 0 ? line.slice(0, eq).trim() : '';
    // The line itself may be a secret: only its number is named.
    if (!name) throw new SecretInputError(`--param-file ${path}: line ${i + 1} is not name=value`);
    out.push([name, line.slice(eq + 1)]);
  }
  return out;
}

/** Parameters from `MEDIAGRAPH_PARAM_<name>` variables (the name as the topology spells it). */
export function paramsFromEnv(env: NodeJS.ProcessEnv): [name: string, value: string][] {
  return Object.entries(env)
    .filter((e): e is [string, string] => e[0].startsWith(SECRET_ENV.paramPrefix) && e[0].length > SECRET_ENV.paramPrefix.length && e[1] !== undefined)
    .map(([k, v]) => [k.slice(SECRET_ENV.paramPrefix.length), v]);
}

/** Parameters from every `--param-file`, later files winning. */
export async function paramsFromFiles(paths: readonly string[]): Promise<[name: string, value: string][]> {
  const out: [string, string][] = [];
  for (const p of paths) {
    let text: string;
    try {
      text = await readFile(p, 'utf8');
    } catch (e) {
      throw new SecretInputError(`--param-file: cannot read ${p}: ${(e as NodeJS.ErrnoException).code ?? 'error'}`);
    }
    out.push(...parseParamLines(text, p));
  }
  return out;
}

/** Warns about `--param` values the topology declares secret (or URLs carrying a password). */
export function warnSecretParams(given: readonly [string, string][], secrets: readonly string[], warn: (line: string) => void): void {
  const secretValues = new Set(secrets);
  for (const [name, value] of given) {
    if (secretValues.has(value) || /^[a-z][a-z0-9+.-]*:\/\/[^/@\s]*:[^/@\s]*@/i.test(value)) {
      warn(`warning: --param ${name}=… on the command line is readable by every local user; prefer --param-file or ${SECRET_ENV.paramPrefix}${name}`);
    }
  }
}
