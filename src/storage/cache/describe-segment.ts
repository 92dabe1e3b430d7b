// Describes a segment file again from its own bytes and its init segment, for when the
// journal cannot (lost, damaged) or never could (the open segment of a crashed run): media
// files are the truth, the journal only a fast index over them.
import { scanFragments } from '../../media/mp4/read-fragments.ts';
import type { InitTrackInfo } from '../../media/mp4/read-init.ts';
import type { SegmentTrackSummary } from '../../types/segment.ts';
import type { SegmentMeta } from './journal.ts';

export interface SegmentDescription {
  readonly meta: SegmentMeta;
  /** Bytes through the last whole fragment: the rest (a fragment cut by a crash) is not media. */
  readonly validBytes: number;
  readonly fragments: number;
}

export interface DescribeHints {
  /** Wall-clock start from the file's name (the segmenter's choice), preferred over prft. */
  readonly startWallClockMs?: number;
  readonly afterDiscontinuity: boolean;
}

/** Undefined when not one whole fragment of the init's video track can be read. */
export function describeSegment(bytes: Uint8Array, initId: string, tracks: readonly InitTrackInfo[], hints: DescribeHints): SegmentDescription | undefined {
  const scan = scanFragments(bytes);
  const video = tracks.find((t) => t.mediaType === 'video');
  if (!video || scan.fragments.length === 0) return undefined;
  const known = new Map(tracks.map((t) => [t.trackId, t]));
  // Every run must belong to a track of this init: a file paired with the wrong init is refused.
  if (scan.fragments.some((f) => f.runs.some((r) => !known.has(r.trackId)))) return undefined;
  const firstVideo = scan.fragments[0]!.runs.find((r) => r.trackId === video.trackId);
  if (!firstVideo) return undefined;
  const totals = new Map<number, { samples: number; ticks: number }>();
  for (const f of scan.fragments) {
    for (const r of f.runs) {
      const t = totals.get(r.trackId) ?? { samples: 0, ticks: 0 };
      t.samples += r.sampleCount;
      t.ticks += r.durationTicks;
      totals.set(r.trackId, t);
    }
  }
  const summaries: SegmentTrackSummary[] = [...totals].sort((a, b) => a[0] - b[0]).map(([trackId, t]) => {
    const info = known.get(trackId)!;
    return { trackId, mediaType: info.mediaType, codecString: info.codecString, sampleCount: t.samples, durationMs: (t.ticks / info.timescale) * 1000 };
  });
  const mediaDurationMs = ((totals.get(video.trackId)?.ticks ?? 0) / video.timescale) * 1000;
  const start = hints.startWallClockMs ?? scan.fragments[0]!.wallClockMs;
  if (start === undefined || !Number.isFinite(start)) return undefined;
  return {
    meta: {
      initId, start, end: start + Math.max(1, Math.round(mediaDurationMs)), mediaDurationMs, tracks: summaries,
      baseMediaDecodeTime: firstVideo.baseMediaDecodeTime, afterDiscontinuity: hints.afterDiscontinuity,
    },
    validBytes: scan.validBytes,
    fragments: scan.fragments.length,
  };
}

/** `20260101T120000.000Z…` at the start of a segment file name → Unix ms. */
export function timeLabelOf(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\.\d{1,3})?Z/.exec(name);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, m[7] ? Math.round(Number(m[7]) * 1000) : 0);
  return Number.isFinite(ms) ? ms : undefined;
}
