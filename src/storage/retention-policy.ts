// How much of an asset to keep: by age (an ISO-8601 duration: P30D, PT12H, PT90M) and/or by
// bytes, oldest deleted first. Pure functions; the host's sweep does the deleting.
import type { SegmentFile } from '../types/asset-store.ts';
import type { RetentionPolicy } from '../types/retention.ts';

export type { RetentionPolicy };

/** The shortest period accepted: a sweep runs every few minutes, a shorter one would not hold. */
export const MIN_RETENTION_MS = 60_000;

/** P30D, PT12H, PT5M, P1DT12H (days, hours, minutes; seconds allowed when whole minutes). */
export function parseRetentionPeriod(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim().toUpperCase();
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?$/.exec(t);
  if (!m || t === 'P' || t.endsWith('T')) return undefined;
  const ms = (((Number(m[1] ?? 0) * 24 + Number(m[2] ?? 0)) * 60 + Number(m[3] ?? 0)) * 60 + Number(m[4] ?? 0)) * 1000;
  return Number.isSafeInteger(ms) && ms >= MIN_RETENTION_MS ? ms : undefined;
}

export function parseRetentionMiB(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** A one-line problem for a retention property, or undefined when it is fine (or absent). */
export function retentionPeriodProblem(value: unknown): string | undefined {
  if (value === undefined || parseRetentionPeriod(value) !== undefined) return undefined;
  return `retentionPeriod ${JSON.stringify(value)} is not an ISO-8601 duration of at least one minute such as P30D, PT12H or PT10M`;
}

export function retentionSizeProblem(value: unknown): string | undefined {
  if (value === undefined || parseRetentionMiB(value) !== undefined) return undefined;
  return `retentionMaximumSizeMiB must be a positive integer number of MiB, not ${JSON.stringify(value)}`;
}

export function policyFrom(period: unknown, sizeMiB: unknown): RetentionPolicy | undefined {
  const maxAgeMs = parseRetentionPeriod(period);
  const mib = parseRetentionMiB(sizeMiB);
  if (maxAgeMs === undefined && mib === undefined) return undefined;
  return { ...(maxAgeMs !== undefined ? { maxAgeMs } : {}), ...(mib !== undefined ? { maxBytes: mib * 1024 * 1024 } : {}) };
}

/**
 * The end of the window [0, end) to delete so that `inventory` (sorted by start) keeps to the
 * policy at `nowMs`; undefined when nothing is to go. A segment goes whole: by age when it
 * ended before now − maxAge, by bytes when the newer ones alone fill maxBytes.
 */
export function retentionCutoff(inventory: readonly SegmentFile[], policy: RetentionPolicy, nowMs: number): number | undefined {
  let cut: number | undefined;
  if (policy.maxAgeMs !== undefined) {
    const ageCut = nowMs - policy.maxAgeMs;
    if (inventory.some((s) => s.endMs <= ageCut)) cut = ageCut;
  }
  if (policy.maxBytes !== undefined) {
    let kept = 0;
    for (let i = inventory.length - 1; i >= 0; i--) {
      const s = inventory[i]!;
      kept += s.byteSize;
      if (kept > policy.maxBytes) {
        // this segment and every older one go: the window ends with the last of them
        let end = -Infinity;
        for (let k = 0; k <= i; k++) end = Math.max(end, inventory[k]!.endMs);
        cut = Math.max(cut ?? -Infinity, end);
        break;
      }
    }
  }
  return cut;
}
