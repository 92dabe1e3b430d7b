// One asset = one Blob Storage container (docs/architecture.md, Asset), written through @azure/storage-blob.
// Every call has its own deadline (an AbortSignal): under a blackholed uplink the SDK would
// otherwise hang for minutes. The SDK makes one try; retrying is the caller's loop.
//
// A container deleted while recording (by a person, a lifecycle rule, a script) is created
// again and the call retried once, so recording carries on. What the old container held is
// gone, the day index with it; so once this store has created its container, the ranges it
// adds to an index are only those it uploaded into that container since — the index never
// lists media that is not stored.
import { open, stat } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import type { BlobServiceClient, ContainerClient, BlockBlobClient } from '@azure/storage-blob';
import type {
  AssetStore,
  AvailableMedia,
  ByteRange,
  MediaDeletion,
  SegmentBody,
  SegmentFile,
  SegmentToUpload,
  StoredBytes,
  StoredSegment,
} from '../../types/asset-store.ts';
import { RangeNotSatisfiableError } from '../../types/asset-store.ts';
import { AssetStoreError } from '../store-error.ts';
import { parseBlobConnection, createClient, type BlobConnection } from './connection.ts';
import {
  containerNameForAsset,
  initBlobName,
  segmentBlobName,
  parseSegmentBlobName,
  indexBlobName,
  gapBlobName,
  parseGapBlobName,
  utcDay,
  type GapReason,
} from './naming.ts';
import { ReadBuffers } from './read-buffers.ts';
import { segmentUploadSlots } from './upload-slots.ts';
import { putCredentialFrom, SignedBlobPut } from './signed-put.ts';
import { applyToIndex, intersectRanges, mergeRanges, parseIndex, serializeIndex, type DayIndex, type GapRange, type TimeRange } from './asset-index.ts';
import { availableMedia, daysCovering, indexFromListing, listSegmentsBetween, recordedExtent, type AssetListingSource } from '../asset-view.ts';
import { deleteMediaBetween, type DeletionTarget } from '../media-deletion.ts';
import { storageRequests, type StorageOp, type StorageRequestCounter } from '../request-counter.ts';

export interface BlobStoreOptions {
  /** Deadline of a small call (create container, index read/write, listing page). Default 10 s. */
  readonly operationTimeoutMs?: number;
  /** Deadline of an upload: base + bytes / minimum throughput. Defaults 10 s and 256 KiB/s. */
  readonly uploadTimeoutBaseMs?: number;
  readonly uploadMinBytesPerSecond?: number;
  /** Attempts of an index read-modify-write that lost an ETag race. Default 10. */
  readonly indexAttempts?: number;
  /** Called when the container had vanished while in use and was created again. */
  readonly onContainerRecreated?: (containerName: string) => void;
  /** Where requests are counted (default: the process's `storageRequests`). */
  readonly requestCounter?: StorageRequestCounter;
  /** Upload segments through the SDK even when a signed Put Blob could (benches, comparisons). */
  readonly sdkUploads?: boolean;
}

/** A failed Blob Storage call, with a stable code and no secrets in the message. */
export class BlobStoreError extends AssetStoreError {
  override readonly name: string = 'BlobStoreError';
}

export type { SegmentToUpload, SegmentBody, AvailableMedia };

export class BlobAssetStore implements AssetStore, AssetListingSource, DeletionTarget {
  readonly connection: BlobConnection;
  readonly assetName: string;
  readonly containerName: string;
  readonly #container: ContainerClient;
  /** Blob name prefix: empty, or `<container>/` when a container-scoped SAS fixes the container. */
  readonly #prefix: string;
  readonly #opTimeout: number;
  readonly #uploadBase: number;
  readonly #uploadRate: number;
  readonly #indexAttempts: number;
  #containerReady = false;
  readonly #readBuffers = new ReadBuffers();
  readonly #onRecreated: ((containerName: string) => void) | undefined;
  #recreating: Promise<void> | undefined;
  /**
   * Set once this store created the container (first use of a new asset, or after it was
   * deleted): from then on only what it uploaded since is known to be there.
   */
  #created: { uploaded: TimeRange[]; inits: Set<string> } | undefined;
  /** Times the container had to be created again while in use (diagnostics, tests). */
  containerRecreations = 0;
  readonly #requests: StorageRequestCounter;
  /**
   * Segment uploads without the SDK, for an account key or a SAS (undefined: AAD tokens, which
   * keep the SDK's credential handling). The SDK's file stream allocates a buffer per read and
   * cost ~3× the client CPU per MiB (bench/upload-put.ts, docs/performance.md).
   */
  readonly #put: SignedBlobPut | undefined;
  /**
   * The day indexes as this store last wrote them, with their ETags: the next write of a day
   * starts from here (no read), conditional on the ETag; only a lost race reads it again.
   */
  readonly #written = new Map<string, { index: DayIndex; etag: string }>();

