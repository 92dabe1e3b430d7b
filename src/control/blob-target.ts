// Where recordings go: `--store file:<folder>` (a local folder), `--blob` (connection string,
// SAS URL or account URL), else
// AZURE_STORAGE_CONNECTION_STRING as Azure's own tools read it, else an embedded Azurite
// whose data lives under the host's data folder, so a demo's recordings survive restarts. The
// embedded store listens on 127.0.0.1 only and accepts only the key kept in its folder.
import { join } from 'node:path';
import { parseBlobConnection } from '../storage/blob/connection.ts';
import { localStoreRoot } from '../storage/open-store.ts';
import { embeddedStoreKey } from './embedded-store-key.ts';

export interface BlobTarget {
  readonly connection: string;
  /** Safe to print: no key, no signature. */
  readonly description: string;
  readonly embedded: boolean;
  close(): Promise<void>;
}

export async function resolveBlobTarget(
  flag: string | undefined,
  dataDirectory: string,
  env: NodeJS.ProcessEnv = process.env,
  store?: string,
): Promise<BlobTarget> {
  if (store !== undefined) {
    // `--store file:<folder>`: a local folder with the same layout as a container per asset
    const root = store.startsWith('file:') ? localStoreRoot(store) : undefined;
    if (!root) throw new Error(`--store takes file:<folder>, not "${store.split(/[;?]/)[0]}" (use --blob for Blob Storage)`);
    if (flag !== undefined) throw new Error('--store and --blob are two places for the same recordings: give one');
    return { connection: `file:${root}`, description: `local folder ${root}`, embedded: false, close: async () => {} };
  }
  const given = flag ?? env['AZURE_STORAGE_CONNECTION_STRING'];
  if (given) {
    const parsed = parseBlobConnection(given); // throws a clear, redacted error for junk
    return { connection: given, description: parsed.describe(), embedded: false, close: async () => {} };
  }
  const location = join(dataDirectory, 'azurite');
  const accountKey = await embeddedStoreKey(location);
  // loaded only when needed: Azurite's module graph takes ~0.5 s
  const { startAzurite } = await import('../testing/azurite.ts');
  const azurite = await startAzurite({ location, accountKey });
  return {
    connection: azurite.connectionString,
    description: `embedded Azurite at ${azurite.blobEndpoint} (data in ${location})`,
    embedded: true,
    close: () => azurite.close(),
  };
}
