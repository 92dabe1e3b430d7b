// What playback needs from wherever assets are stored. The HTTP routes depend on this
// interface only; BlobPlaybackSource implements it over Azure Blob Storage (DESIGN.md §5).
import type { Readable } from 'node:stream';

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

export interface PlaybackSegment {
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

export interface BlobBytes {
  readonly body: Readable;
  /** Bytes in `body`. */
  readonly contentLength: number;
  /** Size of the whole blob (differs from contentLength for a range read). */
  readonly totalSize: number;
  readonly contentType: string;
  /** Present when a byte range was read: inclusive offsets. */
  readonly range?: { readonly start: number; readonly end: number };
  readonly etag?: string;
}

export interface ByteRange {
  readonly start: number;
  /** Inclusive; undefined = to the end. */
  readonly end?: number;
}

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
}

export class AssetNotFoundError extends Error {
  override readonly name = 'AssetNotFoundError';
  constructor(readonly asset: string) {
    super(`asset "${asset}" does not exist`);
  }
}

/** A requested byte range lies outside the blob (HTTP 416). */
export class RangeNotSatisfiableError extends Error {
  override readonly name = 'RangeNotSatisfiableError';
  constructor(readonly totalSize: number) {
    super(`the requested range is outside the blob (size ${totalSize})`);
  }
}
