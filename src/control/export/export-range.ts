// Exact export of [from, to) of an asset: one progressive .mp4 per continuous run, named
// after the asset and the run's first presented instant, plus a JSON summary of the files
// and the gaps between them.
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import type { PlaybackSegment, PlaybackSource, RecordedGap } from '../http/playback/source.ts';
import { cutRun } from './cut-run.ts';
import { assetForFileName, assemble, OutputExistsError, publish, timeForFileName } from './output-files.ts';

/** Segments this far before --from are searched for the keyframe at or before it. */
export const KEYFRAME_LOOKBACK_MS = 10 * 60_000;
/** Uncovered time at either end of the range shorter than this is rounding, not a gap. */
const EDGE_TOLERANCE_MS = 1000;

export interface ExportedFile {
  readonly path: string;
  readonly start: string;
  readonly end: string;
  readonly durationMs: number;
  readonly bytes: number;
  /** Where decoding begins (the keyframe); the edit list hides [keyframe, start). */
  readonly keyframe: string;
}

export interface ExportGap {
  readonly start: string;
  readonly end: string;
  readonly durationMs: number;
  readonly reason?: string;
}

export interface ExportSummary {
  readonly asset: string;
  readonly from: string;
  readonly to: string;
  readonly files: readonly ExportedFile[];
  readonly gaps: readonly ExportGap[];
  /** Set when a file had to start after --from because no keyframe at or before it was recorded. */
  readonly widenedMs?: number;
}

export interface ExportRangeOptions {
  readonly source: PlaybackSource;
  readonly asset: string;
  readonly fromMs: number;
  readonly toMs: number;
  /** A folder, or a path ending in .mp4. */
  readonly out: string;
  readonly force: boolean;
  readonly log: (line: string) => void;
}

/** A run of segments that can be concatenated behind one init segment. */
export function continuousRuns(segments: readonly PlaybackSegment[], toleranceMs = 1000): PlaybackSegment[][] {
  const runs: PlaybackSegment[][] = [];
  for (const s of segments) {
    const run = runs[runs.length - 1];
    const prev = run?.[run.length - 1];
    if (run && prev && prev.initId === s.initId && s.startMs - prev.endMs <= toleranceMs && s.startMs >= prev.startMs) run.push(s);
    else runs.push([s]);
  }
  return runs;
}

