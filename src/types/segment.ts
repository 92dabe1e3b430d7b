// Messages that flow from the segmenter to the cache and the asset sink (DESIGN.md §3):
// references to files on disk, never the bytes.
import type { GapReason } from './gap.ts';

export interface SegmentTrackSummary {
  readonly trackId: number;
  readonly mediaType: 'video' | 'audio';
  readonly codecString: string;
  readonly sampleCount: number;
  /** Media duration of this track in the segment, in milliseconds. */
  readonly durationMs: number;
}

export interface InitSegmentRef {
  /** Stable id derived from the init segment's content (hash), so equal configs share one init. */
  readonly id: string;
  readonly path: string;
  readonly byteSize: number;
}

export interface SegmentMessage {
  readonly kind: 'segment';
  /** Absolute path of the finished segment file (`moof`/`mdat` fragments only). */
  readonly path: string;
  readonly byteSize: number;
  readonly init: InitSegmentRef;
  /** Wall-clock start and end (Unix ms) of the media in this segment. */
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
  /** Media duration (first sample to end of last sample) in milliseconds. */
  readonly mediaDurationMs: number;
  readonly tracks: readonly SegmentTrackSummary[];
  /** Decode time of the segment's first video sample in the video timescale (tfdt). */
  readonly baseMediaDecodeTime: number;
  /** True when this segment starts right after a discontinuity (or is the first one). */
  readonly afterDiscontinuity: boolean;
}

/** A stretch of wall-clock time with no media in the asset. */
export interface Gap {
  readonly kind: 'gap';
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
  readonly reason: GapReason;
}

export type SegmentStreamMessage = SegmentMessage | Gap;
