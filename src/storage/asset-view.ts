// What an asset holds, exactly, from a day index that may be stale. The writer rewrites a day
// index rarely (every hour of media, at a gap, at the end of a run) and never per segment, so
// a reader merges the index with a listing of the segments newer than it: those start after
// the index's last recorded instant, because segments are uploaded oldest first (an upload
// older than what an index lists makes the writer rewrite the index at once). Gap markers are
// few (one blob per gap) and listed whole. Plain functions over a store's primitives.
import { dayStartMs, segmentDayPrefix, segmentHourPrefix, utcDay } from './blob/naming.ts';
import { clip, emptyIndex, mergeGaps, mergeRanges, trimHandoverGaps, type DayIndex, type GapRange, type TimeRange } from './blob/asset-index.ts';

export const DAY_MS = 86_400_000;
/** A segment is at most a few minutes long; listings look this far before a window. */
export const SEGMENT_LOOKBACK_MS = 15 * 60_000;
/** Windows up to this long probe every day; longer ones read the days that have an index. */
const SHORT_WINDOW_MS = 8 * DAY_MS;
/** How far before an index's last recorded instant a reader lists (see dayRanges). */
const STALE_OVERLAP_MS = 60_000;
/** More stale hours than this in one day are listed with the day's prefix (one paged listing). */
const MAX_HOUR_LISTINGS = 4;

/** The reads a store offers for building its view (one request each, or one per page). */
export interface AssetListingSource {
  /** The day index of `day`, or undefined when there is none. */
  readIndex(day: string, signal?: AbortSignal): Promise<DayIndex | undefined>;
  /** Recorded spans of the segments whose name starts with `prefix` (`segments/…`). */
  listSegmentSpans(prefix: string, signal?: AbortSignal): Promise<TimeRange[]>;
  /** Every gap marker of the asset. */
  listGapMarkers(signal?: AbortSignal): Promise<GapRange[]>;
  /** Days (`yyyy-mm-dd`) that have an index, sorted. */
  listIndexDays(signal?: AbortSignal): Promise<string[]>;
}

export interface AssetMedia {
  readonly ranges: readonly TimeRange[];
  readonly gaps: readonly GapRange[];
}

/**
 * The recorded ranges of segments starting on `day` (complete where they can overlap
 * [fromMs, toMs)): the index's ranges plus the listing of what is newer. `index`: the day's
 * index when already read, null when known to be absent, undefined to read it here.
 */
export async function dayRanges(
  src: AssetListingSource,
  day: string,
  fromMs: number,
  toMs: number,
  signal?: AbortSignal,
  index?: DayIndex | null,
): Promise<TimeRange[]> {
  const dayStart = dayStartMs(day);
  const dayEnd = dayStart + DAY_MS;
  const idx = index === null ? undefined : (index ?? (await src.readIndex(day, signal)));
  if (!idx) return mergeRanges(await src.listSegmentSpans(segmentDayPrefix(day), signal));
  const through = idx.ranges.reduce((m, r) => Math.max(m, r.endMs), dayStart);
  // a minute early: neighbouring segments' clocks may overlap a little (the writer rewrites the
  // index for any upload older than that)
  const from = Math.max(dayStart, through - STALE_OVERLAP_MS, fromMs - SEGMENT_LOOKBACK_MS);
  const to = Math.min(dayEnd, toMs);
  if (from >= to) return [...idx.ranges];
  const firstHour = Math.floor(from / 3_600_000) * 3_600_000;
  const hours = Math.ceil((to - firstHour) / 3_600_000);
  const listed: TimeRange[] = [];
  if (hours > MAX_HOUR_LISTINGS) listed.push(...(await src.listSegmentSpans(segmentDayPrefix(day), signal)));
  else for (let h = firstHour; h < to; h += 3_600_000) listed.push(...(await src.listSegmentSpans(segmentHourPrefix(h), signal)));
  // an hour's listing also names segments older than `from`: the index already covers those (a
  // segment it does not list there is one a deletion is removing: docs/storage-format.md, Deletion)
  return mergeRanges([...idx.ranges, ...listed.filter((r) => r.startMs >= from)]);
}

/** Recorded ranges and gaps overlapping [fromMs, toMs], clipped to it; exact whatever the indexes' age. */
export async function availableMedia(src: AssetListingSource, fromMs: number, toMs: number, signal?: AbortSignal, nowMs = Date.now()): Promise<AssetMedia> {
  const ranges: TimeRange[] = [];
  const gaps: GapRange[] = [];
  const days =
    toMs - fromMs <= SHORT_WINDOW_MS
      ? // a segment starting before midnight is in the previous day's index
        daysCovering(fromMs - DAY_MS, toMs).map((day) => ({ day, indexed: true }))
      : await longWindowDays(src, fromMs, toMs, nowMs, signal);
  for (const { day, indexed } of days) {
    const idx = indexed ? await src.readIndex(day, signal) : undefined;
    ranges.push(...(await dayRanges(src, day, fromMs, toMs, signal, idx ?? null)));
    if (idx) gaps.push(...idx.gaps);
  }
  gaps.push(...(await src.listGapMarkers(signal)).filter((g) => g.endMs > fromMs && g.startMs < toMs));
  const merged = mergeRanges(ranges);
  // handover gaps may name media an old owner stored after them (asset-index.ts)
  return { ranges: clip(merged, fromMs, toMs), gaps: clip(trimHandoverGaps(mergeGaps(gaps), merged), fromMs, toMs) };
}

