// H.264 sequence parameter set (ITU-T H.264 7.3.2.1.1, VUI E.1.1): the fields a recorder
// needs for the sample entry, the codec string and decode-order reconstruction.
import { BitReader, readCropWindow } from '../bits/bit-reader.ts';
import { BitstreamError } from '../bits/errors.ts';
import { removeEmulationPrevention } from '../bits/rbsp.ts';

export interface H264SpsInfo {
  profileIdc: number;
  /** constraint_set0..5 flags and reserved bits, the byte after profile_idc. */
  constraintFlags: number;
  levelIdc: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Cropped picture size in luma samples. */
  width: number;
  height: number;
  /** From VUI timing info (time_scale / (2 · num_units_in_tick)), when present. */
  fps?: number;
  /** From VUI bitstream_restriction, when present. */
  maxNumReorderFrames?: number;
  frameMbsOnly: boolean;
  // Fields below are needed to read slice headers (POC, frame_num).
  spsId: number;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  /** Only meaningful when picOrderCntType is 0. */
  log2MaxPicOrderCntLsb: number;
  /** Only meaningful when picOrderCntType is 1. */
  deltaPicOrderAlwaysZero: boolean;
  maxNumRefFrames: number;
  separateColourPlane: boolean;
  /** Sample aspect ratio from VUI, when present. */
  sarWidth?: number;
  sarHeight?: number;
  /** VUI max_dec_frame_buffering, when present. */
  maxDecFrameBuffering?: number;
}

/** Profiles whose SPS carries chroma_format_idc, bit depths and scaling lists. */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** Table E-1, sample aspect ratios for aspect_ratio_idc 1..16. */
const SAR_TABLE: readonly (readonly [number, number])[] = [
  [1, 1],
  [12, 11],
  [10, 11],
  [16, 11],
  [40, 33],
  [24, 11],
  [20, 11],
  [32, 11],
  [80, 33],
  [18, 11],
  [15, 11],
  [64, 33],
  [160, 99],
  [4, 3],
  [3, 2],
  [2, 1],
];

function skipScalingList(r: BitReader, size: number): void {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
}

function skipHrd(r: BitReader): void {
  const cpbCnt = r.ue() + 1;
  if (cpbCnt > 32) throw new BitstreamError('invalid', `cpb_cnt_minus1 ${cpbCnt - 1} > 31`);
  r.skip(8); // bit_rate_scale, cpb_size_scale
  for (let i = 0; i < cpbCnt; i++) {
    r.ue();
    r.ue();
    r.skip(1);
  }
  r.skip(20); // four 5-bit delay/offset lengths
}

/**
 * Parses an SPS NAL unit (with its 1-byte header, emulation prevention bytes allowed).
 * Throws only BitstreamError. The VUI is read best-effort: a truncated or odd VUI (common in
 * camera firmware) leaves the optional fields unset instead of failing the SPS.
 */
export function parseH264Sps(nal: Uint8Array): H264SpsInfo {
  if (nal.length < 4) throw new BitstreamError('truncated', `SPS of ${nal.length} bytes`);
  const nalType = (nal[0] as number) & 0x1f;
  if (nalType !== 7) throw new BitstreamError('invalid', `NAL type ${nalType} is not an SPS`);
  const r = new BitReader(removeEmulationPrevention(nal), 1);
  const profileIdc = r.u(8);
  const constraintFlags = r.u(8);
  const levelIdc = r.u(8);
  const spsId = r.ue();
  if (spsId > 31) throw new BitstreamError('invalid', `seq_parameter_set_id ${spsId} > 31`);
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc > 3) throw new BitstreamError('invalid', `chroma_format_idc ${chromaFormatIdc}`);
    if (chromaFormatIdc === 3) separateColourPlane = r.flag();
    bitDepthLuma = r.ue() + 8;
    bitDepthChroma = r.ue() + 8;
    if (bitDepthLuma > 14 || bitDepthChroma > 14) throw new BitstreamError('invalid', 'bit depth > 14');
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.flag()) {
      const lists = chromaFormatIdc !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) if (r.flag()) skipScalingList(r, i < 6 ? 16 : 64);
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  if (log2MaxFrameNum > 16) throw new BitstreamError('invalid', `log2_max_frame_num ${log2MaxFrameNum}`);
  const picOrderCntType = r.ue();
  let log2MaxPicOrderCntLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (picOrderCntType === 0) {
    log2MaxPicOrderCntLsb = r.ue() + 4;
    if (log2MaxPicOrderCntLsb > 16) throw new BitstreamError('invalid', `log2_max_pic_order_cnt_lsb ${log2MaxPicOrderCntLsb}`);
  } else if (picOrderCntType === 1) {
    deltaPicOrderAlwaysZero = r.flag();
    r.se(); // offset_for_non_ref_pic
    r.se(); // offset_for_top_to_bottom_field
    const cycle = r.ue();
    if (cycle > 255) throw new BitstreamError('invalid', `num_ref_frames_in_pic_order_cnt_cycle ${cycle}`);
    for (let i = 0; i < cycle; i++) r.se();
  } else if (picOrderCntType !== 2) {
    throw new BitstreamError('invalid', `pic_order_cnt_type ${picOrderCntType}`);
  }
  const maxNumRefFrames = r.ue();
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const widthMbs = r.ue() + 1;
  const heightMapUnits = r.ue() + 1;
  const frameMbsOnly = r.flag();
  if (!frameMbsOnly) r.skip(1); // mb_adaptive_frame_field_flag
  r.skip(1); // direct_8x8_inference_flag
  const { left: cropLeft, right: cropRight, top: cropTop, bottom: cropBottom } = readCropWindow(r);
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 3 ? 1 : 2;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const cropUnitX = chromaArrayType === 0 ? 1 : subWidthC;
  const cropUnitY = (chromaArrayType === 0 ? 1 : subHeightC) * (frameMbsOnly ? 1 : 2);
  const codedWidth = widthMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightMapUnits * 16;
  const width = codedWidth - cropUnitX * (cropLeft + cropRight);
  const height = codedHeight - cropUnitY * (cropTop + cropBottom);
  if (widthMbs > 1024 || heightMapUnits > 1024 || width <= 0 || height <= 0) {
    throw new BitstreamError('invalid', `implausible picture size ${width}x${height}`);
  }

  const info: H264SpsInfo = {
    profileIdc,
    constraintFlags,
    levelIdc,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    width,
    height,
    frameMbsOnly,
    spsId,
    log2MaxFrameNum,
    picOrderCntType,
    log2MaxPicOrderCntLsb,
    deltaPicOrderAlwaysZero,
    maxNumRefFrames,
    separateColourPlane,
  };
  if (r.bitsLeft() > 0 && r.flag()) {
    try {
      readVui(r, info);
    } catch (e) {
      if (!(e instanceof BitstreamError)) throw e;
      // Keep what the VUI gave before it ran out; the mandatory part is already valid.
    }
  }
  return info;
}

