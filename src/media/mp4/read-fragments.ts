// Walks a segment file's fragments (prft? moof mdat, as fragment.ts writes them) and reports
// what each holds: per-track decode time, sample count and duration, and the wall clock of
// its prft. Stops at the first fragment that is incomplete or inconsistent, so a file cut
// by a crash yields the prefix that is whole.
import { FieldReader, readBoxHeader, readChildren, type BoxHeader } from './box-reader.ts';
import {
  NTP_UNIX_OFFSET_S,
  TFHD_BASE_DATA_OFFSET_PRESENT,
  TFHD_DEFAULT_SAMPLE_DURATION_PRESENT,
  TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT,
  TFHD_DEFAULT_SAMPLE_SIZE_PRESENT,
  TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_FIRST_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from './fragment-flags.ts';

export interface TrackRunInfo {
  readonly trackId: number;
  readonly baseMediaDecodeTime: number;
  readonly sampleCount: number;
  /** Sum of the samples' durations, in the track's timescale. */
  readonly durationTicks: number;
}

export interface FragmentInfo {
  /** Byte range of the whole fragment (prft included) in the file. */
  readonly start: number;
  readonly end: number;
  /** Wall clock (Unix ms) of the fragment's first sample, from its prft, if it has one. */
  readonly wallClockMs: number | undefined;
  readonly runs: readonly TrackRunInfo[];
}

export interface FragmentScan {
  readonly fragments: readonly FragmentInfo[];
  /** Bytes from the start of the file through the last whole fragment. */
  readonly validBytes: number;
}

export function scanFragments(bytes: Uint8Array): FragmentScan {
  const fragments: FragmentInfo[] = [];
  let at = 0;
  while (at < bytes.length) {
    const f = readFragment(bytes, at);
    if (!f) break;
    fragments.push(f);
    at = f.end;
  }
  return { fragments, validBytes: at };
}

function readFragment(bytes: Uint8Array, start: number): FragmentInfo | undefined {
  let box = readBoxHeader(bytes, start);
  let wallClockMs: number | undefined;
  if (box?.type === 'prft') {
    wallClockMs = readPrft(bytes, box);
    box = readBoxHeader(bytes, box.end);
  }
  if (!box || box.type !== 'moof') return undefined;
  const moof = box;
  const mdat = readBoxHeader(bytes, moof.end);
  if (!mdat || mdat.type !== 'mdat') return undefined;
  try {
    const runs = readMoof(bytes, moof, mdat);
    return runs && runs.length > 0 ? { start, end: mdat.end, wallClockMs, runs } : undefined;
  } catch {
    return undefined; // a field past its box: damaged
  }
}

function readPrft(bytes: Uint8Array, box: BoxHeader): number | undefined {
  try {
    const r = new FieldReader(bytes, box.bodyStart, box.end);
    r.fullHeader();
    r.u32(); // reference_track_ID
    const seconds = r.u32();
    const fraction = r.u32();
    return (seconds - NTP_UNIX_OFFSET_S) * 1000 + Math.round((fraction / 0x1_0000_0000) * 1000);
  } catch {
    return undefined;
  }
}

/** The runs of a moof whose sample data all lie inside the following mdat; else undefined. */
function readMoof(bytes: Uint8Array, moof: BoxHeader, mdat: BoxHeader): TrackRunInfo[] | undefined {
  const children = readChildren(bytes, moof.bodyStart, moof.end);
  if (!children || children[0]?.type !== 'mfhd') return undefined;
  const runs: TrackRunInfo[] = [];
  for (const traf of children.filter((c) => c.type === 'traf')) {
    const parts = readChildren(bytes, traf.bodyStart, traf.end);
    const tfhd = parts?.find((p) => p.type === 'tfhd');
    const tfdt = parts?.find((p) => p.type === 'tfdt');
    const truns = parts?.filter((p) => p.type === 'trun') ?? [];
    if (!tfhd || !tfdt || truns.length === 0) return undefined;
    const h = new FieldReader(bytes, tfhd.bodyStart, tfhd.end);
    const hf = h.fullHeader().flags;
    const trackId = h.u32();
    if (hf & TFHD_BASE_DATA_OFFSET_PRESENT) return undefined; // we write default-base-is-moof only
    if (hf & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) h.u32();
    const defaultDuration = hf & TFHD_DEFAULT_SAMPLE_DURATION_PRESENT ? h.u32() : 0;
    const defaultSize = hf & TFHD_DEFAULT_SAMPLE_SIZE_PRESENT ? h.u32() : 0;
    if (hf & TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT) h.u32();
    const d = new FieldReader(bytes, tfdt.bodyStart, tfdt.end);
    const baseMediaDecodeTime = d.fullHeader().version === 1 ? d.u64() : d.u32();
    let sampleCount = 0;
    let durationTicks = 0;
    for (const trun of truns) {
      const r = new FieldReader(bytes, trun.bodyStart, trun.end);
      const tf = r.fullHeader().flags;
      const count = r.u32();
      const dataOffset = tf & TRUN_DATA_OFFSET_PRESENT ? r.i32() : undefined;
      if (tf & TRUN_FIRST_SAMPLE_FLAGS_PRESENT) r.u32();
      let size = 0;
      for (let i = 0; i < count; i++) {
        durationTicks += tf & TRUN_SAMPLE_DURATION_PRESENT ? r.u32() : defaultDuration;
        size += tf & TRUN_SAMPLE_SIZE_PRESENT ? r.u32() : defaultSize;
        if (tf & TRUN_SAMPLE_FLAGS_PRESENT) r.u32();
        if (tf & TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT) r.u32();
      }
      // The run's data must lie inside the mdat that follows this moof.
      if (dataOffset !== undefined) {
        const from = moof.start + dataOffset;
        if (from < mdat.bodyStart || from + size > mdat.end) return undefined;
      }
      sampleCount += count;
    }
    runs.push({ trackId, baseMediaDecodeTime, sampleCount, durationTicks });
  }
  return runs;
}
