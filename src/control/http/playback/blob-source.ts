// Playback over Azure Blob Storage: the generic StorePlaybackSource over a BlobStoreProvider.
// Kept as its own name for hosts that built one from a connection string.
import { BlobStoreProvider } from '../../../storage/blob/blob-store-provider.ts';
import type { BlobConnection } from '../../../storage/blob/connection.ts';
import { StorePlaybackSource, type StorePlaybackOptions } from './store-source.ts';

export type BlobPlaybackOptions = StorePlaybackOptions;

export class BlobPlaybackSource extends StorePlaybackSource {
  /** From a connection string or SAS URL (as given to `--blob`); no network call. */
  static async create(connection: string | BlobConnection, opts: BlobPlaybackOptions = {}): Promise<BlobPlaybackSource> {
    const provider = await BlobStoreProvider.create(connection, { operationTimeoutMs: opts.operationTimeoutMs ?? 10_000 });
    return new BlobPlaybackSource(provider, opts);
  }
}
