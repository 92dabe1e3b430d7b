// What playback needs from wherever assets are stored. The HTTP routes depend on this
// interface only; StorePlaybackSource implements it over any AssetStoreProvider (Blob Storage,
// a local folder: src/types/asset-store.ts).
import { RangeNotSatisfiableError, type ByteRange, type MediaDeletion, type StoredBytes, type StoredSegment } from '../../../types/asset-store.ts';

export interface RecordedRange {
  /** Unix ms, inclusive. */
  readonly startMs: number;
  /** Unix ms, exclusive. */
  readonly endMs: number;
}

export interface RecordedGap extends RecordedRange {
  /** Why nothing was recorded, when the writer knew: one of GAP_REASONS (src/types/gap.ts). */
  readonly reason?: string;
}

export interface AvailableMediaResult {
  readonly ranges: readonly RecordedRange[];
  readonly gaps: readonly RecordedGap[];
}

/** A stored segment as playback lists it (the store's own description). */
export type PlaybackSegment = StoredSegment;
/** An object's bytes, streamed, possibly a range of it. */
export type BlobBytes = StoredBytes;
export type { ByteRange };

export interface PlaybackSource {
  /** Names of the assets that can be played. */
  listAssets(signal?: AbortSignal): Promise<string[]>;
  /** First and last recorded instants of an asset; undefined when it holds no media. Throws AssetNotFoundError. */
  recordedExtent(asset: string, signal?: AbortSignal): Promise<RecordedRange | undefined>;
  /** Recorded ranges and known gaps overlapping [fromMs, toMs), clipped to it. Throws AssetNotFoundError. */
  availableMedia(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMediaResult>;
  /** Segments overlapping [fromMs, toMs), sorted by start. Throws AssetNotFoundError. */
  listSegments(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<PlaybackSegment[]>;
  /** A blob of the asset by name (`segments/<file>.m4s`, `init/<id>.mp4`); undefined when absent. */
  readBlob(asset: string, name: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined>;
  /** An init segment's bytes by id; undefined when absent. */
  initSegment(asset: string, id: string, range?: ByteRange, signal?: AbortSignal): Promise<BlobBytes | undefined>;
  /** Deletes an asset whole; false when there was none. Absent: deleting is not offered. */
  deleteAsset?(asset: string, signal?: AbortSignal): Promise<boolean>;
  /** Deletes the segments wholly within [fromMs, toMs) (docs/storage-format.md, Deletion). Throws AssetNotFoundError. */
  deleteMedia?(asset: string, fromMs: number, toMs: number, signal?: AbortSignal): Promise<MediaDeletion>;
}

export class AssetNotFoundError extends Error {
  override readonly name = 'AssetNotFoundError';
  constructor(readonly asset: string) {
    super(`asset "${asset}" does not exist`);
  }
}

export { RangeNotSatisfiableError };
