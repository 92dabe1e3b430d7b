// The edge between the durable cache and the asset sink (docs/architecture.md, Pull contract). The cache does not
// push segments downstream: it emits ONE handle, and the sink pulls from it at the pace the
// uplink allows. That pull is the backpressure path; memory stays flat while the disk fills.
import type { Gap, SegmentTrackSummary } from './segment.ts';

/** A segment held by the cache: files inside the cache folder, metadata from the segmenter. */
export interface CachedSegment {
  /** Cache-local id, increasing in arrival order (oldest first). */
  readonly id: number;
  /** Absolute path of the segment file inside the cache. */
  readonly path: string;
  readonly byteSize: number;
  readonly init: { readonly id: string; readonly path: string; readonly byteSize: number };
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
  readonly mediaDurationMs: number;
  readonly tracks: readonly SegmentTrackSummary[];
  readonly baseMediaDecodeTime: number;
  readonly afterDiscontinuity: boolean;
  /** Wall-clock time (Unix ms) at which the cache accepted the segment. */
  readonly cachedAtMs: number;
  /**
   * Set on a segment handed out by `next()`: aborts when the cache evicts it while its upload
   * is in flight (the oldest goes first, uploading or not). The uploader then abandons it: it
   * is gone from the cache and recorded as an evicted gap.
   */
  readonly evicted?: AbortSignal;
}

/** A gap the cache holds until the consumer has recorded it (e.g. in the asset index). */
export interface CachedGap extends Gap {
  readonly id: number;
}

/** Wall-clock time of uploaded segments not yet recorded in the asset's index. */
export interface CachedRange {
  readonly id: number;
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
}

export interface SegmentQueueStats {
  readonly bytes: number;
  readonly maximumBytes: number;
  readonly segments: number;
  readonly inFlight: number;
  /** Age of the oldest cached segment (now − its start), 0 when empty. */
  readonly oldestAgeMs: number;
  readonly pendingGaps: number;
}

/**
 * The narrow pull interface a consumer (the asset sink) gets. One consumer per queue.
 * Lifetime: `next()` resolves `undefined` once the producer side has ended (no more segments
 * will come) and nothing is pending, or when the cache closes. The consumer calls `detach()`
 * exactly once when it is done (drained, or gave up at its drain deadline); only then does
 * the cache close and its node complete. Segments not marked uploaded stay on disk for the
 * next activation.
 */
export interface SegmentQueue {
  /** Oldest pending segment not already in flight; waits for one. Rejects if `signal` aborts. */
  next(signal?: AbortSignal): Promise<CachedSegment | undefined>;
  /**
   * The segment `next()` would return now, without taking it (it stays pending and evictable),
   * or `undefined`. Optional; a consumer uses it to read the next file from disk while the
   * current one uploads.
   */
  peekNext?(): CachedSegment | undefined;
  /** The store confirmed the upload: the cache deletes the files and the journal record. */
  markUploaded(id: number): Promise<void>;
  /** The upload failed: the segment goes back to pending (and becomes evictable again). */
  release(id: number): void;
  /** Gaps not yet acknowledged, oldest first. */
  pendingGaps(): readonly CachedGap[];
  /** Acknowledges gaps that were recorded; a gap that grew since it was read stays pending. */
  ackGaps(gaps: readonly CachedGap[]): Promise<void>;
  /**
   * Uploaded time not yet acknowledged as indexed (adjacent uploads merged). Kept durably by
   * the cache, so an index write lost to a crash or a dead uplink is done on the next run.
   */
  pendingRanges(): readonly CachedRange[];
  ackRanges(ranges: readonly CachedRange[]): Promise<void>;
  /** Resolves when the producer side ended (no more segments will be added). */
  readonly inputEnded: Promise<void>;
  /** Resolves when gaps or uploaded ranges arrive or change (so the consumer can index them promptly). */
  gapsChanged(signal?: AbortSignal): Promise<void>;
  stats(): SegmentQueueStats;
  /** The consumer is finished with the queue. */
  detach(): void;
}

/** The one message on a DurableCache → BlobAssetSink edge. */
export interface SegmentQueueMessage {
  readonly kind: 'segment-queue';
  readonly queue: SegmentQueue;
  /** The cache folder (for diagnostics). */
  readonly cacheDirectory: string;
}

/**
 * Where a segmenter writes when a durable cache takes its segments: a folder inside the cache
 * (same file system, so a finished segment enters the cache by a rename) whose bytes count
 * against the cache's bound while the segment grows.
 */
export interface SegmentWorkspace {
  readonly directory: string;
  /** Makes room for `bytes` more (evicting the oldest cached media); false if they cannot fit. */
  reserve(bytes: number): Promise<boolean>;
  /** Workspace bytes that were deleted (a dropped segment). */
  unreserve(bytes: number): void;
  /** Salvages what an older version left in its own segment folder into the cache. */
  adopt(directory: string): Promise<{ readonly segments: number; readonly filesDeleted: number }>;
  /** Runs `work` once the cache has taken every segment handed to it so far (in its intake order). */
  afterIntake(work: () => Promise<void>): void;
}

/** A track as an init segment describes it (read back from disk). */
export interface InitTrack {
  readonly trackId: number;
  readonly timescale: number;
  readonly mediaType: 'video' | 'audio';
  readonly codecString: string;
}

/** An init segment read back from disk: its id is the hash of its bytes, as the segmenter names it. */
export interface InitDescription {
  readonly id: string;
  readonly tracks: readonly InitTrack[];
}

/** A segment file described from its own bytes and its init segment. */
export interface SegmentFileDescription {
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
  readonly mediaDurationMs: number;
  readonly tracks: readonly SegmentTrackSummary[];
  readonly baseMediaDecodeTime: number;
  /** Bytes through the last whole fragment: the rest (a fragment cut by a crash) is not media. */
  readonly validBytes: number;
  readonly fragments: number;
}

/**
 * Reads media files back (the mp4 code, given to the cache by its node so the storage layer
 * stays free of container parsing). Without one, a cache cannot rebuild or salvage media.
 */
export interface MediaFileReader {
  readInit(bytes: Uint8Array): InitDescription | undefined;
  /** `startWallClockMs`: from the file's name when it has one (else the fragments' prft). */
  describeSegment(bytes: Uint8Array, init: InitDescription, hints: { readonly startWallClockMs?: number }): SegmentFileDescription | undefined;
}
