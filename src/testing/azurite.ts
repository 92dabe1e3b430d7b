// An Azurite blob server started inside this process (the package's main is its VS Code
// extension, so the server is loaded by deep import). Used by tests, benches and
// the embedded default store. Loaded lazily: the module graph is ~550 ms to load.
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chmodSync, mkdirSync } from 'node:fs';
import { PRIVATE_DIR_MODE } from '../storage/private-modes.ts';

export interface AzuriteHandle {
  readonly connectionString: string;
  readonly blobEndpoint: string;
  close(): Promise<void>;
}

export interface AzuriteOptions {
  /** Folder for blob data and metadata (disk persistence). Ignored when `inMemory`. */
  readonly location?: string;
  /** Keep everything in memory (the default when no location is given). */
  readonly inMemory?: boolean;
  /**
   * The only account this server accepts: its key (base64) replaces the published development
   * key, which then opens nothing. Default: Azurite's development account (tests).
   */
  readonly accountKey?: string;
}

/** Azurite's published development account; not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface BlobServerLike {
  /** Azurite's per-server account table (not public API; see `useAccount`). */
  readonly accountDataStore?: AccountDataStoreLike;
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
interface AccountDataStoreLike {
  accounts: Record<string, { name: string; key1: Buffer; key2?: Buffer }>;
  refresh(): void;
}
type BlobConfigurationCtor = new (...args: unknown[]) => object;
type BlobServerCtor = new (config: object) => BlobServerLike;
interface ChunkStoreCtor {
  new (sizeLimit: number): object;
}

interface AzuriteModules {
  BlobServer: BlobServerCtor;
  BlobConfiguration: BlobConfigurationCtor;
  MemoryExtentChunkStore: ChunkStoreCtor;
}

let modules: AzuriteModules | undefined;

function loadAzurite(): AzuriteModules {
  if (modules) return modules;
  const require = createRequire(import.meta.url);
  const defaultExport = (m: unknown): unknown => (m as { default: unknown }).default;
  try {
    require.resolve('azurite/package.json');
  } catch {
    // an optional dependency: absent with `npm install --omit=optional`, or from a library install that skipped it
    throw new Error(
      'the embedded store needs Azurite, an optional dependency that is not installed: install it (npm install azurite), or give a storage account (--blob-file, --blob or AZURE_STORAGE_CONNECTION_STRING)',
    );
  }
  const telemetry = require('azurite/dist/src/common/Telemetry') as { AzuriteTelemetryClient: { enableTelemetry: boolean } };
  telemetry.AzuriteTelemetryClient.enableTelemetry = false;
  const logger = require('azurite/dist/src/common/Logger') as { configLogger(enable: boolean): void };
  logger.configLogger(false);
  modules = {
    BlobServer: defaultExport(require('azurite/dist/src/blob/BlobServer')) as BlobServerCtor,
    BlobConfiguration: defaultExport(require('azurite/dist/src/blob/BlobConfiguration')) as BlobConfigurationCtor,
    MemoryExtentChunkStore: (require('azurite/dist/src/common/persistence/MemoryExtentStore') as { MemoryExtentChunkStore: ChunkStoreCtor })
      .MemoryExtentChunkStore,
  };
  return modules;
}

/** Starts Azurite's blob service on 127.0.0.1 with an ephemeral port. */
export async function startAzurite(opts: AzuriteOptions = {}): Promise<AzuriteHandle> {
  const { BlobServer, BlobConfiguration, MemoryExtentChunkStore } = loadAzurite();
  const inMemory = opts.inMemory ?? opts.location === undefined;
  const location = opts.location ?? '.';
  if (!inMemory) {
    // Azurite writes its files with the default modes: keep them in a folder only we can enter
    mkdirSync(location, { recursive: true, mode: PRIVATE_DIR_MODE });
    chmodSync(location, PRIVATE_DIR_MODE);
  }
  const config = new BlobConfiguration(
    '127.0.0.1',
    0,
    5_000, // keep-alive timeout
    join(location, '__azurite_db_blob__.json'),
    join(location, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: join(location, '__blobstorage__'), maxConcurrency: 10 }],
    false, // access log
    undefined,
    false, // debug log
    undefined,
    true, // loose
    true, // skipApiVersionCheck: the SDK may speak a newer API version than Azurite knows
    '',
    '',
    '',
    undefined,
    false, // product-style URLs off: path-style account name
    inMemory,
    // A private chunk store per server, so two in-memory servers never share data.
    inMemory ? new MemoryExtentChunkStore(256 * 1024 * 1024 * 8) : undefined,
  );
  const server = new BlobServer(config);
  const key = opts.accountKey ?? AZURITE_KEY;
  if (opts.accountKey !== undefined) useAccount(server, AZURITE_ACCOUNT, opts.accountKey);
  await server.start();
  const address = server.getHttpServerAddress();
  const blobEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  const connectionString = `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${key};BlobEndpoint=${blobEndpoint};`;
  let closed: Promise<void> | undefined;
  return {
    connectionString,
    blobEndpoint,
    close: () => {
      closed ??= (async () => {
        await server.close();
        if (inMemory) await server.clean();
      })();
      return closed;
    },
  };
}

/**
 * Makes `name` with `key` the server's only account. Azurite reads custom accounts from the
 * AZURITE_ACCOUNTS variable, but from process.env (shared by every server in this process,
 * tests' included) and again every minute; so the table of this one server is set instead,
 * before start() reads it, and every later refresh sets it again.
 */
function useAccount(server: BlobServerLike, name: string, key: string): void {
  const store = server.accountDataStore;
  if (!store || typeof store.refresh !== 'function') throw new Error("this Azurite version keeps accounts elsewhere: cannot set the embedded store's key");
  const key1 = Buffer.from(key, 'base64');
  if (key1.length < 32) throw new Error("the embedded store's account key must be at least 32 bytes (base64)");
  store.refresh = () => {
    store.accounts = { [name]: { name, key1 } };
  };
}

/** The connection string for an Azurite endpoint reached through another host:port (e.g. a proxy). */
export function azuriteConnectionString(blobEndpointBase: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpointBase}/${AZURITE_ACCOUNT};`;
}
