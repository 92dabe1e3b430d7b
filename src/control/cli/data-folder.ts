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
  return stat(path).then(() => true, () => false);
}

/** Prints one line naming earlier per-command data folders found under `dataDirectory`, if any. */
export async function hintOldDataFolders(dataDirectory: string, warn: (line: string) => void): Promise<void> {
  const found: string[] = [];
  for (const f of OLD_FOLDERS) {
    const old = join(dataDirectory, f);
    if ((await exists(join(old, 'definitions'))) || (await exists(join(old, 'azurite')))) found.push(relative(process.cwd(), old) || old);
  }
  if (found.length) warn(`note: data of an earlier version (one folder per command) is in ${found.join(', ')}; read it with --data ${found[0]}`);
}
