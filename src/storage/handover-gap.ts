// The `handover` gap of a fleet (issue 18): when a host takes an instance over, the media between
// the old owner's last stored segment and the new owner's first is missing. The new owner records
// that stretch as a typed gap, from the end of what the asset holds (indexes merged with the
// listing of what is newer: asset-view.ts) to the time it starts recording. Media the old owner's
// cache uploads later into that stretch is cut out of the gap by the index (asset-index.ts).
import type { GapRange, TimeRange } from '../types/asset-store.ts';

/** What recording a handover gap needs of an asset's store (any AssetStore has it). */
export interface HandoverGapStore {
  recordedExtent(signal?: AbortSignal): Promise<TimeRange | undefined>;
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

/**
 * Records a `handover` gap from the end of the asset's last stored media to `startMs` (when the new
 * owner starts recording) and returns it; undefined when there is no gap to record (an asset with
 * no media yet, or media stored up to `startMs` or later).
 */
export async function recordHandoverGap(store: HandoverGapStore, startMs: number, opts: HandoverGapOptions = {}): Promise<GapRange | undefined> {
  const extent = await store.recordedExtent(opts.signal);
  if (!extent || extent.endMs >= startMs) return undefined;
  const from = opts.maxGapMs === undefined ? extent.endMs : Math.max(extent.endMs, startMs - opts.maxGapMs);
  const gap: GapRange = { startMs: from, endMs: startMs, reason: 'handover' };
  await store.recordInIndex({ gaps: [gap] }, opts.signal);
  return gap;
}