  private constructor(
    connection: BlobConnection,
    assetName: string,
    containerName: string,
    container: ContainerClient,
    prefix: string,
    opts: BlobStoreOptions,
  ) {
    this.connection = connection;
    this.assetName = assetName;
    this.containerName = containerName;
    this.#container = container;
    this.#prefix = prefix;
    this.#opTimeout = opts.operationTimeoutMs ?? 10_000;
    this.#uploadBase = opts.uploadTimeoutBaseMs ?? 10_000;
    this.#uploadRate = opts.uploadMinBytesPerSecond ?? 256 * 1024;
    this.#indexAttempts = opts.indexAttempts ?? 10;
    this.#onRecreated = opts.onContainerRecreated;
    this.#requests = opts.requestCounter ?? storageRequests;
    // Behind a proxy (HTTPS_PROXY and friends, which the SDK honours) segments keep the SDK too.
    const credential = opts.sdkUploads || proxyConfigured() ? undefined : putCredentialFrom(connection.kind, connection.secret, connection.accountName);
    this.#put = credential && new SignedBlobPut(credential);
  }

  /** Validates the asset name as a container name and builds the client (no network call). */
  static async create(connection: string | BlobConnection, assetName: string, opts: BlobStoreOptions = {}): Promise<BlobAssetStore> {
    const conn = typeof connection === 'string' ? parseBlobConnection(connection) : connection;
    const containerName = containerNameForAsset(assetName);
    const client = await createClient(conn);
    if (client.container) {
      // A container-scoped SAS: the asset lives under a folder named like its container.
      return new BlobAssetStore(conn, assetName, containerName, client.container, `${containerName}/`, opts);
    }
    const service: BlobServiceClient = client.service;
    return new BlobAssetStore(conn, assetName, containerName, service.getContainerClient(containerName), '', opts);
  }

  /** How segments are uploaded: a signed Put Blob (account key or SAS) or the SDK (AAD tokens). */
  get segmentUploads(): 'signed-put' | 'sdk' {
    return this.#put ? 'signed-put' : 'sdk';
  }

  /** Gives up the buffers kept for reading segments (call when no upload follows soon). */
  releaseReadBuffers(): void {
    this.#readBuffers.clear();
  }

  describe(): string {
    return `asset ${this.assetName} in container ${this.containerName} via ${this.connection.describe()}`;
  }

  get accountName(): string {
    return this.connection.accountName;
  }

  /** Creates the container if needed (once per store object). */
  async ensureContainer(signal?: AbortSignal): Promise<void> {
    if (this.#containerReady || this.#prefix) {
      this.#containerReady = true;
      return;
    }
    await this.#createContainer(signal);
  }

