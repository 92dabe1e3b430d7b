// H.265 NAL unit types (Table 7-1) and the header fields a depacketizer needs.
import { BitReader } from '../bits/bit-reader.ts';
import { removeEmulationPrevention } from '../bits/rbsp.ts';

export const H265Nal = {
  trailN: 0,
  trailR: 1,
  rasl: 8,
  blaWLp: 16,
  blaWRadl: 17,
  blaNLp: 18,
  idrWRadl: 19,
  idrNLp: 20,
  cra: 21,
  vps: 32,
  sps: 33,
  pps: 34,
  aud: 35,
  eos: 36,
  eob: 37,
  fd: 38,
  seiPrefix: 39,
  seiSuffix: 40,
  ap: 48,
  fu: 49,
  paci: 50,
} as const;

export function h265NalType(nal: Uint8Array): number {
  return ((nal[0] as number) >> 1) & 0x3f;
}

export function isH265Vcl(type: number): boolean {
  return type <= 31;
}

/** first_slice_segment_in_pic_flag of a VCL NAL (the first bit after the 2-byte header). */
export function h265FirstSliceInPic(nal: Uint8Array): boolean {
  return nal.length > 2 && ((nal[2] as number) & 0x80) !== 0;
}

/** vps_video_parameter_set_id (4 bits after the header). */
export function readH265VpsId(nal: Uint8Array): number | undefined {
  return nal.length > 2 ? (nal[2] as number) >> 4 : undefined;
}

/** pps_pic_parameter_set_id (ue after the header). */
export function readH265PpsId(nal: Uint8Array): number | undefined {
  try {
    const id = new BitReader(removeEmulationPrevention(nal.subarray(0, 10)), 2).ue();
    return id <= 63 ? id : undefined;
  } catch {
    return undefined;
  }
}
