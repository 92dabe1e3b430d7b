// PlaybackSource over Azure Blob Storage, reading the asset layout the asset sink writes
// (docs/architecture.md, Asset): ranges and gaps from BlobAssetStore's day indexes; segments from the
// `segments/` listing (names sort by time, one prefix per day); bytes streamed from the blob.
// BlobAssetStore has no read side for segments, so the listing and downloads are here.
import type { ContainerClient } from '@azure/storage-blob';
import { BlobAssetStore, BlobStoreError } from '../../../storage/blob/blob-asset-store.ts';
import { parseBlobConnection, createClient, type BlobConnection, type ClientFor } from '../../../storage/blob/connection.ts';
import {
  containerNameForAsset, InvalidContainerNameError, initBlobName, parseSegmentBlobName, segmentDayPrefix, utcDay, dayStartMs,
} from '../../../storage/blob/naming.ts';
import { recordedExtent } from '../../../storage/asset-view.ts';
import {
  AssetNotFoundError, RangeNotSatisfiableError,
  type AvailableMediaResult, type BlobBytes, type ByteRange, type PlaybackSegment, type PlaybackSource, type RecordedRange,
} from './source.ts';

const DAY_MS = 86_400_000;
/** A segment is at most a few minutes long; look this far before a window for one that overlaps it. */
const SEGMENT_LOOKBACK_MS = 15 * 60_000;
const SEGMENT_NAME = /^segments\/[0-9TZ.]+_\d+\.m4s$/;
const INIT_NAME = /^init\/[^/]+\.mp4$/;

export interface BlobPlaybackOptions {
  /** Deadline of a listing or index call and of a download's first byte. Default 10 s. */
  readonly operationTimeoutMs?: number;
}

interface RestLike { statusCode?: number; code?: string }

export class BlobPlaybackSource implements PlaybackSource {
  readonly #connection: BlobConnection;
  readonly #client: ClientFor;
  readonly #timeoutMs: number;
  readonly #stores = new Map<string, Promise<BlobAssetStore>>();

  private constructor(connection: BlobConnection, client: ClientFor, opts: BlobPlaybackOptions) {
    this.#connection = connection;
    this.#client = client;
    this.#timeoutMs = opts.operationTimeoutMs ?? 10_000;
  }

  /** From a connection string or SAS URL (as given to `--blob`); no network call. */
  static async create(connection: string | BlobConnection, opts: BlobPlaybackOptions = {}): Promise<BlobPlaybackSource> {
    const conn = typeof connection === 'string' ? parseBlobConnection(connection) : connection;
    return new BlobPlaybackSource(conn, await createClient(conn), opts);
  }

  describe(): string {
    return `playback from ${this.#connection.describe()}`;
  }