  #createContainer(signal?: AbortSignal): Promise<void> {
    // Concurrent uploads that all found the container gone create it once.
    this.#recreating ??= (async () => {
      // in an upload slot: after a host's instances were activated together, their first segments all create containers at once
      const r = await segmentUploadSlots.run(
        () => this.#call('create-container', this.#opTimeout, signal, (s) => this.#container.createIfNotExists({ abortSignal: s })),
        signal,
      );
      if (r.succeeded) {
        if (this.#containerReady) {
          this.containerRecreations++;
          this.#onRecreated?.(this.containerName);
        }
        this.#created = { uploaded: [], inits: new Set() };
        this.#written.clear();
      }
      this.#containerReady = true;
    })().finally(() => {
      this.#recreating = undefined;
    });
    return this.#recreating;
  }

  /** Runs a call needing the container; if the container vanished, creates it again and retries once. */
  async #inContainer<T>(signal: AbortSignal | undefined, op: () => Promise<T>): Promise<T> {
    await this.ensureContainer(signal);
    try {
      return await op();
    } catch (e) {
      if (this.#prefix || !(e instanceof BlobStoreError && e.code === 'ContainerNotFound')) throw e;
      await this.#createContainer(signal);
      return op();
    }
  }

  /** Uploads an init segment; the name depends only on its id, so repeats overwrite. */
  async uploadInit(init: { id: string; path: string; byteSize?: number }, signal?: AbortSignal): Promise<string> {
    const name = initBlobName(init.id);
    const bytes = init.byteSize ?? (await stat(init.path)).size;
    await this.#inContainer(signal, () =>
      segmentUploadSlots.run(
        () =>
          this.#call('put-init', this.#uploadDeadline(bytes), signal, async (s) =>
            this.#blob(name).upload(await fileBody(init.path, bytes), bytes, {
              abortSignal: s,
              blobHTTPHeaders: { blobContentType: 'video/mp4' },
              metadata: { initid: encodeURIComponent(init.id) },
            }),
          ),
        signal,
      ),
    );
    this.#created?.inits.add(init.id);
    return name;
  }

  /**
   * Reads what `uploadSegment` sends: small files whole, large ones as a stream opened at upload
   * time. Separate so a caller can read the next segment while the current one uploads.
   */
  async readSegmentBody(seg: Pick<SegmentToUpload, 'path' | 'byteSize'>): Promise<SegmentBody> {
    const bytes = seg.byteSize ?? (await stat(seg.path)).size;
    return { path: seg.path, bytes, data: await fileBody(seg.path, bytes, this.#readBuffers) };
  }

  /**
   * Uploads a segment file with its metadata, from `body` when it was read ahead (it must be
   * this segment's), else from disk; never more than one small file in memory.
   */
  async uploadSegment(seg: SegmentToUpload, signal?: AbortSignal, body?: SegmentBody): Promise<{ blobName: string; byteSize: number }> {
    const name = segmentBlobName(seg.startWallClockMs, seg.endWallClockMs - seg.startWallClockMs);
    if (body && body.path !== seg.path) throw new Error(`body read from ${body.path} handed to the upload of ${seg.path}`);
    // The signed Put sends a file in chunks from a shared pool: nothing to read whole first
    // unless it was read ahead (a backlog draining).
    const { bytes, data } = body ?? (this.#put ? { bytes: seg.byteSize ?? (await stat(seg.path)).size, data: undefined } : await this.readSegmentBody(seg));
    const metadata = {
      start: new Date(seg.startWallClockMs).toISOString(),
      end: new Date(seg.endWallClockMs).toISOString(),
      initid: encodeURIComponent(seg.init.id),
      codecs: seg.tracks.map((t) => t.codecString).join(','),
      mediadurationms: String(Math.round(seg.mediaDurationMs)),
    };
    await this.#inContainer(signal, async () => {
      // A container created since this segment's init went up (it was deleted) lacks the init.
      if (this.#created && !this.#created.inits.has(seg.init.id)) await this.uploadInit(seg.init, signal);
      // a slot of the process's few concurrent uploads; the wait is not part of the request's deadline
      await segmentUploadSlots.run(() => this.#putSegment(name, seg.path, bytes, data, metadata, signal), signal);
    });
    // Merged as the index merges (neighbours within its tolerance), so the list stays one entry per continuous run.
    if (this.#created) this.#created.uploaded = mergeRanges([...this.#created.uploaded, { startMs: seg.startWallClockMs, endMs: seg.endWallClockMs }]);
    // Sent and acknowledged: the body's buffer may be read into again.
    if (Buffer.isBuffer(data)) this.#readBuffers.give(data);
    return { blobName: name, byteSize: bytes };
  }

  async #putSegment(
    name: string,
    path: string,
    bytes: number,
    data: SegmentBody['data'] | undefined,
    metadata: Readonly<Record<string, string>>,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    await this.#call('put-segment', this.#uploadDeadline(bytes), signal, async (s): Promise<unknown> => {
      const blob = this.#blob(name);
      if (!this.#put)
        return blob.upload(data ?? (await fileBody(path, bytes)), bytes, {
          abortSignal: s,
          metadata,
          blobHTTPHeaders: { blobContentType: 'video/iso.segment' },
        });
      const url = new URL(blob.url);
      url.search = ''; // a SAS the SDK client carries: the signed PUT adds its own
      return this.#put.put({
        url,
        // a large file is sent in chunks read into reused buffers, not as the stream fileBody makes
        body: Buffer.isBuffer(data) ? data : { file: path },
        byteLength: bytes,
        contentType: 'video/iso.segment',
        metadata,
        signal: s,
      });
    });
  }

  /**
   * Adds recorded ranges and gaps to the per-day indexes (read-modify-write with ETag
   * conditions, retried when another writer got there first). Gaps also get marker blobs.
   */
  async recordInIndex(add: { ranges?: readonly TimeRange[]; gaps?: readonly GapRange[] }, signal?: AbortSignal): Promise<void> {
    await this.#inContainer(signal, () => this.#recordInIndex(add, signal));
  }

  async #recordInIndex(add: { ranges?: readonly TimeRange[]; gaps?: readonly GapRange[] }, signal?: AbortSignal): Promise<void> {
    for (const g of add.gaps ?? []) {
      await this.#call('put-gap', this.#opTimeout, signal, (s) => this.#blob(gapBlobName(g.startMs, g.endMs, g.reason)).upload('', 0, { abortSignal: s }));
    }
    const perDay = new Map<string, { ranges: TimeRange[]; gaps: GapRange[] }>();
    const slot = (day: string): { ranges: TimeRange[]; gaps: GapRange[] } => {
      let v = perDay.get(day);
      if (!v) {
        v = { ranges: [], gaps: [] };
        perDay.set(day, v);
      }
      return v;
    };
    // After this store created the container, only what it uploaded since is there.
    const created = this.#created;
    const ranges = created ? intersectRanges(add.ranges ?? [], created.uploaded) : (add.ranges ?? []);
    for (const r of ranges) slot(utcDay(r.startMs)).ranges.push(r);
    for (const g of add.gaps ?? []) for (const day of daysCovering(g.startMs, g.endMs)) slot(day).gaps.push(g);
    for (const [day, update] of perDay) await this.#updateDay(day, update, signal);
    // The container was created again while this ran (an upload found it gone): what was just
    // written may name media that went with the old one. The new container's listing is the truth.
    if (this.#created !== created) for (const day of perDay.keys()) await this.#rewriteDayFromListing(day, signal);
  }

  #rewriteDayFromListing(day: string, signal?: AbortSignal): Promise<void> {
    return this.#writeDay(day, () => indexFromListing(this, day, signal), signal, true);
  }

  #updateDay(day: string, update: { ranges: TimeRange[]; gaps: GapRange[] }, signal?: AbortSignal): Promise<void> {
    return this.#writeDay(day, async (current) => applyToIndex(current ?? (await indexFromListing(this, day, signal)), update), signal);
  }

  /**
   * Writes the day index `make` derives from the current one, conditionally (ETag), retrying a
   * lost race. The current one is what this store last wrote, without a read; a day it has not
   * written yet is first tried as a new blob (If-None-Match), and read only if it exists.
   */
  async #writeDay(day: string, make: (current: DayIndex | undefined) => Promise<DayIndex>, signal?: AbortSignal, read = false): Promise<void> {
    let current = read ? await this.#readIndexWithEtag(day, signal) : this.#written.get(day);
    for (let attempt = 1; ; attempt++) {
      const index = await make(current?.index);
      const body = serializeIndex(index);
      try {
        const r = await this.#call('put-index', this.#opTimeout, signal, (s) =>
          this.#blob(indexBlobName(day)).upload(body, Buffer.byteLength(body), {
            abortSignal: s,
            blobHTTPHeaders: { blobContentType: 'application/json' },
            conditions: current ? { ifMatch: current.etag } : { ifNoneMatch: '*' },
          }),
        );
        if (r.etag) this.#written.set(day, { index, etag: r.etag });
        else this.#written.delete(day);
        return;
      } catch (e) {
        this.#written.delete(day);
        const raced = e instanceof BlobStoreError && (e.statusCode === 412 || e.statusCode === 409);
        if (!raced || attempt >= this.#indexAttempts) throw e;
        if (attempt > 1) await sleep(Math.random() * 20 * attempt, signal);
        current = await this.#readIndexWithEtag(day, signal);
      }
    }
  }

  /** The index of `day`, or undefined if it does not exist (or cannot be parsed). */
  async readIndex(day: string, signal?: AbortSignal): Promise<DayIndex | undefined> {
    return (await this.#readIndexWithEtag(day, signal))?.index;
  }

  async #readIndexWithEtag(day: string, signal?: AbortSignal): Promise<{ index: DayIndex; etag: string } | undefined> {
    try {
      const read = await this.#call('get-index', this.#opTimeout, signal, async (s) => {
        const res = await this.#blob(indexBlobName(day)).download(0, undefined, { abortSignal: s });
        return { text: await readAll(res.readableStreamBody), etag: res.etag ?? '*' };
      });
      // An unreadable index is replaced (conditionally) by one rebuilt from the listing.
      return { index: parseIndex(read.text, day) ?? (await indexFromListing(this, day, signal)), etag: read.etag };
    } catch (e) {
      if (e instanceof BlobStoreError && e.statusCode === 404) return undefined;
      throw e;
    }
  }

  /** Rebuilds `day`'s index from the segment and gap blobs and writes it (unconditionally). */
  async rebuildIndex(day: string, signal?: AbortSignal): Promise<DayIndex> {
    return this.#inContainer(signal, async () => {
      const index = await indexFromListing(this, day, signal);
      const body = serializeIndex(index);
      const r = await this.#call('put-index', this.#opTimeout, signal, (s) =>
        this.#blob(indexBlobName(day)).upload(body, Buffer.byteLength(body), { abortSignal: s, blobHTTPHeaders: { blobContentType: 'application/json' } }),
      );
      if (r.etag) this.#written.set(day, { index, etag: r.etag });
      return index;
    });
  }

  /** Recorded spans of the segment blobs under `prefix` (end from metadata, else from the name). */
  async listSegmentSpans(prefix: string, signal?: AbortSignal): Promise<TimeRange[]> {
    const ranges: TimeRange[] = [];
    for (const item of await this.#list(prefix, true, signal)) {
      const parsed = parseSegmentBlobName(item.name);
      if (!parsed) continue;
      const end = item.metadata?.['end'] ? Date.parse(item.metadata['end']) : Number.NaN;
      ranges.push({ startMs: parsed.startMs, endMs: Number.isNaN(end) ? parsed.startMs + parsed.durationMs : end });
    }
    return ranges;
  }

  recordedExtent(signal?: AbortSignal): Promise<TimeRange | undefined> {
    return recordedExtent(this, signal);
  }

  /** Segments overlapping [fromMs, toMs), from their names and metadata (one listing per day). */
  listSegments(fromMs: number, toMs: number, signal?: AbortSignal): Promise<StoredSegment[]> {
    return listSegmentsBetween(fromMs, toMs, async (prefix) =>
      (await this.#list(prefix, true, signal)).flatMap((item) => {
        const parsed = parseSegmentBlobName(item.name);
        if (!parsed) return [];
        const meta = item.metadata ?? {};
        const metaEnd = meta['end'] ? Date.parse(meta['end']) : Number.NaN;
        const endMs = Number.isNaN(metaEnd) ? parsed.startMs + parsed.durationMs : metaEnd;
        return [
          {
            name: item.name.slice('segments/'.length),
            startMs: parsed.startMs,
            endMs,
            durationMs: endMs - parsed.startMs,
            initId: decodeURIComponent(meta['initid'] ?? ''),
            ...(meta['codecs'] ? { codecs: meta['codecs'] } : {}),
          },
        ];
      }),
    );
  }

  /** A segment or init blob, streamed; the deadline covers the answer's headers only. */
  async readObject(name: string, range?: ByteRange, signal?: AbortSignal): Promise<StoredBytes | undefined> {
    if (!READABLE_NAME.test(name)) return undefined;
    const blob = this.#blob(name);
    try {
      const count = range?.end !== undefined ? range.end - range.start + 1 : undefined;
      const r = await this.#call('get-blob', this.#opTimeout, signal, (s) => blob.download(range?.start ?? 0, count, { abortSignal: s }));
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
        body: body as unknown as StoredBytes['body'],
        contentLength,
        totalSize,
        contentType: name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment',
        ...(range ? { range: { start: range.start, end: range.start + contentLength - 1 } } : {}),
        ...(r.etag ? { etag: r.etag } : {}),
      };
    } catch (e) {
      if (e instanceof RangeNotSatisfiableError) throw e;
      if (e instanceof BlobStoreError && e.statusCode === 404) return undefined;
      if (e instanceof BlobStoreError && e.statusCode === 416) {
        const props = await this.#call('get-blob', this.#opTimeout, signal, (s) => blob.getProperties({ abortSignal: s }));
        throw new RangeNotSatisfiableError(props.contentLength ?? 0);
      }
      throw e;
    }
  }

  async listGapMarkers(signal?: AbortSignal): Promise<GapRange[]> {
    const gaps: GapRange[] = [];
    for (const item of await this.#list('gaps/', false, signal)) {
      const g = parseGapBlobName(item.name);
      if (g) gaps.push({ startMs: g.startMs, endMs: g.endMs, reason: g.reason });
    }
    return gaps;
  }

  async listIndexDays(signal?: AbortSignal): Promise<string[]> {
    return (await this.listNames('index/', signal))
      .map((n) => /^index\/(\d{4}-\d{2}-\d{2})\.json$/.exec(n)?.[1])
      .filter((d): d is string => d !== undefined)
      .sort();
  }

  async #list(prefix: string, includeMetadata: boolean, signal?: AbortSignal): Promise<{ name: string; size: number; metadata?: Record<string, string> }[]> {
    const out: { name: string; size: number; metadata?: Record<string, string> }[] = [];
    let token: string | undefined;
    do {
      const page = await this.#call('list', this.#opTimeout, signal, async (s) => {
        const iter = this.#container
          .listBlobsFlat({ prefix: this.#prefix + prefix, includeMetadata, abortSignal: s })
          .byPage({ maxPageSize: 5000, ...(token ? { continuationToken: token } : {}) });
        const r = await iter.next();
        return r.done ? undefined : r.value;
      });
      if (!page) break;
      for (const b of page.segment.blobItems) {
        out.push({ name: b.name.slice(this.#prefix.length), size: b.properties.contentLength ?? 0, ...(b.metadata ? { metadata: b.metadata } : {}) });
      }
      token = page.continuationToken || undefined;
    } while (token);
    return out;
  }

  /**
   * Recorded ranges and gaps overlapping [fromMs, toMs]: the day indexes merged with a listing
   * of what is newer than them (asset-view.ts), so exact however long ago an index was written.
   */
  availableRanges(fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMedia> {
    return availableMedia(this, fromMs, toMs, signal);
  }

  /**
   * Whether the storage account answers at all within `timeoutMs`: any HTTP response counts
   * (even 403 from a write-only SAS), a timeout or a connection error does not. One small
   * request, for watching an uplink come back while an upload hangs.
   */
  async reachable(timeoutMs: number, signal?: AbortSignal): Promise<boolean> {
    try {
      await this.#call('probe', timeoutMs, signal, (s) => this.#container.getProperties({ abortSignal: s }));
      return true;
    } catch (e) {
      return e instanceof BlobStoreError && e.statusCode !== undefined;
    }
  }

  /** Every segment with its size (one paged listing with metadata), sorted by start. */
  async listSegmentInventory(signal?: AbortSignal): Promise<SegmentFile[]> {
    const out: SegmentFile[] = [];
    for (const item of await this.#list('segments/', true, signal)) {
      const parsed = parseSegmentBlobName(item.name);
      if (!parsed) continue;
      const end = item.metadata?.['end'] ? Date.parse(item.metadata['end']) : Number.NaN;
      out.push({ name: item.name, startMs: parsed.startMs, endMs: Number.isNaN(end) ? parsed.startMs + parsed.durationMs : end, byteSize: item.size });
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  deleteMedia(fromMs: number, toMs: number, signal?: AbortSignal, inventory?: readonly SegmentFile[]): Promise<MediaDeletion> {
    return deleteMediaBetween(this, fromMs, toMs, signal, inventory);
  }

  async removeSegment(name: string, signal?: AbortSignal): Promise<void> {
    await this.#call('delete-segment', this.#opTimeout, signal, (s) => this.#blob(name).deleteIfExists({ abortSignal: s }));
  }

  async removeMarker(name: string, signal?: AbortSignal): Promise<void> {
    await this.#call('delete-blob', this.#opTimeout, signal, (s) => this.#blob(name).deleteIfExists({ abortSignal: s }));
  }

  async putMarker(name: string, signal?: AbortSignal): Promise<void> {
    await this.#call(name.startsWith('gaps/') ? 'put-gap' : 'put-marker', this.#opTimeout, signal, (s) => this.#blob(name).upload('', 0, { abortSignal: s }));
  }

  async listDeletionMarkers(signal?: AbortSignal): Promise<string[]> {
    return this.listNames('deleted/', signal);
  }

  /**
   * Rewrites (or deletes, when `make` says null) a day index from a fresh read, conditional on its
   * ETag, retried when a writer (the uploader) got there first.
   */
  async rewriteDayIndex(day: string, make: (current: DayIndex) => DayIndex | null, signal?: AbortSignal): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.#readIndexWithEtag(day, signal);
      if (!current) return;
      const next = make(current.index);
      this.#written.delete(day);
      try {
        if (next === null) {
          await this.#call('delete-index', this.#opTimeout, signal, (s) =>
            this.#blob(indexBlobName(day)).deleteIfExists({ abortSignal: s, conditions: { ifMatch: current.etag } }),
          );
        } else {
          const body = serializeIndex(next);
          await this.#call('put-index', this.#opTimeout, signal, (s) =>
            this.#blob(indexBlobName(day)).upload(body, Buffer.byteLength(body), {
              abortSignal: s,
              blobHTTPHeaders: { blobContentType: 'application/json' },
              conditions: { ifMatch: current.etag },
            }),
          );
        }
        return;
      } catch (e) {
        const raced = e instanceof BlobStoreError && (e.statusCode === 412 || e.statusCode === 409);
        if (!raced || attempt >= this.#indexAttempts) throw e;
        await sleep(Math.random() * 20 * attempt, signal);
      }
    }
  }

  /** Deletes a segment's blob if it exists (an upload that landed after its segment was evicted). */
  async deleteSegment(seg: Pick<SegmentToUpload, 'startWallClockMs' | 'endWallClockMs'>, signal?: AbortSignal): Promise<void> {
    const name = segmentBlobName(seg.startWallClockMs, seg.endWallClockMs - seg.startWallClockMs);
    await this.#call('delete-segment', this.#opTimeout, signal, (s) => this.#blob(name).deleteIfExists({ abortSignal: s }));
  }

  /** Whether a blob exists (tests and diagnostics). */
  async exists(name: string, signal?: AbortSignal): Promise<boolean> {
    return this.#call('exists', this.#opTimeout, signal, (s) => this.#blob(name).exists({ abortSignal: s }));
  }

  /** A whole blob in memory (small blobs: init segments, indexes, tests). */
  async download(name: string, signal?: AbortSignal): Promise<Buffer> {
    return this.#call('get-blob', this.#opTimeout, signal, (s) => this.#blob(name).downloadToBuffer(0, undefined, { abortSignal: s }));
  }

  /** Names of all blobs under `prefix` (tests and diagnostics). */
  async listNames(prefix: string, signal?: AbortSignal): Promise<string[]> {
    return (await this.#list(prefix, false, signal)).map((b) => b.name);
  }

  #blob(name: string): BlockBlobClient {
    return this.#container.getBlockBlobClient(this.#prefix + name);
  }

  #uploadDeadline(bytes: number): number {
    return this.#uploadBase + Math.ceil((bytes / this.#uploadRate) * 1000);
  }

  /** Runs one SDK call under its own deadline; maps failures to BlobStoreError without secrets. */
  async #call<T>(op: StorageOp, timeoutMs: number, outer: AbortSignal | undefined, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    outer?.throwIfAborted();
    this.#requests.count(op);
    const what = CALL_NAMES[op] ?? op;
    // One controller for both the deadline and the caller's signal (AbortSignal.any would
    // allocate a dependent signal per call, which shows at hundreds of calls per second).
    const call = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      call.abort(new BlobStoreError('Timeout', `${what} exceeded its ${timeoutMs} ms deadline`));
    }, timeoutMs);
    const onOuterAbort = (): void => call.abort(outer?.reason);
    outer?.addEventListener('abort', onOuterAbort, { once: true });
    try {
      return await fn(call.signal);
    } catch (e) {
      if (timedOut) throw call.signal.reason as BlobStoreError;
      if (outer?.aborted) throw outer.reason;
      throw toStoreError(what, e);
    } finally {
      clearTimeout(timer);
      outer?.removeEventListener('abort', onOuterAbort);
    }
  }
}

