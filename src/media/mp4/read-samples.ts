// Reads every sample of a fragmented segment (prft? moof mdat, …) with its absolute decode
// time and where its bytes are, so a progressive file can be built from stored fragments.
// The inverse of fragment.ts, but tolerant of any tfhd/trex defaults a fragment may use.
import { FieldReader, readBoxHeader, readChildren, type BoxHeader } from './box-reader.ts';
import {
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
import { decodeSampleFlags } from './sample-flags.ts';

/** trex defaults of one track (the init segment's mvex). */
export interface TrackDefaults {
  readonly duration: number;
  readonly size: number;
  readonly flags: number;
}

export interface StoredSample {
  readonly trackId: number;
  /** Absolute decode time in the track's timescale (tfdt plus the durations before it). */
  readonly dts: number;
  readonly duration: number;
  /** pts − dts in ticks. */
  readonly cto: number;
  readonly size: number;
  readonly sync: boolean;
  /** Offset of the sample's bytes in the segment buffer. */
  readonly offset: number;
}

/** Samples in file order (fragment by fragment, track run by track run); throws RangeError on damage. */
export function readSegmentSamples(bytes: Uint8Array, defaults: ReadonlyMap<number, TrackDefaults> = new Map()): StoredSample[] {
  const out: StoredSample[] = [];
  let at = 0;
  let moof: BoxHeader | undefined;
  while (at < bytes.length) {
    const box = readBoxHeader(bytes, at);
    if (!box) throw new RangeError(`segment: box cut short at byte ${at}`);
    if (box.type === 'moof') moof = box;
    else if (box.type === 'mdat') {
      if (!moof) throw new RangeError('segment: mdat without a moof');
      readMoof(bytes, moof, defaults, out);
      moof = undefined;
    }
    at = box.end;
  }
  return out;
}

function readMoof(bytes: Uint8Array, moof: BoxHeader, defaults: ReadonlyMap<number, TrackDefaults>, out: StoredSample[]): void {
  const children = readChildren(bytes, moof.bodyStart, moof.end);
  if (!children) throw new RangeError('segment: moof children do not tile it');
  for (const traf of children.filter((c) => c.type === 'traf')) {
    const parts = readChildren(bytes, traf.bodyStart, traf.end) ?? [];
    const tfhd = parts.find((p) => p.type === 'tfhd');
    const tfdt = parts.find((p) => p.type === 'tfdt');
    if (!tfhd || !tfdt) throw new RangeError('segment: traf without tfhd or tfdt');
    const h = new FieldReader(bytes, tfhd.bodyStart, tfhd.end);
    const hf = h.fullHeader().flags;
    const trackId = h.u32();
    const trex = defaults.get(trackId) ?? { duration: 0, size: 0, flags: 0 };
    const base = hf & TFHD_BASE_DATA_OFFSET_PRESENT ? h.u64() : moof.start;
    if (hf & TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT) h.u32();
    const defDuration = hf & TFHD_DEFAULT_SAMPLE_DURATION_PRESENT ? h.u32() : trex.duration;
    const defSize = hf & TFHD_DEFAULT_SAMPLE_SIZE_PRESENT ? h.u32() : trex.size;
    const defFlags = hf & TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT ? h.u32() : trex.flags;
    const d = new FieldReader(bytes, tfdt.bodyStart, tfdt.end);
    let dts = d.fullHeader().version === 1 ? d.u64() : d.u32();
    // A trun without data_offset continues where the previous one ended (ISO/IEC 14496-12 §8.8.8).
    let dataAt = base;
    for (const trun of parts.filter((p) => p.type === 'trun')) {
      const r = new FieldReader(bytes, trun.bodyStart, trun.end);
      const { version, flags: tf } = r.fullHeader();
      const count = r.u32();
      if (tf & TRUN_DATA_OFFSET_PRESENT) dataAt = base + r.i32();
      const firstFlags = tf & TRUN_FIRST_SAMPLE_FLAGS_PRESENT ? r.u32() : undefined;
      for (let i = 0; i < count; i++) {
        const duration = tf & TRUN_SAMPLE_DURATION_PRESENT ? r.u32() : defDuration;
        const size = tf & TRUN_SAMPLE_SIZE_PRESENT ? r.u32() : defSize;
        const flags = tf & TRUN_SAMPLE_FLAGS_PRESENT ? r.u32() : i === 0 && firstFlags !== undefined ? firstFlags : defFlags;
        const cto = tf & TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT ? (version === 0 ? r.u32() : r.i32()) : 0;
        if (dataAt + size > bytes.length) throw new RangeError(`segment: track ${trackId} sample data past the end of the file`);
        out.push({ trackId, dts, duration, cto, size, sync: !decodeSampleFlags(flags).isNonSync, offset: dataAt });
        dts += duration;
        dataAt += size;
      }
    }
  }
}
