// Deleting recorded media from an asset (retention, `DELETE`), the same way in every store
// (docs/storage-format.md, Deletion). Plain functions over a store's primitives.
//
// Order matters for readers that look while a deletion runs, or after it crashed half-way.
// Per day, oldest first: the day index is rewritten first (ETag-conditional where the store has
// ETags), then that day's segments are deleted oldest first. A reader trusts the index up to its
// last instant and lists only what is newer, so a segment left behind by a crash is invisible
// (and the next deletion or sweep, which works from a listing of every segment, removes it); a
// day left with nothing has its index deleted, and its listing then shows only what still exists.
import { DAY_MS } from './asset-view.ts';
import type { AssetListingSource } from './asset-view.ts';
import { dayStartMs, gapBlobName, isoBasic, parseIsoBasic, utcDay } from './blob/naming.ts';
import { mergeGaps, mergeRanges } from './blob/asset-index.ts';
import type { DayIndex, MediaDeletion, SegmentFile, TimeRange } from '../types/asset-store.ts';

/** What a store offers for deleting: its reads (asset-view) plus a few writes. */
export interface DeletionTarget extends AssetListingSource {
  /** Every segment with its size, sorted by start. */
  listSegmentInventory(signal?: AbortSignal): Promise<SegmentFile[]>;
  /** Deletes a segment and its metadata (sidecar); a missing one is not an error. */
  removeSegment(name: string, signal?: AbortSignal): Promise<void>;
  /** Deletes a marker (`gaps/…`, `deleted/…`); a missing one is not an error. */
  removeMarker(name: string, signal?: AbortSignal): Promise<void>;
  putMarker(name: string, signal?: AbortSignal): Promise<void>;
  /** Markers under `deleted/`. */
  listDeletionMarkers(signal?: AbortSignal): Promise<string[]>;
  /**
   * Rewrites `day`'s index from its current content, conditionally; `make` returns null to delete
   * it. Nothing is written for a day without an index.
   */
  rewriteDayIndex(day: string, make: (current: DayIndex) => DayIndex | null, signal?: AbortSignal): Promise<void>;
}

/** `deleted/<t-start>_<t-end>`: history deleted on purpose, not a gap. */
export function deletionMarkerName(range: TimeRange): string {
  return `deleted/${isoBasic(range.startMs)}_${isoBasic(range.endMs)}`;
}

export function parseDeletionMarker(name: string): TimeRange | undefined {
  const m = /^deleted\/(\d{8}T\d{6}\.\d{3}Z)_(\d{8}T\d{6}\.\d{3}Z)$/.exec(name);
  if (!m) return undefined;
  const startMs = parseIsoBasic(m[1]!);
  const endMs = parseIsoBasic(m[2]!);
  return Number.isNaN(startMs) || Number.isNaN(endMs) ? undefined : { startMs, endMs };
}

/** The parts of `ranges` outside [fromMs, toMs). */
export function subtractWindow<T extends TimeRange>(ranges: readonly T[], fromMs: number, toMs: number): T[] {
  const out: T[] = [];
  for (const r of ranges) {
    if (r.endMs <= fromMs || r.startMs >= toMs) {
      out.push(r);
      continue;
    }
    if (r.startMs < fromMs) out.push({ ...r, endMs: fromMs });
    if (r.endMs > toMs) out.push({ ...r, startMs: toMs });
  }
  return out;
}

/**
 * Deletes the segments lying wholly within [fromMs, toMs) (a segment that straddles an edge is
 * kept whole), oldest first, with the index entries and gaps of that window. `inventory`: the
 * listing when the caller already has it (a retention sweep).
 */