/** Whether the environment names an HTTP proxy (the variables @azure/core-rest-pipeline reads). */
function proxyConfigured(): boolean {
  return ['HTTPS_PROXY', 'https_proxy', 'HTTP_PROXY', 'http_proxy', 'ALL_PROXY', 'all_proxy'].some((v) => (process.env[v] ?? '') !== '');
}

/** What may be read as media: segment and init blobs, nothing else of the container. */
const READABLE_NAME = /^(segments\/[0-9TZ.]+_\d+\.m4s|init\/[^/]+\.mp4)$/;

/** How errors name a call (the words users and logs have always seen). */
const CALL_NAMES: Partial<Record<StorageOp, string>> = {
  'put-init': 'upload-init',
  'put-segment': 'upload-segment',
  'put-gap': 'write-gap',
  'put-index': 'write-index',
  'get-index': 'read-index',
  'get-blob': 'download',
};

/** Files up to this size are read whole (one buffer per upload in flight); larger ones stream. */
const WHOLE_FILE_LIMIT = 8 * 1024 * 1024;

/**
 * The body of a single-request upload. Memory stays bounded by the upload concurrency, not by
 * the backlog: a small segment is one buffer; a large one streams in 1 MiB reads (the SDK's
 * uploadFile reads 64 KiB at a time and was ~25% slower against Azurite).
 */