/**
 * Months or years: the days that have an index (one listing) instead of every day of the
 * window (`0000`–`9999` is 3.65 M days), plus the days after the last index up to now, which
 * may hold media no index lists yet.
 */
async function longWindowDays(
  src: AssetListingSource,
  fromMs: number,
  toMs: number,
  nowMs: number,
  signal?: AbortSignal,
): Promise<{ day: string; indexed: boolean }[]> {
  const firstDay = dayStartMs(utcDay(fromMs - DAY_MS));
  const indexed = (await src.listIndexDays(signal)).filter((d) => dayStartMs(d) >= firstDay && dayStartMs(d) < toMs);
  const out = indexed.map((day) => ({ day, indexed: true }));
  const last = indexed.at(-1);
  const tailFrom = last ? dayStartMs(last) + DAY_MS : Math.max(firstDay, nowMs - SHORT_WINDOW_MS);
  for (const day of daysCovering(tailFrom, Math.min(toMs, nowMs + DAY_MS))) out.push({ day, indexed: false });
  return out;
}

/** The day index as it should be, rebuilt from the listing alone (a missing or unreadable index). */
export async function indexFromListing(src: AssetListingSource, day: string, signal?: AbortSignal): Promise<DayIndex> {
  const ranges = await src.listSegmentSpans(segmentDayPrefix(day), signal);
  const dayStart = dayStartMs(day);
  const gaps = (await src.listGapMarkers(signal)).filter((g) => g.endMs > dayStart && g.startMs < dayStart + DAY_MS);
  const merged = mergeRanges(ranges);
  return { ...emptyIndex(day), ranges: merged, gaps: trimHandoverGaps(mergeGaps(gaps), merged) };
}

export function daysCovering(fromMs: number, toMs: number): string[] {
  const days: string[] = [];
  for (let t = dayStartMs(utcDay(fromMs)); t <= toMs; t += DAY_MS) days.push(utcDay(t));
  return days;
}

/**
 * First and last recorded instants: the first indexed day's ranges for the start; for the end,
 * the last indexed day merged with what is newer, and the days after it up to now (which an
 * index may not list yet). An asset without any index is scanned whole.
 */
export async function recordedExtent(src: AssetListingSource, signal?: AbortSignal, nowMs = Date.now()): Promise<TimeRange | undefined> {
  const days = await src.listIndexDays(signal);
  const first = days[0];
  const last = days.at(-1);
  const tailDays = last ? daysCovering(dayStartMs(last) + DAY_MS, nowMs + DAY_MS) : [];
  if (!first || !last || tailDays.length > 31) return extentOf(await src.listSegmentSpans('segments/', signal));
  let startMs: number | undefined;
  for (const day of days) {
    const r = await dayRanges(src, day, dayStartMs(day), dayStartMs(day) + DAY_MS, signal);
    if (r.length) {
      startMs = r[0]!.startMs;
      break;
    }
  }
  const tail: TimeRange[] = [];
  for (const day of tailDays) tail.push(...(await src.listSegmentSpans(segmentDayPrefix(day), signal)));
  for (let i = days.length - 1; i >= 0 && tail.length === 0; i--) {
    const day = days[i]!;
    tail.push(...(await dayRanges(src, day, dayStartMs(day), dayStartMs(day) + DAY_MS, signal)));
  }
  const end = extentOf(tail);
  if (startMs === undefined || !end) return extentOf(await src.listSegmentSpans('segments/', signal));
  return { startMs: Math.min(startMs, end.startMs), endMs: end.endMs };
}

function extentOf(ranges: readonly TimeRange[]): TimeRange | undefined {
  if (!ranges.length) return undefined;
  // a reduce, not Math.min(...list): a year of segments is more arguments than a call takes
  return { startMs: ranges.reduce((m, x) => Math.min(m, x.startMs), Infinity), endMs: ranges.reduce((m, x) => Math.max(m, x.endMs), -Infinity) };
}

/**
 * Segments overlapping [fromMs, toMs), sorted by start: one listing per day prefix, from a
 * segment's length before the window (`list` lists one prefix).
 */
export async function listSegmentsBetween<T extends { readonly startMs: number; readonly endMs: number }>(
  fromMs: number,
  toMs: number,
  list: (prefix: string) => Promise<T[]>,
): Promise<T[]> {
  const out: T[] = [];
  for (let day = dayStartMs(utcDay(fromMs - SEGMENT_LOOKBACK_MS)); day < toMs; day += DAY_MS) {
    for (const s of await list(segmentDayPrefix(utcDay(day)))) if (s.endMs > fromMs && s.startMs < toMs) out.push(s);
  }
  return out.sort((a, b) => a.startMs - b.startMs);
}
