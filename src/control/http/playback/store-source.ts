// PlaybackSource over any AssetStoreProvider (Blob Storage, a local folder): the asset layout the
// asset sink writes (docs/storage-format.md), read through the store interface only. Every call
// has a deadline; an asset that does not exist, or whose name no store could hold, is
// AssetNotFoundError; other failures are AssetStoreErrors with their first line only.
import type { AssetStore, AssetStoreProvider, MediaDeletion } from '../../../types/asset-store.ts';
import { RangeNotSatisfiableError } from '../../../types/asset-store.ts';
import { AssetStoreError, InvalidAssetNameError } from '../../../storage/store-error.ts';
import { initBlobName } from '../../../storage/blob/naming.ts';
import { openStoreProvider } from '../../../storage/open-store.ts';
import {
  AssetNotFoundError,
  type AvailableMediaResult,
  type BlobBytes,
  type ByteRange,
  type PlaybackSegment,
  type PlaybackSource,
  type RecordedRange,
} from './source.ts';

export interface StorePlaybackOptions {
  /** Deadline of a listing or index call and of a read's first byte. Default 10 s. */
  readonly operationTimeoutMs?: number;
  /** Deadline of a deletion (many calls: one per segment). Default 10 minutes. */
  readonly deletionTimeoutMs?: number;
}

export class StorePlaybackSource implements PlaybackSource {
  readonly #provider: AssetStoreProvider;
  readonly #timeoutMs: number;
  readonly #deletionTimeoutMs: number;

  constructor(provider: AssetStoreProvider, opts: StorePlaybackOptions = {}) {
    this.#provider = provider;
    this.#timeoutMs = opts.operationTimeoutMs ?? 10_000;
    this.#deletionTimeoutMs = opts.deletionTimeoutMs ?? 600_000;
  }

  async deleteAsset(asset: string, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#provider.open(asset);
    } catch (e) {
      if (e instanceof InvalidAssetNameError) return false;
      throw e;
    }
    return this.#guard(asset, signal, (s) => this.#provider.deleteAsset(asset, s), this.#deletionTimeoutMs);
  }

  deleteMedia(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<MediaDeletion> {
    return this.#withStore(asset, signal, (store, s) => store.deleteMedia(fromMs, toMs, s), this.#deletionTimeoutMs);
  }

  describe(): string {
    return `playback from ${this.#provider.describe()}`;
  }

  listAssets(signal?: AbortSignal): Promise<string[]> {
    return this.#guard(undefined, signal, (s) => this.#provider.listAssets(s));
  }

  recordedExtent(asset: string, signal?: AbortSignal): Promise<RecordedRange | undefined> {
    return this.#withStore(asset, signal, (store, s) => store.recordedExtent(s));
  }

  availableMedia(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMediaResult> {
    // the day indexes merged with a listing of what is newer (storage/asset-view.ts)
    return this.#withStore(asset, signal, (store, s) => store.availableRanges(fromMs, toMs, s));
  }

  listSegments(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<PlaybackSegment[]> {
    return this.#withStore(asset, signal, (store, s) => store.listSegments(fromMs, toMs, s));
  }

  async readBlob(asset: string, name: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined> {
    const store = await this.#open(asset);
    // The deadline covers the answer's headers only; the body streams as fast as the client reads.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new AssetStoreError('Timeout', `reading ${name} exceeded ${this.#timeoutMs} ms`)), this.#timeoutMs);
    try {
      return await store.readObject(name, range, signal ? AbortSignal.any([deadline.signal, signal]) : deadline.signal);
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) throw e;
      throw toPlaybackError(name, e);
    } finally {
      clearTimeout(timer);
    }
  }

  initSegment(asset: string, id: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined> {
    return this.readBlob(asset, initBlobName(id), range, signal);
  }

  async #open(asset: string): Promise<AssetStore> {
    try {
      return await this.#provider.open(asset);
    } catch (e) {
      if (e instanceof InvalidAssetNameError) throw new AssetNotFoundError(asset);
      throw e;
    }
  }

  async #withStore<T>(
    asset: string,
    signal: AbortSignal | undefined,
    fn: (store: AssetStore, s: AbortSignal) => Promise<T>,
    timeoutMs = this.#timeoutMs,
  ): Promise<T> {
    const store = await this.#open(asset);
    return this.#guard(
      asset,
      signal,
      async (s) => {
        // a missing asset would otherwise read as an empty one
        if (!(await this.#provider.assetExists(asset, s))) throw new AssetNotFoundError(asset);
        return fn(store, s);
      },
      timeoutMs,
    );
  }

  async #guard<T>(asset: string | undefined, outer: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>, timeoutMs = this.#timeoutMs): Promise<T> {
    const s = outer ? AbortSignal.any([AbortSignal.timeout(timeoutMs), outer]) : AbortSignal.timeout(timeoutMs);
    try {
      return await fn(s);
    } catch (e) {
      if (e instanceof AssetNotFoundError) throw e;
      const err = e as { code?: string; statusCode?: number };
      if (asset !== undefined && (err.code === 'ContainerNotFound' || (e instanceof AssetStoreError && err.statusCode === 404)))
        throw new AssetNotFoundError(asset);
      throw toPlaybackError(asset ?? 'assets', e);
    }
  }
}

/** Storage failures as AssetStoreError: first line only (stores redact their own messages). */
function toPlaybackError(what: string, e: unknown): Error {
  if (e instanceof AssetStoreError) return e;
  const err = e as { statusCode?: number; code?: string; name?: string };
  const code = err.code ?? (err.statusCode ? `Http${err.statusCode}` : (err.name ?? 'Error'));
  return new AssetStoreError(code, `reading ${what} failed (${code})`, err.statusCode);
}

/** Playback from a store location: `file:<folder>` or a Blob connection. */
export async function openPlaybackSource(location: string, opts: StorePlaybackOptions = {}): Promise<StorePlaybackSource> {
  return new StorePlaybackSource(await openStoreProvider(location, { operationTimeoutMs: opts.operationTimeoutMs ?? 10_000 }), opts);
}
