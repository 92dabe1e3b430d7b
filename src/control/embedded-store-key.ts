// The embedded store's account key. Azurite's published development key would let anyone who
// reaches the port read and write the recordings, bypassing serve's token; so the embedded
// store gets a key of its own, generated at its first start and kept beside its data (0600),
// so recordings stay readable across restarts.
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const EMBEDDED_KEY_FILE = 'account-key';
const KEY_BYTES = 64;

/** The key (base64) kept in `location`, created on first use; the folder is made private. */
export async function embeddedStoreKey(location: string): Promise<string> {
  await mkdir(location, { recursive: true, mode: 0o700 });
  // Folders made by older versions were 0755: the recordings inside are no one else's business.
  await chmod(location, 0o700);
  const path = join(location, EMBEDDED_KEY_FILE);
  try {
    await writeFile(path, `${randomBytes(KEY_BYTES).toString('base64')}\n`, { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  if (((await stat(path)).mode & 0o077) !== 0) await chmod(path, 0o600);
  const key = (await readFile(path, 'utf8')).trim();
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(key) || Buffer.from(key, 'base64').length < 32) {
    throw new Error(
      `${path} does not hold a base64 account key of at least 32 bytes; delete it to generate a new one (recordings stored under the old key stay on disk but need that key)`,
    );
  }
  return key;
}
