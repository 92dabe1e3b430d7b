// An Azurite blob server started inside this process (DEPENDENCIES.md: the package's main is
// the VS Code extension, so the server is loaded by deep import). Used by tests, benches and
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
}

/** Azurite's published development account; not a secret. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
const AZURITE_KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface BlobServerLike {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}
type BlobConfigurationCtor = new (...args: unknown[]) => object;
type BlobServerCtor = new (config: object) => BlobServerLike;
interface ChunkStoreCtor { new (sizeLimit: number): object }

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
  const telemetry = require('azurite/dist/src/common/Telemetry') as { AzuriteTelemetryClient: { enableTelemetry: boolean } };
  telemetry.AzuriteTelemetryClient.enableTelemetry = false;
  const logger = require('azurite/dist/src/common/Logger') as { configLogger(enable: boolean): void };
  logger.configLogger(false);
  modules = {
    BlobServer: defaultExport(require('azurite/dist/src/blob/BlobServer')) as BlobServerCtor,
    BlobConfiguration: defaultExport(require('azurite/dist/src/blob/BlobConfiguration')) as BlobConfigurationCtor,
    MemoryExtentChunkStore: (require('azurite/dist/src/common/persistence/MemoryExtentStore') as { MemoryExtentChunkStore: ChunkStoreCtor }).MemoryExtentChunkStore,
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
    '', '', '', undefined,
    false, // product-style URLs off: path-style account name
    inMemory,
    // A private chunk store per server, so two in-memory servers never share data.
    inMemory ? new MemoryExtentChunkStore(256 * 1024 * 1024 * 8) : undefined,
  );
  const server = new BlobServer(config);
  await server.start();
  const address = server.getHttpServerAddress();
  const blobEndpoint = `${address}/${AZURITE_ACCOUNT}`;
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpoint};`;
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

/** The connection string for an Azurite endpoint reached through another host:port (e.g. a proxy). */
export function azuriteConnectionString(blobEndpointBase: string): string {
  return `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};BlobEndpoint=${blobEndpointBase}/${AZURITE_ACCOUNT};`;
}