  async listAssets(signal?: AbortSignal): Promise<string[]> {
    return this.#guard(undefined, signal, async (s) => {
      const names: string[] = [];
      if (this.#client.service) {
        for await (const c of this.#client.service.listContainers({ abortSignal: s })) if (!c.name.startsWith('$')) names.push(c.name);
      } else {
        // A container-scoped SAS holds each asset as a folder named like its container.
        for await (const item of this.#client.container.listBlobsByHierarchy('/', { abortSignal: s })) {
          if (item.kind === 'prefix') names.push(item.name.replace(/\/$/, ''));
        }
      }
      return names.sort();
    });
  }

  async recordedExtent(asset: string, signal?: AbortSignal): Promise<RecordedRange | undefined> {
    const store = await this.#store(asset);
    return this.#guard(asset, signal, async (s) => {
      await this.#assertExists(asset, s);
      return recordedExtent(store, s);
    });
  }

  async availableMedia(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMediaResult> {
    const store = await this.#store(asset);
    return this.#guard(asset, signal, async (s) => {
      await this.#assertExists(asset, s);
      // the day indexes merged with a listing of what is newer (storage/asset-view.ts)
      return store.availableRanges(fromMs, toMs, s);
    });
  }

  async listSegments(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<PlaybackSegment[]> {
    const container = this.#container(asset);
    const prefix = this.#prefix(asset);
    return this.#guard(asset, signal, async (s) => {
      await this.#assertExists(asset, s);
      const out: PlaybackSegment[] = [];
      for (let day = dayStartMs(utcDay(fromMs - SEGMENT_LOOKBACK_MS)); day < toMs; day += DAY_MS) {
        for await (const b of container.listBlobsFlat({ prefix: prefix + segmentDayPrefix(utcDay(day)), includeMetadata: true, abortSignal: s })) {
          const name = b.name.slice(prefix.length);
          const parsed = parseSegmentBlobName(name);
          if (!parsed) continue;
          const meta = b.metadata ?? {};
          const metaEnd = meta['end'] ? Date.parse(meta['end']) : Number.NaN;
          const endMs = Number.isNaN(metaEnd) ? parsed.startMs + parsed.durationMs : metaEnd;
          if (endMs <= fromMs || parsed.startMs >= toMs) continue;
          out.push({
            name: name.slice('segments/'.length),
            startMs: parsed.startMs,
            endMs,
            durationMs: endMs - parsed.startMs,
            initId: decodeURIComponent(meta['initid'] ?? ''),
            ...(meta['codecs'] ? { codecs: meta['codecs'] } : {}),
          });
        }
      }
      return out.sort((a, b) => a.startMs - b.startMs);
    });
  }

  async readBlob(asset: string, name: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined> {
    if (!SEGMENT_NAME.test(name) && !INIT_NAME.test(name)) return undefined;
    const blob = this.#container(asset).getBlockBlobClient(this.#prefix(asset) + name);
    // The deadline covers the answer's headers only; the body streams as fast as the client reads.
    const deadline = new AbortController();
    const timer = setTimeout(() => deadline.abort(new BlobStoreError('Timeout', `download of ${name} exceeded ${this.#timeoutMs} ms`)), this.#timeoutMs);
    const s = signal ? AbortSignal.any([deadline.signal, signal]) : deadline.signal;
    try {
      const count = range?.end !== undefined ? range.end - range.start + 1 : undefined;
      const r = await blob.download(range?.start ?? 0, count, { abortSignal: s });
      const body = r.readableStreamBody;
      if (!body) throw new BlobStoreError('NoBody', `download of ${name} returned no body`);
      const contentLength = r.contentLength ?? 0;
      const total = /\/(\d+)$/.exec(r.contentRange ?? '')?.[1];
      const totalSize = total ? Number(total) : contentLength;
      if (range && (range.start >= totalSize || contentLength === 0)) {
        // Azurite answers a range starting at the size with an empty 206; HTTP says 416
        body.destroy();
        throw new RangeNotSatisfiableError(totalSize);
      }
      return {
        body: body as unknown as BlobBytes['body'],
        contentLength,
        totalSize,
        contentType: name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment',
        ...(range ? { range: { start: range.start, end: range.start + contentLength - 1 } } : {}),
        ...(r.etag ? { etag: r.etag } : {}),
      };
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) throw e;
      const rest = e as RestLike;
      if (rest.statusCode === 404) return undefined;
      if (rest.statusCode === 416) {
        const props = await blob.getProperties({ abortSignal: AbortSignal.timeout(this.#timeoutMs) });
        throw new RangeNotSatisfiableError(props.contentLength ?? 0);
      }
      throw toPlaybackError(name, e);
    } finally {
      clearTimeout(timer);
    }
  }

  initSegment(asset: string, id: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined> {
    return this.readBlob(asset, initBlobName(id), range, signal);
  }

  #containerName(asset: string): string {
    try {
      return containerNameForAsset(asset);
    } catch (e) {
      if (e instanceof InvalidContainerNameError) throw new AssetNotFoundError(asset);
      throw e;
    }
  }

  #container(asset: string): ContainerClient {
    const name = this.#containerName(asset);
    return this.#client.service ? this.#client.service.getContainerClient(name) : this.#client.container;
  }

  #prefix(asset: string): string {
    return this.#client.service ? '' : `${this.#containerName(asset)}/`;
  }

  #store(asset: string): Promise<BlobAssetStore> {
    const key = this.#containerName(asset);
    let store = this.#stores.get(key);
    if (!store) {
      if (this.#stores.size > 1000) this.#stores.clear();
      store = BlobAssetStore.create(this.#connection, key, { operationTimeoutMs: this.#timeoutMs });
      this.#stores.set(key, store);
      store.catch(() => this.#stores.delete(key));
    }
    return store;
  }

  /** A missing container would otherwise read as an empty asset. */
  async #assertExists(asset: string, signal: AbortSignal): Promise<void> {
    if (!this.#client.service) return;
    if (!(await this.#container(asset).exists({ abortSignal: signal }))) throw new AssetNotFoundError(asset);
  }

  async #guard<T>(asset: string | undefined, outer: AbortSignal | undefined, fn: (s: AbortSignal) => Promise<T>): Promise<T> {
    const s = outer ? AbortSignal.any([AbortSignal.timeout(this.#timeoutMs), outer]) : AbortSignal.timeout(this.#timeoutMs);
    try {
      return await fn(s);
    } catch (e) {
      if (e instanceof AssetNotFoundError) throw e;
      const rest = e as RestLike;
      if (asset !== undefined && (rest.code === 'ContainerNotFound' || (e instanceof BlobStoreError && (e.code === 'ContainerNotFound' || e.statusCode === 404)))) throw new AssetNotFoundError(asset);
      throw toPlaybackError(asset ?? 'assets', e);
    }
  }
}

/** Storage failures as BlobStoreError: first line only, secrets redacted by the store's rules. */
function toPlaybackError(what: string, e: unknown): Error {
  if (e instanceof BlobStoreError) return e;
  const err = e as RestLike & { message?: string; name?: string };
  const code = err.code ?? (err.statusCode ? `Http${err.statusCode}` : err.name ?? 'Error');
  return new BlobStoreError(code, `reading ${what} failed (${code})`, err.statusCode);
}
