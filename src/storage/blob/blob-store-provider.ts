// The assets of one Blob Storage account (or of one container-scoped SAS, where each asset is a
// folder named like its container): what playback lists and opens.
import { LRUCache } from 'lru-cache';
import { createClient, parseBlobConnection, type BlobConnection, type ClientFor } from './connection.ts';
import { BlobAssetStore, type BlobStoreOptions } from './blob-asset-store.ts';
import { containerNameForAsset } from './naming.ts';
import { storageRequests } from '../request-counter.ts';
import type { AssetStoreProvider } from '../../types/asset-store.ts';

/** Stores kept for reuse (one client each); the least recently opened go first. */
const MAX_OPEN_STORES = 1000;

export class BlobStoreProvider implements AssetStoreProvider {
  readonly #connection: BlobConnection;
  readonly #client: ClientFor;
  readonly #opts: BlobStoreOptions;
  readonly #stores = new LRUCache<string, Promise<BlobAssetStore>>({ max: MAX_OPEN_STORES });

  private constructor(connection: BlobConnection, client: ClientFor, opts: BlobStoreOptions) {
    this.#connection = connection;
    this.#client = client;
    this.#opts = opts;
  }

  /** From a connection string, SAS URL or account URL; no network call. */
  static async create(connection: string | BlobConnection, opts: BlobStoreOptions = {}): Promise<BlobStoreProvider> {
    const conn = typeof connection === 'string' ? parseBlobConnection(connection) : connection;
    return new BlobStoreProvider(conn, await createClient(conn), opts);
  }

  describe(): string {
    return this.#connection.describe();
  }

  open(assetName: string): Promise<BlobAssetStore> {
    const key = containerNameForAsset(assetName);
    let store = this.#stores.get(key);
    if (!store) {
      store = BlobAssetStore.create(this.#connection, key, this.#opts);
      // a store that could not be made is not kept: the next call tries again
      store.catch(() => this.#stores.delete(key));
      this.#stores.set(key, store);
    }
    return store;
  }

  async listAssets(signal?: AbortSignal): Promise<string[]> {
    const names: string[] = [];
    storageRequests.count('list-assets');
    if (this.#client.service) {
      for await (const c of this.#client.service.listContainers(signal ? { abortSignal: signal } : {})) if (!c.name.startsWith('$')) names.push(c.name);
    } else {
      for await (const item of this.#client.container.listBlobsByHierarchy('/', signal ? { abortSignal: signal } : {})) {
        if (item.kind === 'prefix') names.push(item.name.replace(/\/$/, ''));
      }
    }
    return names.sort();
  }

  async assetExists(assetName: string, signal?: AbortSignal): Promise<boolean> {
    // a container-scoped SAS cannot ask; its folders exist as soon as anything is in them
    if (!this.#client.service) return true;
    storageRequests.count('exists');
    return this.#client.service.getContainerClient(containerNameForAsset(assetName)).exists(signal ? { abortSignal: signal } : {});
  }

  /**
   * Deletes the asset's container (Azure deletes its blobs in the background; the name is
   * taken again only once that is done). Under a container-scoped SAS, each blob of its folder.
   */
  async deleteAsset(assetName: string, signal?: AbortSignal): Promise<boolean> {
    const name = containerNameForAsset(assetName);
    this.#stores.delete(name);
    const opts = signal ? { abortSignal: signal } : {};
    if (this.#client.service) {
      storageRequests.count('delete-container');
      return (await this.#client.service.getContainerClient(name).deleteIfExists(opts)).succeeded;
    }
    let found = false;
    storageRequests.count('list');
    const names: string[] = [];
    for await (const b of this.#client.container.listBlobsFlat({ prefix: `${name}/`, ...opts })) names.push(b.name);
    for (const blob of names) {
      storageRequests.count('delete-blob');
      found = (await this.#client.container.getBlobClient(blob).deleteIfExists(opts)).succeeded || found;
    }
    return found;
  }
}
