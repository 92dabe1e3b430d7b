// The per-day index of an asset: which wall-clock ranges are recorded and which are gaps.
// Pure functions; the store does the read-modify-write.
import { parseGapReason, type GapReason } from '../../types/gap.ts';
import type { DayIndex, GapRange, TimeRange } from '../../types/asset-store.ts';

export type { DayIndex, GapRange, TimeRange };

/** Ranges closer than this are one recorded stretch (clock jitter between segments). */
export const DEFAULT_MERGE_TOLERANCE_MS = 1000;

export function emptyIndex(day: string): DayIndex {
  return { day, ranges: [], gaps: [] };
}

/** Union of intervals; neighbours within `tolerance` merge. Result sorted by start. */
export function mergeRanges(ranges: readonly TimeRange[], tolerance = DEFAULT_MERGE_TOLERANCE_MS): TimeRange[] {
  const sorted = [...ranges].filter((r) => r.endMs >= r.startMs).sort((a, b) => a.startMs - b.startMs);
  const out: { startMs: number; endMs: number }[] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r.startMs <= last.endMs + tolerance) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ startMs: r.startMs, endMs: r.endMs });
  }
  return out;
}

/** Gaps of the same reason that overlap or touch become one. */
export function mergeGaps(gaps: readonly GapRange[], tolerance = DEFAULT_MERGE_TOLERANCE_MS): GapRange[] {
  const byReason = new Map<GapReason, GapRange[]>();
  for (const g of gaps) byReason.set(g.reason, [...(byReason.get(g.reason) ?? []), g]);
  const out: GapRange[] = [];
  for (const [reason, list] of byReason) for (const r of mergeRanges(list, tolerance)) out.push({ ...r, reason });
  return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

export function applyToIndex(index: DayIndex, add: { ranges?: readonly TimeRange[]; gaps?: readonly GapRange[] }): DayIndex {
  const ranges = mergeRanges([...index.ranges, ...(add.ranges ?? [])]);
  return { day: index.day, ranges, gaps: trimHandoverGaps(mergeGaps([...index.gaps, ...(add.gaps ?? [])]), ranges) };
}

/**
 * A `handover` gap is written by the new owner from the end of what was stored when it took the
 * instance over; the old owner's cache may still upload media from that stretch later (a drain
 * after a restart, uploads that were in flight). What is stored is not a gap: those parts are
 * cut out. Other reasons are written by the one cache that recorded the media and stay as they are.
 */
export function trimHandoverGaps(gaps: readonly GapRange[], ranges: readonly TimeRange[]): GapRange[] {
  if (!gaps.some((g) => g.reason === 'handover')) return [...gaps];
  const recorded = mergeRanges(ranges, 0);
  const out: GapRange[] = [];
  for (const g of gaps) {
    if (g.reason !== 'handover') {
      out.push(g);
      continue;
    }
    let from = g.startMs;
    for (const r of recorded) {
      if (r.endMs <= from || r.startMs >= g.endMs) continue;
      if (r.startMs > from) out.push({ startMs: from, endMs: r.startMs, reason: g.reason });
      from = Math.max(from, r.endMs);
    }
    if (from < g.endMs) out.push({ startMs: from, endMs: g.endMs, reason: g.reason });
  }
  return out.sort((a, b) => a.startMs - b.startMs || a.endMs - b.endMs);
}

interface IndexJson {
  version: 1;
  day: string;
  ranges: { start: string; end: string }[];
  gaps: { start: string; end: string; reason: GapReason }[];
}

export function serializeIndex(index: DayIndex): string {
  const json: IndexJson = {
    version: 1,
    day: index.day,
    ranges: index.ranges.map((r) => ({ start: new Date(r.startMs).toISOString(), end: new Date(r.endMs).toISOString() })),
    gaps: index.gaps.map((g) => ({ start: new Date(g.startMs).toISOString(), end: new Date(g.endMs).toISOString(), reason: g.reason })),
  };
  return JSON.stringify(json, null, 1);
}

export function parseIndex(text: string, day: string): DayIndex | undefined {
  try {
    const j = JSON.parse(text) as Partial<IndexJson>;
    if (j.version !== 1 || !Array.isArray(j.ranges) || !Array.isArray(j.gaps)) return undefined;
    const ranges = j.ranges.map((r) => ({ startMs: Date.parse(r.start), endMs: Date.parse(r.end) }));
    // A reason this version does not know is kept as the nearest general one, never dropped:
    // the hole is real whatever caused it.
    const gaps = j.gaps.map((g) => ({ startMs: Date.parse(g.start), endMs: Date.parse(g.end), reason: parseGapReason(g.reason) ?? 'recorder-down' }));
    if ([...ranges, ...gaps].some((r) => Number.isNaN(r.startMs) || Number.isNaN(r.endMs))) return undefined;
    return { day, ranges, gaps };
  } catch {
    return undefined;
  }
}

/** Clips ranges to [from, to]. */
export function clip<T extends TimeRange>(ranges: readonly T[], from: number, to: number): T[] {
  return ranges.filter((r) => r.endMs > from && r.startMs < to).map((r) => ({ ...r, startMs: Math.max(r.startMs, from), endMs: Math.min(r.endMs, to) }));
}

/** The parts of `ranges` that lie within `within` (both any order; result merged and sorted). */
export function intersectRanges(ranges: readonly TimeRange[], within: readonly TimeRange[]): TimeRange[] {
  const out: TimeRange[] = [];
  const w = mergeRanges(within, 0);
  for (const r of ranges) {
    for (const s of w) {
      const startMs = Math.max(r.startMs, s.startMs);
      const endMs = Math.min(r.endMs, s.endMs);
      if (endMs > startMs) out.push({ startMs, endMs });
    }
  }
  return mergeRanges(out, 0);
}