export async function deleteMediaBetween(
  target: DeletionTarget,
  fromMs: number,
  toMs: number,
  signal?: AbortSignal,
  inventory?: readonly SegmentFile[],
): Promise<MediaDeletion> {
  const all = inventory ?? (await target.listSegmentInventory(signal));
  const doomed = all.filter((s) => s.startMs >= fromMs && s.endMs <= toMs).sort((a, b) => a.startMs - b.startMs);
  const doomedNames = new Set(doomed.map((s) => s.name));
  // segments in the window that stay (straddling an edge): their spans stay in the index
  const kept = all.filter((s) => !doomedNames.has(s.name) && s.endMs > fromMs && s.startMs < toMs);
  const deletedSpan = doomed.length ? { startMs: doomed[0]!.startMs, endMs: doomed.reduce((m, s) => Math.max(m, s.endMs), -Infinity) } : undefined;

  // A hole cut in the middle of a recording is recorded, so that nobody takes it for a gap; a
  // deletion of the oldest media needs no record (the recording simply starts later).
  if (deletedSpan && all.some((s) => !doomedNames.has(s.name) && s.startMs < deletedSpan.startMs)) {
    await target.putMarker(deletionMarkerName(deletedSpan), signal);
  }

  const byDay = new Map<string, SegmentFile[]>();
  for (const s of doomed) {
    const day = utcDay(s.startMs);
    byDay.set(day, [...(byDay.get(day) ?? []), s]);
  }
  // every indexed day the window touches: its ranges and gaps in the window go
  const indexDays = (await target.listIndexDays(signal)).filter((d) => dayStartMs(d) <= toMs && dayStartMs(d) + DAY_MS > fromMs - DAY_MS);
  const days = [...new Set([...indexDays, ...byDay.keys()])].sort();
  // A range starts on its index's day; cut at its head, what remains may start on a later day,
  // whose index must then list it (a reader trusts an index up to its last instant).
  const carried = new Map<string, Map<string, TimeRange[]>>();
  let bytes = 0;
  for (const day of days) {
    if (indexDays.includes(day)) {
      await target.rewriteDayIndex(
        day,
        (current) => {
          const keptSpans = kept.filter((s) => utcDay(s.startMs) === day).map((s) => ({ startMs: s.startMs, endMs: s.endMs }));
          const pieces = subtractWindow(current.ranges, fromMs, toMs);
          for (const p of pieces) {
            const to = utcDay(p.startMs);
            if (to === day) continue;
            const slot = carried.get(to) ?? new Map<string, TimeRange[]>();
            carried.set(to, slot);
            slot.set(
              day,
              pieces.filter((x) => utcDay(x.startMs) === to),
            );
          }
          const incoming = [...(carried.get(day)?.values() ?? [])].flat();
          const ranges = mergeRanges([...pieces.filter((p) => utcDay(p.startMs) === day), ...keptSpans, ...incoming]);
          const gaps = mergeGaps(subtractWindow(current.gaps, fromMs, toMs));
          return ranges.length || gaps.length ? { day, ranges, gaps } : null;
        },
        signal,
      );
    }
    for (const s of byDay.get(day) ?? []) {
      await target.removeSegment(s.name, signal);
      bytes += s.byteSize;
    }
  }

  // gap markers: what lies in the window goes, what lies outside it stays (as a new marker)
  for (const g of await target.listGapMarkers(signal)) {
    if (g.endMs <= fromMs || g.startMs >= toMs) continue;
    for (const piece of subtractWindow([g], fromMs, toMs)) await target.putMarker(gapBlobName(piece.startMs, piece.endMs, piece.reason), signal);
    await target.removeMarker(gapBlobName(g.startMs, g.endMs, g.reason), signal);
  }
  // earlier deletion records inside the window are history too
  for (const name of await target.listDeletionMarkers(signal)) {
    const d = parseDeletionMarker(name);
    if (d && d.startMs >= fromMs && d.endMs <= toMs && !(deletedSpan && name === deletionMarkerName(deletedSpan))) await target.removeMarker(name, signal);
  }
  return { segments: doomed.length, bytes, ...(deletedSpan ? { range: deletedSpan } : {}) };
}
