// One data folder for every command (`--data`, default `.data`): definitions, the embedded
// store and the cache all live under it, so what `run` recorded, `serve` shows and `export`
// finds. Earlier versions gave each command its own sub-folder; their data stays readable
// with `--data <that folder>`, and the commands say so once when they find it.
import { stat } from 'node:fs/promises';
import { join, relative } from 'node:path';

export const DEFAULT_DATA = '.data';

/** The per-command folders of earlier versions, under the default data folder. */
const OLD_FOLDERS = ['demo', 'run', 'host'] as const;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Prints one line naming earlier per-command data folders found under `dataDirectory`, if any. */
export async function hintOldDataFolders(dataDirectory: string, warn: (line: string) => void): Promise<void> {
  const found: string[] = [];
  for (const f of OLD_FOLDERS) {
    const old = join(dataDirectory, f);
    // recordings are what matters (the demo keeps its own definitions in <data>/demo)
    if (await exists(join(old, 'azurite'))) found.push(relative(process.cwd(), old) || old);
  }
  if (found.length) warn(`note: data of an earlier version (one folder per command) is in ${found.join(', ')}; read it with --data ${found[0]}`);
}

/**
 * The parameter a topology's `localMediaCachePath` is made of (`${cachePath}`), when the
 * instance gives it no value: it then defaults to `<data>/cache`, so the cache lives in the
 * data folder rather than wherever the command was started. A path written in the topology,
 * or a value the instance gives, says otherwise and is kept.
 */
export function cachePathParameter(topology: unknown, given: ReadonlySet<string>): string | undefined {
  const props = (topology as { properties?: Record<string, unknown> } | undefined)?.properties;
  for (const section of ['sinks', 'processors']) {
    const nodes = props?.[section];
    if (!Array.isArray(nodes)) continue;
    for (const node of nodes) {
      const path = (node as { localMediaCachePath?: unknown } | null)?.localMediaCachePath;
      const m = typeof path === 'string' ? /^\$\{([A-Za-z0-9_]+)\}$/.exec(path) : null;
      if (m && !given.has(m[1]!.toLowerCase())) return m[1];
    }
  }
  return undefined;
}

/**
 * An instance name for `run` when neither --name nor the instance file gives one: from the
 * camera's host, port and path (`192-168-1-20-stream1`), so each camera recorded with `run`
 * gets its own instance and asset; from the topology's name when there is no camera URL.
 * Letters, digits and single hyphens, at most 32 characters: fit for an asset name pattern.
 */
export function defaultInstanceName(topologyName: string, params: ReadonlyMap<string, readonly [string, string]>): string {
  let base = '';
  for (const [, value] of params.values()) {
    const m = /^rtsps?:\/\/(?:[^/@]*@)?([^/?#]+)([^?#]*)/i.exec(value);
    if (m) {
      base = `${m[1]}${m[2]}`;
      break;
    }
  }
  const name = (base || topologyName || 'run')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 32)
    .replace(/-+$/, '');
  return name.length >= 1 ? name : 'run';
}
