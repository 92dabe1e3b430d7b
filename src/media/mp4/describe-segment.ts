// Describes a segment file again from its own bytes and its init segment, for when the
// cache's journal cannot (lost, damaged) or never could (the open segment of a crashed run):
// media files are the truth, the journal only a fast index over them.
import { scanFragments } from './read-fragments.ts';
import { readInitSegment } from './read-init.ts';
import { initSegmentId } from '../segmenter/init-id.ts';
import type { SegmentTrackSummary } from '../../types/segment.ts';
import type { InitDescription, MediaFileReader, SegmentFileDescription } from '../../types/cache.ts';

/** Undefined when not one whole fragment of the init's video track can be read. */
export function describeSegment(bytes: Uint8Array, init: InitDescription, hints: { readonly startWallClockMs?: number }): SegmentFileDescription | undefined {
  const scan = scanFragments(bytes);
  const video = init.tracks.find((t) => t.mediaType === 'video');
  if (!video || scan.fragments.length === 0) return undefined;
  const known = new Map(init.tracks.map((t) => [t.trackId, t]));
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
  const tracks: SegmentTrackSummary[] = [...totals]
    .sort((a, b) => a[0] - b[0])
    .map(([trackId, t]) => {
      const info = known.get(trackId)!;
      return { trackId, mediaType: info.mediaType, codecString: info.codecString, sampleCount: t.samples, durationMs: (t.ticks / info.timescale) * 1000 };
    });
  const mediaDurationMs = ((totals.get(video.trackId)?.ticks ?? 0) / video.timescale) * 1000;
  const start = hints.startWallClockMs ?? scan.fragments[0]!.wallClockMs;
  if (start === undefined || !Number.isFinite(start)) return undefined;
  // The end is start + media duration, but no later than the last fragment's own clock (prft)
  // allows: media recorded faster than real time (a sped-up camera) must not end in the future.
  const byMedia = start + Math.max(1, Math.round(mediaDurationMs));
  const last = scan.fragments[scan.fragments.length - 1]!;
  const lastVideo = last.runs.find((r) => r.trackId === video.trackId);
  const byClock = last.wallClockMs !== undefined && lastVideo ? Math.round(last.wallClockMs + (lastVideo.durationTicks / video.timescale) * 1000) : undefined;
  return {
    startWallClockMs: start,
    endWallClockMs: byClock !== undefined && byClock > start ? Math.min(byMedia, byClock) : byMedia,
    mediaDurationMs,
    tracks,
    baseMediaDecodeTime: firstVideo.baseMediaDecodeTime,
    validBytes: scan.validBytes,
    fragments: scan.fragments.length,
  };
}

/** Undefined when the bytes are not an init segment with a video track. */
export function readInitDescription(bytes: Uint8Array): InitDescription | undefined {
  try {
    return { id: initSegmentId(bytes), tracks: readInitSegment(bytes) };
  } catch {
    return undefined;
  }
}

/** What a durable cache gets to read its files back. */
export const mp4FileReader: MediaFileReader = { readInit: readInitDescription, describeSegment };