async function readAll(body: AsyncIterable<Uint8Array> | NodeJS.ReadableStream): Promise<Uint8Array> {
  const parts: Buffer[] = [];
  for await (const chunk of body as AsyncIterable<Uint8Array | string>) parts.push(typeof chunk === 'string' ? Buffer.from(chunk) : Buffer.from(chunk));
  return Buffer.concat(parts);
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Writes the files; returns undefined when nothing was recorded in the range. */
export async function exportRange(o: ExportRangeOptions): Promise<ExportSummary | undefined> {
  const listed = await o.source.listSegments(o.asset, o.fromMs - KEYFRAME_LOOKBACK_MS, o.toMs);
  const runs = continuousRuns(listed).filter((run) => run[run.length - 1]!.endMs > o.fromMs);
  if (runs.length === 0) return undefined;
  const toFile = extname(o.out).toLowerCase() === '.mp4';
  const dir = toFile ? dirname(o.out) : o.out;
  await mkdir(dir, { recursive: true });
  const files: ExportedFile[] = [];
  let widenedMs: number | undefined;
  for (const run of runs) {
    const tempBase = join(dir, `.${assetForFileName(o.asset)}-${process.pid}-${files.length}`);
    const payloadPath = `${tempBase}.mdat`;
    try {
      const cut = await cutRun({
        segments: run,
        readInit: async () => {
          const b = await o.source.initSegment(o.asset, run[0]!.initId);
          if (!b) throw new Error(`init/${run[0]!.initId}.mp4 disappeared from the asset while exporting`);
          return readAll(b.body);
        },
        readSegment: async (s) => {
          const b = await o.source.readBlob(o.asset, `segments/${s.name}`);
          if (!b) throw new Error(`segments/${s.name} disappeared from the asset while exporting`);
          return readAll(b.body);
        },
        fromMs: o.fromMs,
        toMs: o.toMs,
        payloadPath,
      });
      if (!cut) continue;
      if (cut.noKeyframeBefore) widenedMs = Math.max(widenedMs ?? 0, cut.startMs - o.fromMs);
      const path =
        runs.length === 1 && toFile
          ? o.out
          : toFile
            ? join(dir, `${basename(o.out, extname(o.out))}_${timeForFileName(cut.startMs)}.mp4`)
            : join(dir, `${assetForFileName(o.asset)}_${timeForFileName(cut.startMs)}.mp4`);
      await assemble(`${tempBase}.mp4`, cut.header, payloadPath);
      await publish(`${tempBase}.mp4`, path, o.force);
      const file = {
        path,
        start: iso(cut.startMs),
        end: iso(cut.endMs),
        durationMs: Math.round(cut.endMs - cut.startMs),
        bytes: cut.header.length + cut.payloadBytes,
        keyframe: iso(cut.keyframeMs),
      };
      files.push(file);
      o.log(
        `wrote ${path}: ${file.start} – ${file.end} (${(file.durationMs / 1000).toFixed(3)} s, ${(file.bytes / 1048576).toFixed(1)} MiB, decoding from the keyframe at ${file.keyframe})`,
      );
    } finally {
      await rm(payloadPath, { force: true });
      await rm(`${tempBase}.mp4`, { force: true });
    }
  }
  if (files.length === 0) return undefined;
  const gaps = await gapsBetween(o, files);
  for (const g of gaps) o.log(`gap ${g.start} – ${g.end} (${(g.durationMs / 1000).toFixed(3)} s${g.reason ? `, ${g.reason}` : ''}): nothing recorded`);
  if (widenedMs !== undefined)
    o.log(`no keyframe was recorded at or before --from: the export starts ${(widenedMs / 1000).toFixed(3)} s later, at the first keyframe`);
  const summary: ExportSummary = {
    asset: o.asset,
    from: iso(o.fromMs),
    to: iso(o.toMs),
    files,
    gaps,
    ...(widenedMs !== undefined ? { widenedMs: Math.round(widenedMs) } : {}),
  };
  const sidecar = toFile
    ? join(dir, `${basename(o.out, extname(o.out))}.export.json`)
    : join(dir, `${assetForFileName(o.asset)}_${timeForFileName(o.fromMs)}.export.json`);
  const tempSidecar = join(dir, `.${basename(sidecar)}-${process.pid}`);
  await writeFile(tempSidecar, `${JSON.stringify(summary, null, 2)}\n`);
  await publish(tempSidecar, sidecar, o.force);
  return summary;
}

/** What [from, to) holds that no file covers, with the reason the recorder gave where it gave one. */
async function gapsBetween(o: ExportRangeOptions, files: readonly ExportedFile[]): Promise<ExportGap[]> {
  const spans: [number, number][] = [];
  let cursor = o.fromMs;
  for (const f of files) {
    const start = Date.parse(f.start);
    const edge = cursor === o.fromMs;
    if (start - cursor > (edge ? EDGE_TOLERANCE_MS : 0)) spans.push([cursor, start]);
    cursor = Math.max(cursor, Date.parse(f.end));
  }
  if (o.toMs - cursor > EDGE_TOLERANCE_MS) spans.push([cursor, o.toMs]);
  let known: readonly RecordedGap[] = [];
  try {
    known = (await o.source.availableMedia(o.asset, o.fromMs, o.toMs)).gaps;
  } catch {
    // the reasons are a courtesy: the gaps themselves come from the files
  }
  return spans.map(([s, e]) => {
    const reason = known.find((g) => g.startMs < e && g.endMs > s && g.reason)?.reason;
    return { start: iso(s), end: iso(e), durationMs: Math.round(e - s), ...(reason ? { reason } : {}) };
  });
}

export { OutputExistsError };
