// The storage seam: what the asset sink's uploader and playback need from wherever an asset
// lives. Two implementations share one layout (docs/storage-format.md): Azure Blob Storage
// (src/storage/blob/) and a local folder (src/storage/file/). Nothing here names a vendor.
import type { Readable } from 'node:stream';
import type { CachedSegment } from './cache.ts';
import type { GapReason } from './gap.ts';

/** Wall-clock interval, Unix ms: start inclusive, end exclusive. */
export interface TimeRange {
  readonly startMs: number;
  readonly endMs: number;
}
export interface GapRange extends TimeRange {
  readonly reason: GapReason;
}

/** One UTC day's index: recorded ranges starting that day and gaps overlapping it. */
export interface DayIndex {
  readonly day: string;
  readonly ranges: readonly TimeRange[];
  readonly gaps: readonly GapRange[];
}

export interface AvailableMedia {
  readonly ranges: readonly TimeRange[];
  readonly gaps: readonly GapRange[];
}

export type SegmentToUpload = Pick<CachedSegment, 'path' | 'startWallClockMs' | 'endWallClockMs' | 'mediaDurationMs' | 'tracks' | 'init'> & {
  /** The file's size when known (the cache knows it exactly); otherwise it is read from disk. */
  readonly byteSize?: number;
};

/** A segment file's upload body: read whole (small files) or a stream opened when sent. */
export interface SegmentBody {
  readonly path: string;
  readonly bytes: number;
  readonly data: Buffer | (() => NodeJS.ReadableStream);
}

/** A stored segment as playback lists it. */
export interface StoredSegment {
  /** File name inside `segments/`, e.g. `20260101T000000.000Z_2000.m4s`. */
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly durationMs: number;
  /** Id of the init segment (`init/<id>.mp4`) that decodes this segment. */
  readonly initId: string;
  /** RFC 6381 codec strings, comma-separated, when known. */
  readonly codecs?: string;
}

/** A stored segment as a deletion or a retention sweep sees it. */
export interface SegmentFile {
  /** `segments/<t>_<durationMs>.m4s` */
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly byteSize: number;
}

/** What a deletion removed. */
export interface MediaDeletion {
  readonly segments: number;
  readonly bytes: number;
  /** From the first deleted segment's start to the last one's end; absent when nothing was deleted. */
  readonly range?: TimeRange;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive; undefined = to the end. */
  readonly end?: number;
}

export interface StoredBytes {
  readonly body: Readable;
  /** Bytes in `body`. */
  readonly contentLength: number;
  /** Size of the whole object (differs from contentLength for a range read). */
  readonly totalSize: number;
  readonly contentType: string;
  /** Present when a byte range was read: inclusive offsets. */
  readonly range?: { readonly start: number; readonly end: number };
  readonly etag?: string;
}

/** One asset's storage. Every call may be given a signal; failures are AssetStoreErrors. */
export interface AssetStore {
  readonly assetName: string;
  /** Where it is, for StorageError events and logs (an account name, `local`); no secrets. */
  readonly accountName: string;
  describe(): string;

  // --- writing (the asset sink's uploader) ---
  /** Uploads an init segment; repeats overwrite. Returns its name (`init/<id>.mp4`). */
  uploadInit(init: { id: string; path: string; byteSize?: number }, signal?: AbortSignal): Promise<string>;
  /** Reads what `uploadSegment` sends, so the next file can be read while one uploads. */
  readSegmentBody(seg: Pick<SegmentToUpload, 'path' | 'byteSize'>): Promise<SegmentBody>;
  /** Stores a segment (with its start, end, init id and codecs): one write. */
  uploadSegment(seg: SegmentToUpload, signal?: AbortSignal, body?: SegmentBody): Promise<{ blobName: string; byteSize: number }>;
  deleteSegment(seg: Pick<SegmentToUpload, 'startWallClockMs' | 'endWallClockMs'>, signal?: AbortSignal): Promise<void>;
  /** Adds ranges and gaps to the day indexes (gaps also get their marker). */
  recordInIndex(add: { ranges?: readonly TimeRange[]; gaps?: readonly GapRange[] }, signal?: AbortSignal): Promise<void>;
  /**
   * Deletes the segments lying wholly within [fromMs, toMs), oldest first, with their metadata,
   * their index entries and the gaps of that window (docs/storage-format.md, Deletion).
   * `inventory`: the segment listing when the caller already has it.
   */
  deleteMedia(fromMs: number, toMs: number, signal?: AbortSignal, inventory?: readonly SegmentFile[]): Promise<MediaDeletion>;
  /** Every segment with its size, sorted by start (one paged listing). */
  listSegmentInventory(signal?: AbortSignal): Promise<SegmentFile[]>;
  /** Whether the storage answers at all within `timeoutMs` (watching an outage end). */
  reachable(timeoutMs: number, signal?: AbortSignal): Promise<boolean>;
  /** Gives up buffers kept for reading segments (no upload follows soon). */
  releaseReadBuffers(): void;

  // --- reading (playback, export, tests) ---
  readIndex(day: string, signal?: AbortSignal): Promise<DayIndex | undefined>;
  /** Recorded ranges and gaps overlapping [fromMs, toMs], clipped, exact however stale the indexes. */
  availableRanges(fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMedia>;
  /** First and last recorded instants; undefined when the asset holds no media. */
  recordedExtent(signal?: AbortSignal): Promise<TimeRange | undefined>;
  /** Segments overlapping [fromMs, toMs), sorted by start. */
  listSegments(fromMs: number, toMs: number, signal?: AbortSignal): Promise<StoredSegment[]>;
  /** An object by name (`segments/<file>.m4s`, `init/<id>.mp4`); undefined when absent. Throws RangeNotSatisfiableError. */
  readObject(name: string, range?: ByteRange, signal?: AbortSignal): Promise<StoredBytes | undefined>;
  /** Names under a prefix (`segments/`, `index/`, …), sorted. */
  listNames(prefix: string, signal?: AbortSignal): Promise<string[]>;
}

/** Where assets live: opens one asset's store and lists the assets there. */
export interface AssetStoreProvider {
  describe(): string;
  /** No network or disk call; throws InvalidAssetNameError for a name this store cannot hold. */
  open(assetName: string): Promise<AssetStore>;
  listAssets(signal?: AbortSignal): Promise<string[]>;
  /** Whether the asset exists at all (an empty one does). */
  assetExists(assetName: string, signal?: AbortSignal): Promise<boolean>;
  /** Deletes the asset and everything in it; false when there was none. */
  deleteAsset(assetName: string, signal?: AbortSignal): Promise<boolean>;
}

/** A requested byte range lies outside the object (HTTP 416). */
export class RangeNotSatisfiableError extends Error {
  override readonly name = 'RangeNotSatisfiableError';
  constructor(readonly totalSize: number) {
    super(`the requested range is outside the blob (size ${totalSize})`);
  }
}