function readVui(r: BitReader, info: H264SpsInfo): void {
  if (r.flag()) {
    const idc = r.u(8);
    if (idc === 255) {
      info.sarWidth = r.u(16);
      info.sarHeight = r.u(16);
    } else {
      const sar = SAR_TABLE[idc - 1];
      if (sar) [info.sarWidth, info.sarHeight] = sar;
    }
  }
  if (r.flag()) r.skip(1); // overscan_appropriate_flag
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour_primaries, transfer_characteristics, matrix_coefficients
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  if (r.flag()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    r.skip(1); // fixed_frame_rate_flag
    if (numUnitsInTick > 0 && timeScale > 0) info.fps = timeScale / (2 * numUnitsInTick);
  }
  const nalHrd = r.flag();
  if (nalHrd) skipHrd(r);
  const vclHrd = r.flag();
  if (vclHrd) skipHrd(r);
  if (nalHrd || vclHrd) r.skip(1); // low_delay_hrd_flag
  r.skip(1); // pic_struct_present_flag
  if (r.flag()) {
    r.skip(1); // motion_vectors_over_pic_boundaries_flag
    r.ue(); // max_bytes_per_pic_denom
    r.ue(); // max_bits_per_mb_denom
    r.ue(); // log2_max_mv_length_horizontal
    r.ue(); // log2_max_mv_length_vertical
    const reorder = r.ue();
    const dpb = r.ue();
    if (reorder <= 16) info.maxNumReorderFrames = reorder;
    if (dpb <= 16) info.maxDecFrameBuffering = dpb;
  }
}

/** Non-throwing variant for untrusted input. */
export function tryParseH264Sps(nal: Uint8Array): { ok: true; sps: H264SpsInfo } | { ok: false; error: BitstreamError } {
  try {
    return { ok: true, sps: parseH264Sps(nal) };
  } catch (e) {
    if (e instanceof BitstreamError) return { ok: false, error: e };
    return { ok: false, error: new BitstreamError('invalid', e instanceof Error ? e.message : String(e)) };
  }
}

function hex2(n: number): string {
  return (n & 0xff).toString(16).padStart(2, '0');
}

/** RFC 6381 codec string, e.g. `avc1.64001f`. */
export function h264CodecString(sps: Pick<H264SpsInfo, 'profileIdc' | 'constraintFlags' | 'levelIdc'>, sampleEntry: 'avc1' | 'avc3' = 'avc1'): string {
  return `${sampleEntry}.${hex2(sps.profileIdc)}${hex2(sps.constraintFlags)}${hex2(sps.levelIdc)}`;
}

/** Human profile name (Annex A), e.g. `High`; `Constrained Baseline` needs the flags. */
export function h264ProfileName(profileIdc: number, constraintFlags = 0): string {
  switch (profileIdc) {
    case 66:
      return constraintFlags & 0x40 ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      return 'High';
    case 110:
      return 'High 10';
    case 122:
      return 'High 4:2:2';
    case 244:
      return 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4 Intra';
    case 83:
      return 'Scalable Baseline';
    case 86:
      return 'Scalable High';
    case 118:
      return 'Multiview High';
    case 128:
      return 'Stereo High';
    default:
      return `Profile ${profileIdc}`;
  }
}
