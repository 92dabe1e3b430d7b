// H.264 NAL unit types (Table 7-1) and the few header fields a depacketizer needs.
import { BitReader } from '../bits/bit-reader.ts';
import { removeEmulationPrevention } from '../bits/rbsp.ts';

export const H264Nal = {
  slice: 1,
  sliceA: 2,
  idr: 5,
  sei: 6,
  sps: 7,
  pps: 8,
  aud: 9,
  endOfSequence: 10,
  endOfStream: 11,
  filler: 12,
  spsExt: 13,
  prefix: 14,
  subsetSps: 15,
  sliceExt: 20,
  stapA: 24,
  stapB: 25,
  mtap16: 26,
  mtap24: 27,
  fuA: 28,
  fuB: 29,
} as const;

export function h264NalType(nal: Uint8Array): number {
  return (nal[0] as number) & 0x1f;
}

export function isH264Vcl(type: number): boolean {
  return type >= 1 && type <= 5;
}

export interface H264SliceStart {
  firstMbInSlice: number;
  /** slice_type % 5: 0 P, 1 B, 2 I, 3 SP, 4 SI. */
  sliceType: number;
  ppsId: number;
}

/** Reads the first fields of a slice header; undefined when the slice is too short or odd. */
export function readH264SliceStart(nal: Uint8Array): H264SliceStart | undefined {
  try {
    const r = new BitReader(removeEmulationPrevention(nal.subarray(0, 24)), 1);
    const firstMbInSlice = r.ue();
    const sliceType = r.ue();
    if (sliceType > 9) return undefined;
    const ppsId = r.ue();
    return { firstMbInSlice, sliceType: sliceType % 5, ppsId };
  } catch {
    return undefined;
  }
}

/** pic_parameter_set_id of a PPS NAL, or undefined. */
export function readH264PpsId(nal: Uint8Array): number | undefined {
  try {
    const r = new BitReader(removeEmulationPrevention(nal.subarray(0, 8)), 1);
    const id = r.ue();
    return id <= 255 ? id : undefined;
  } catch {
    return undefined;
  }
}
