// PlaybackSource over Azure Blob Storage, reading the asset layout the asset sink writes
// (docs/architecture.md, Asset): ranges and gaps from BlobAssetStore's day indexes; segments from the
// `segments/` listing (names sort by time, one prefix per day); bytes streamed from the blob.
// BlobAssetStore has no read side for segments, so the listing and downloads are here.
import type { ContainerClient } from '@azure/storage-blob';
import { LRUCache } from 'lru-cache';
import { BlobAssetStore, BlobStoreError } from '../../../storage/blob/blob-asset-store.ts';
import { parseBlobConnection, createClient, type BlobConnection, type ClientFor } from '../../../storage/blob/connection.ts';
import {
  containerNameForAsset, InvalidContainerNameError, initBlobName, parseSegmentBlobName, segmentDayPrefix, utcDay, dayStartMs,
} from '../../../storage/blob/naming.ts';
import { clip, mergeGaps, mergeRanges, type GapRange, type TimeRange } from '../../../storage/blob/asset-index.ts';
import {
  AssetNotFoundError, RangeNotSatisfiableError,
  type AvailableMediaResult, type BlobBytes, type ByteRange, type PlaybackSegment, type PlaybackSource, type RecordedRange,
} from './source.ts';

const DAY_MS = 86_400_000;
/** A segment is at most a few minutes long; look this far before a window for one that overlaps it. */
const SEGMENT_LOOKBACK_MS = 15 * 60_000;
/** Windows up to this long probe every day (indexes rebuilt from listings where missing). */
const SHORT_WINDOW_MS = 8 * DAY_MS;
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
  /** One store per asset asked for; the least recently used go first, so a busy viewer's stay. */
  readonly #stores = new LRUCache<string, Promise<BlobAssetStore>>({ max: 1000 });

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
      const days = await this.#indexedDays(store, s);
      let startMs: number | undefined;
      for (const day of days) {
        const first = (await store.readIndex(day, s))?.ranges[0];
        if (first) { startMs = first.startMs; break; }
      }
      let endMs: number | undefined;
      for (const day of [...days].reverse()) {
        const ranges = (await store.readIndex(day, s))?.ranges ?? [];
        if (ranges.length) { endMs = ranges.reduce((m, r) => Math.max(m, r.endMs), -Infinity); break; }
      }
      if (startMs !== undefined && endMs !== undefined) return { startMs, endMs };
      // No index yet (or an empty one): the segment listing is the truth, at the cost of a scan.
      await this.#assertExists(asset, s);
      const segments = (await store.listNames('segments/', s)).map(parseSegmentBlobName).filter((x) => x !== undefined);
      if (!segments.length) return undefined;
      // a reduce, not Math.min(...list): a year of segments is more arguments than a call takes
      return {
        startMs: segments.reduce((m, x) => Math.min(m, x.startMs), Infinity),
        endMs: segments.reduce((m, x) => Math.max(m, x.startMs + x.durationMs), -Infinity),
      };
    });
  }

  async availableMedia(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMediaResult> {
    const store = await this.#store(asset);
    return this.#guard(asset, signal, async (s) => {
      await this.#assertExists(asset, s);
      if (toMs - fromMs <= SHORT_WINDOW_MS) {
        const r = await store.availableRanges(fromMs, toMs, s);
        return { ranges: r.ranges, gaps: r.gaps };
      }
      // Months or years: read only the days that have an index (one listing), instead of
      // probing every day of the window; a day without an index counts as empty here.
      // Iterating the calendar instead cost seconds of CPU for `0000`–`9999` (3.65 M days).
      const firstDay = Math.floor((fromMs - DAY_MS) / DAY_MS) * DAY_MS;
      const ranges: TimeRange[] = [];
      const gaps: GapRange[] = [];
      for (const day of await this.#indexedDays(store, s)) {
        const dayMs = dayStartMs(day);
        if (dayMs < firstDay || dayMs >= toMs) continue;
        const index = await store.readIndex(day, s);
        ranges.push(...(index?.ranges ?? []));
        gaps.push(...(index?.gaps ?? []));
      }
      return { ranges: clip(mergeRanges(ranges), fromMs, toMs), gaps: clip(mergeGaps(gaps), fromMs, toMs) };
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

  async #indexedDays(store: BlobAssetStore, signal: AbortSignal): Promise<string[]> {
    return (await store.listNames('index/', signal)).map((n) => /^index\/(\d{4}-\d{2}-\d{2})\.json$/.exec(n)?.[1]).filter((d): d is string => d !== undefined).sort();
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
