// A media fragment: optional prft, then moof with one traf per track, then mdat.
//
//   prft (optional: wall clock of the fragment)
//   moof
//   ├── mfhd
//   └── traf (one per track)
//       ├── tfhd (default-base-is-moof)
//       ├── tfdt (version 1: 64-bit baseMediaDecodeTime)
//       └── trun (data_offset, per-sample duration/size[/flags][/composition offset])
//   mdat
//
// The mdat payload is returned as a list of chunks (views over the samples' own buffers plus
// small length prefixes) so a writer can hand them to writev without one big copy.
import { BoxWriter } from './writer.ts';
import {
  NTP_UNIX_OFFSET_S,
  TFHD_DEFAULT_BASE_IS_MOOF,
  TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT,
  TRUN_DATA_OFFSET_PRESENT,
  TRUN_FIRST_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT,
  TRUN_SAMPLE_DURATION_PRESENT,
  TRUN_SAMPLE_FLAGS_PRESENT,
  TRUN_SAMPLE_SIZE_PRESENT,
} from './fragment-flags.ts';

/** One sample as trun describes it. */
export interface FragmentSample {
  /** Ticks until the next sample's decode time. */
  readonly duration: number;
  /** Bytes of this sample in mdat. */
  readonly size: number;
  /** sample_flags (see sample-flags.ts). */
  readonly flags: number;
  /** pts − dts in ticks; may be negative. */
  readonly compositionTimeOffset: number;
}

export interface TrackRun {
  readonly trackId: number;
  /** Decode time of the first sample, in the track's timescale (tfdt). */
  readonly baseMediaDecodeTime: number;
  readonly samples: readonly FragmentSample[];
  /** mdat bytes of this run in sample order; their total length is the sum of sample sizes. */
  readonly data: readonly Uint8Array[];
}

export interface ProducerReferenceTime {
  readonly referenceTrackId: number;
  /** Wall-clock time (Unix ms) at which `mediaTime` was captured. */
  readonly wallClockMs: number;
  /** Media time in the reference track's timescale. */
  readonly mediaTime: number;
}

export interface Fragment {
  /** prft + moof + mdat header first, then the payload chunks, in file order. */
  readonly chunks: readonly Uint8Array[];
  readonly byteLength: number;
}

export function mfhd(w: BoxWriter, sequenceNumber: number): void {
  w.fullBox('mfhd', 0, 0, (w) => w.u32(sequenceNumber));
}

/** How a run's sample flags are carried: all per sample, or a first + a default for the rest. */
function flagsLayout(samples: readonly FragmentSample[]): { perSample: boolean; first?: number; default?: number } {
  const rest = samples.slice(1);
  const second = rest[0]?.flags;
  if (second === undefined) return { perSample: false, default: samples[0]?.flags ?? 0 };
  if (rest.every((s) => s.flags === second)) {
    const first = samples[0]!.flags;
    return first === second ? { perSample: false, default: second } : { perSample: false, first, default: second };
  }
  return { perSample: true };
}

export function tfhd(w: BoxWriter, trackId: number, defaultSampleFlags: number | undefined): void {
  const flags = TFHD_DEFAULT_BASE_IS_MOOF | (defaultSampleFlags !== undefined ? TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT : 0);
  w.fullBox('tfhd', 0, flags, (w) => {
    w.u32(trackId);
    if (defaultSampleFlags !== undefined) w.u32(defaultSampleFlags);
  });
}

export function tfdt(w: BoxWriter, baseMediaDecodeTime: number): void {
  w.fullBox('tfdt', 1, 0, (w) => w.u64(baseMediaDecodeTime));
}

/** Writes trun and returns the position of its data_offset field, patched once moof's size is known. */
export function trun(w: BoxWriter, samples: readonly FragmentSample[], firstSampleFlags: number | undefined, perSampleFlags: boolean): number {
  const withCto = samples.some((s) => s.compositionTimeOffset !== 0);
  const flags =
    TRUN_DATA_OFFSET_PRESENT |
    (firstSampleFlags !== undefined ? TRUN_FIRST_SAMPLE_FLAGS_PRESENT : 0) |
    TRUN_SAMPLE_DURATION_PRESENT |
    TRUN_SAMPLE_SIZE_PRESENT |
    (perSampleFlags ? TRUN_SAMPLE_FLAGS_PRESENT : 0) |
    (withCto ? TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT : 0);
  let dataOffsetAt = 0;
  // version 1: signed composition offsets, so B-frames need no edit list.
  w.fullBox('trun', withCto ? 1 : 0, flags, (w) => {
    w.u32(samples.length);
    dataOffsetAt = w.mark();
    w.i32(0); // data_offset, patched
    if (firstSampleFlags !== undefined) w.u32(firstSampleFlags);
    for (const s of samples) {
      w.u32(s.duration);
      w.u32(s.size);
      if (perSampleFlags) w.u32(s.flags);
      if (withCto) w.i32(s.compositionTimeOffset);
    }
  });
  return dataOffsetAt;
}

