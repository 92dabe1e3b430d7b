// What the cutter asks its owner to do. Plain data, so the cutting logic is testable without disk.
import type { SegmentTrackSummary } from '../../types/segment.ts';

export type CloseReason = 'length' | 'codec-change' | 'discontinuity' | 'end';

export interface InitAction {
  readonly type: 'init';
  /** Hash of `bytes`: equal configurations share one init segment. */
  readonly id: string;
  readonly bytes: Uint8Array;
  /** RFC 6381 codec strings of the tracks, in track order. */
  readonly codecs: readonly string[];
}

export interface OpenSegmentAction {
  readonly type: 'open-segment';
  /** 1, 2, 3… over the cutter's lifetime. */
  readonly sequence: number;
  readonly initId: string;
  /** Wall clock (Unix ms) of the first keyframe's presentation. */
  readonly startWallClockMs: number;
  /** Decode time of the first video sample, in the video timescale. */
  readonly baseMediaDecodeTime: number;
  readonly afterDiscontinuity: boolean;
}

export interface AppendAction {
  readonly type: 'append';
  readonly sequence: number;
  /** One fragment (prft + moof + mdat) as chunks in file order, ready for writev. */
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

export interface SegmentSummary {
  readonly sequence: number;
  readonly initId: string;
  readonly startWallClockMs: number;
  readonly endWallClockMs: number;
  readonly mediaDurationMs: number;
  readonly baseMediaDecodeTime: number;
  readonly afterDiscontinuity: boolean;
  readonly byteSize: number;
  readonly fragments: number;
  readonly tracks: readonly SegmentTrackSummary[];
  readonly reason: CloseReason;
}

export interface CloseSegmentAction {
  readonly type: 'close-segment';
  readonly summary: SegmentSummary;
}

/** A track could not be described (unreadable SPS, unknown codec): its samples are dropped. */
export interface TrackRejectedAction {
  readonly type: 'track-rejected';
  readonly trackId: number;
  readonly message: string;
}

export type CutterAction = InitAction | OpenSegmentAction | AppendAction | CloseSegmentAction | TrackRejectedAction;
