// Names inside an asset container (docs/architecture.md, Asset). Every name is a pure function of the data,
// so a retry after a crash overwrites the same blob and never makes a duplicate.
import { parseGapReason, type GapReason } from '../../types/gap.ts';
import { InvalidAssetNameError } from '../store-error.ts';

export class InvalidContainerNameError extends InvalidAssetNameError {
  override readonly name: string = 'InvalidContainerNameError';
}

/**
 * Azure container rules: 3–63 characters; lowercase letters, digits and hyphens; starts and
 * ends with a letter or digit; no two hyphens in a row. LVA's assetNamePattern allows
 * uppercase, so the name is lower-cased first, then checked.
 */
export function containerNameForAsset(assetName: string): string {
  const name = assetName.toLowerCase();
  const problems: string[] = [];
  if (name.length < 3 || name.length > 63) problems.push(`must be 3–63 characters long (is ${name.length})`);
  const bad = [...new Set(name.replace(/[a-z0-9-]/g, ''))];
  if (bad.length) problems.push(`may contain only letters, digits and hyphens (found ${bad.map((c) => JSON.stringify(c)).join(' ')})`);
  if (/^-|-$/.test(name)) problems.push('must start and end with a letter or digit');
  if (name.includes('--')) problems.push('must not contain two hyphens in a row');
  if (problems.length) {
    throw new InvalidContainerNameError(`asset name "${assetName}" cannot be an Azure Blob container name: it ${problems.join('; ')}`);
  }
  return name;
}

/** 2026-01-01T00:00:07.250Z → 20260101T000007.250Z: sortable, no colons. */
export function isoBasic(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '');
}

export function parseIsoBasic(s: string): number {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z$/.exec(s);
  if (!m) return Number.NaN;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
}

/** UTC day of a time, `yyyy-mm-dd`. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function dayStartMs(day: string): number {
  return Date.parse(`${day}T00:00:00.000Z`);
}

export function initBlobName(initId: string): string {
  return `init/${encodeURIComponent(initId)}.mp4`;
}

export function segmentBlobName(startMs: number, durationMs: number): string {
  return `segments/${isoBasic(startMs)}_${Math.max(0, Math.round(durationMs))}.m4s`;
}

export function parseSegmentBlobName(name: string): { startMs: number; durationMs: number } | undefined {
  const m = /^segments\/(\d{8}T\d{6}\.\d{3}Z)_(\d+)\.m4s$/.exec(name);
  if (!m) return undefined;
  const startMs = parseIsoBasic(m[1]!);
  return Number.isNaN(startMs) ? undefined : { startMs, durationMs: Number(m[2]) };
}

/** Prefix of the segment blobs that start on `day` (yyyy-mm-dd). */
export function segmentDayPrefix(day: string): string {
  return `segments/${day.replace(/-/g, '')}T`;
}

export type { GapReason };

/** Gaps are also kept as empty marker blobs, so an index can be rebuilt from a listing. */
export function gapBlobName(startMs: number, endMs: number, reason: GapReason): string {
  return `gaps/${isoBasic(startMs)}_${isoBasic(endMs)}_${reason}`;
}

export function parseGapBlobName(name: string): { startMs: number; endMs: number; reason: GapReason } | undefined {
  const m = /^gaps\/(\d{8}T\d{6}\.\d{3}Z)_(\d{8}T\d{6}\.\d{3}Z)_([a-z-]+)$/.exec(name);
  const reason = m ? parseGapReason(m[3]) : undefined;
  if (!m || !reason) return undefined;
  return { startMs: parseIsoBasic(m[1]!), endMs: parseIsoBasic(m[2]!), reason };
}

export function indexBlobName(day: string): string {
  return `index/${day}.json`;
}

/** Prefix of the segment blobs that start within the UTC hour of `ms`. */
export function segmentHourPrefix(ms: number): string {
  return `segments/${isoBasic(ms).slice(0, 11)}`;
}