export function traf(w: BoxWriter, run: TrackRun): number {
  let dataOffsetAt = 0;
  const layout = flagsLayout(run.samples);
  w.box('traf', (w) => {
    tfhd(w, run.trackId, layout.default);
    tfdt(w, run.baseMediaDecodeTime);
    dataOffsetAt = trun(w, run.samples, layout.first, layout.perSample);
  });
  return dataOffsetAt;
}

export function prft(w: BoxWriter, p: ProducerReferenceTime): void {
  const seconds = Math.floor(p.wallClockMs / 1000);
  const fraction = Math.floor(((p.wallClockMs - seconds * 1000) / 1000) * 0x1_0000_0000);
  w.fullBox('prft', 1, 0, (w) => {
    w.u32(p.referenceTrackId);
    w.u32(seconds + NTP_UNIX_OFFSET_S).u32(fraction); // ntp_timestamp
    w.u64(p.mediaTime); // media_time (version 1: 64 bits)
  });
}

/**
 * prft? + moof + mdat for one or more track runs. Tracks' data follow each other in mdat in
 * the order of `runs`.
 */
export function buildFragment(sequenceNumber: number, runs: readonly TrackRun[], producerReferenceTime?: ProducerReferenceTime): Fragment {
  if (runs.length === 0) throw new RangeError('a fragment needs at least one track run');
  const dataSizes = runs.map((r) => {
    let bytes = 0;
    for (const s of r.samples) bytes += s.size;
    let chunkBytes = 0;
    for (const c of r.data) chunkBytes += c.length;
    if (bytes !== chunkBytes) throw new RangeError(`track ${r.trackId}: sample sizes sum to ${bytes} but data holds ${chunkBytes} bytes`);
    return bytes;
  });
  const payload = dataSizes.reduce((a, b) => a + b, 0);
  const w = new BoxWriter(256 + runs.reduce((n, r) => n + 16 * r.samples.length, 0));
  if (producerReferenceTime) prft(w, producerReferenceTime);
  const moofStart = w.mark();
  const offsets: number[] = [];
  w.box('moof', (w) => {
    mfhd(w, sequenceNumber);
    for (const r of runs) offsets.push(traf(w, r));
  });
  const moofSize = w.mark() - moofStart;
  const large = payload + 8 > 0xffff_ffff;
  const mdatHeader = large ? 16 : 8;
  let dataOffset = moofSize + mdatHeader;
  runs.forEach((_, i) => {
    w.patchI32(offsets[i]!, dataOffset);
    dataOffset += dataSizes[i]!;
  });
  if (large)
    w.u32(1)
      .fourcc('mdat')
      .u64(payload + 16);
  else w.u32(payload + 8).fourcc('mdat');
  const header = w.finish();
  const chunks: Uint8Array[] = [header];
  for (const r of runs) for (const c of r.data) chunks.push(c);
  return { chunks, byteLength: header.length + payload };
}

/**
 * mdat data for video access units: each NAL unit preceded by its 4-byte length. The prefixes
 * of all units share one small buffer; the units themselves are not copied.
 */
export function lengthPrefixedUnits(accessUnits: readonly (readonly Uint8Array[])[]): { data: Uint8Array[]; sizes: number[] } {
  let count = 0;
  for (const au of accessUnits) count += au.length;
  const prefixes = new Uint8Array(4 * count);
  const view = new DataView(prefixes.buffer);
  const data: Uint8Array[] = [];
  const sizes: number[] = [];
  let k = 0;
  for (const au of accessUnits) {
    let size = 0;
    for (const nal of au) {
      view.setUint32(4 * k, nal.length);
      data.push(prefixes.subarray(4 * k, 4 * k + 4), nal);
      size += 4 + nal.length;
      k++;
    }
    sizes.push(size);
  }
  return { data, sizes };
}