async function fileBody(path: string, bytes: number, buffers?: ReadBuffers): Promise<Buffer | (() => NodeJS.ReadableStream)> {
  if (bytes <= WHOLE_FILE_LIMIT) return readWhole(path, bytes, buffers);
  return () => createReadStream(path, { highWaterMark: 1024 * 1024 });
}

/** One read call (fs.promises.readFile makes several thread-pool round trips per MiB). */
async function readWhole(path: string, bytes: number, buffers?: ReadBuffers): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = buffers ? buffers.take(bytes) : Buffer.allocUnsafe(bytes);
    let off = 0;
    while (off < bytes) {
      const { bytesRead } = await fh.read(buf, off, bytes - off, off);
      if (bytesRead === 0) break;
      off += bytesRead;
    }
    return off === bytes ? buf : buf.subarray(0, off);
  } finally {
    await fh.close();
  }
}

function toStoreError(what: string, e: unknown): BlobStoreError {
  if (e instanceof BlobStoreError) return e;
  const err = e as { statusCode?: number; code?: string; name?: string; message?: string };
  const code = err.code ?? (err.statusCode ? `Http${err.statusCode}` : (err.name ?? 'Error'));
  // SDK messages can echo request URLs (with a SAS signature): keep only the first line, redacted.
  const msg = redact(String(err.message ?? e).split('\n')[0] ?? '');
  return new BlobStoreError(code, `${what} failed: ${msg}`, err.statusCode, { cause: e });
}

/** Removes SAS signatures, keys and URL userinfo from a message. */
export function redact(text: string): string {
  return text
    .replace(/([?&](sig|se|sp|sv|st|spr|srt|ss|sr|skoid|sktid|skt|ske|sks|skv|saoid|suoid|scid)=)[^&\s"']*/gi, '$1REDACTED')
    .replace(/(AccountKey|SharedAccessSignature)=[^;\s"']*/gi, '$1=REDACTED')
    .replace(/\/\/[^/\s@]+@/g, '//REDACTED@');
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<string> {
  if (!stream) return '';
  const chunks: Buffer[] = [];
  for await (const c of stream) chunks.push(typeof c === 'string' ? Buffer.from(c) : c);
  return Buffer.concat(chunks).toString('utf8');
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export type { GapReason };
