// The `handover` gap of a fleet (issue 18): when a host takes an instance over, the media between
// the old owner's last stored segment and the new owner's first is missing. The new owner records
// that stretch as a typed gap, from the end of what the asset holds (indexes merged with the
// listing of what is newer: asset-view.ts) to the time it starts recording. Media the old owner's
// cache uploads later into that stretch is cut out of the gap by the index (asset-index.ts).
import type { GapRange, TimeRange } from '../types/asset-store.ts';

/** What recording a handover gap needs of an asset's store (any AssetStore has it). */
export interface HandoverGapStore {
  recordedExtent(signal?: AbortSignal): Promise<TimeRange | undefined>;
  availableRanges(fromMs: number, toMs: number, signal?: AbortSignal): Promise<{ readonly ranges: readonly TimeRange[] }>;
  recordInIndex(add: { gaps?: readonly GapRange[] }, signal?: AbortSignal): Promise<void>;
}

export interface HandoverGapOptions {
  readonly signal?: AbortSignal;
  /**
   * The longest gap to record: one that would start earlier starts at `startMs - maxGapMs`
   * (an asset last recorded days ago was not handed over, it was not recorded). Default: no limit.
   */
  readonly maxGapMs?: number;
}

/** How far before `startMs` the stored media is looked at (one window of availableMedia). */
const LOOKBACK_MS = 86_400_000;

/**
 * Records a `handover` gap from the end of the asset's media stored before `startMs` to
 * `startMs` (when the new owner starts recording, or the start of its first stored segment: media
 * the new owner already stored from `startMs` on does not count) and returns it; undefined when
 * there is no gap (no media before `startMs`, or media up to it: a hole under a second is not one).
 */
export async function recordHandoverGap(store: HandoverGapStore, startMs: number, opts: HandoverGapOptions = {}): Promise<GapRange | undefined> {
  const extent = await store.recordedExtent(opts.signal);
  if (!extent || extent.startMs >= startMs) return undefined;
  let endMs = extent.endMs;
  if (endMs > startMs) {
    // media from `startMs` on is stored already: the end that counts is the last one before it
    const window = Math.min(LOOKBACK_MS, opts.maxGapMs ?? LOOKBACK_MS);
    const before = await store.availableRanges(Math.max(extent.startMs, startMs - window), startMs, opts.signal);
    endMs = before.ranges.reduce((m, r) => Math.max(m, r.endMs), startMs - window);
  }
  if (endMs >= startMs) return undefined;
  const from = opts.maxGapMs === undefined ? endMs : Math.max(endMs, startMs - opts.maxGapMs);
  const gap: GapRange = { startMs: from, endMs: startMs, reason: 'handover' };
  await store.recordInIndex({ gaps: [gap] }, opts.signal);
  return gap;
}
