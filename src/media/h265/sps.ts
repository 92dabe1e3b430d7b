// H.265 sequence parameter set (ITU-T H.265 7.3.2.2, VUI E.2.1), read up to the VUI timing
// info: what a sample entry, a codec string and decode-order reconstruction need.
import { BitReader, readCropWindow } from '../bits/bit-reader.ts';
import { BitstreamError } from '../bits/errors.ts';
import { removeEmulationPrevention } from '../bits/rbsp.ts';
import { readProfileTierLevel } from './profile-tier-level.ts';

export interface H265SpsInfo {
  generalProfileSpace: number;
  generalTierFlag: number;
  generalProfileIdc: number;
  generalProfileCompatibilityFlags: number;
  /** 6 bytes */
  generalConstraintIndicatorFlags: Uint8Array;
  generalLevelIdc: number;
  chromaFormatIdc: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** Picture size after the conformance window. */
  width: number;
  height: number;
  temporalIdNested: boolean;
  numTemporalLayers: number;
  /** From VUI timing info (time_scale / num_units_in_tick), when present. */
  fps?: number;
  // Extra fields for slice-header reading and decode-order reconstruction.
  spsId: number;
  vpsId: number;
  /** sps_max_num_reorder_pics of the highest temporal sub-layer. */
  maxNumReorderFrames: number;
  /** sps_max_dec_pic_buffering_minus1 + 1 of the highest temporal sub-layer. */
  maxDecPicBuffering: number;
  log2MaxPicOrderCntLsb: number;
  /** Only the fields before the VUI were readable when false (VUI was truncated or odd). */
  vuiComplete: boolean;
}

interface StRps {
  negative: number[]; // DeltaPocS0, descending (closest first)
  positive: number[]; // DeltaPocS1, ascending
}

// st_ref_pic_set() (7.3.7 / 7.4.8). The SPS has to be walked through these to reach the VUI,
// and inter-RPS prediction needs the earlier sets' delta POCs.
function readStRefPicSet(r: BitReader, idx: number, sets: StRps[]): StRps {
  const predict = idx !== 0 && r.flag();
  if (predict) {
    const ref = sets[idx - 1];
    if (!ref) throw new BitstreamError('invalid', 'inter RPS prediction without a reference set');
    const sign = r.u1();
    const absDelta = r.ue() + 1;
    if (absDelta > 32768) throw new BitstreamError('invalid', `abs_delta_rps ${absDelta}`);
    const deltaRps = (1 - 2 * sign) * absDelta;
    const refDeltas = [...ref.negative, ...ref.positive];
    const use: boolean[] = [];
    for (let j = 0; j <= refDeltas.length; j++) {
      const used = r.flag();
      use.push(used || r.flag());
    }
    const negative: number[] = [];
    const positive: number[] = [];
    // (7-61)/(7-62): candidates are ref deltas shifted by deltaRps, plus deltaRps itself.
    const nNeg = ref.negative.length;
    for (let j = ref.positive.length - 1; j >= 0; j--) {
      const d = (ref.positive[j] as number) + deltaRps;
      if (d < 0 && use[nNeg + j]) negative.push(d);
    }
    if (deltaRps < 0 && use[refDeltas.length]) negative.push(deltaRps);
    for (let j = 0; j < nNeg; j++) {
      const d = (ref.negative[j] as number) + deltaRps;
      if (d < 0 && use[j]) negative.push(d);
    }
    for (let j = nNeg - 1; j >= 0; j--) {
      const d = (ref.negative[j] as number) + deltaRps;
      if (d > 0 && use[j]) positive.push(d);
    }
    if (deltaRps > 0 && use[refDeltas.length]) positive.push(deltaRps);
    for (let j = 0; j < ref.positive.length; j++) {
      const d = (ref.positive[j] as number) + deltaRps;
      if (d > 0 && use[nNeg + j]) positive.push(d);
    }
    if (negative.length + positive.length > 32) throw new BitstreamError('invalid', 'RPS too large');
    return { negative, positive };
  }
  const numNeg = r.ue();
  const numPos = r.ue();
  if (numNeg > 16 || numPos > 16) throw new BitstreamError('invalid', `RPS with ${numNeg}+${numPos} pictures`);
  const negative: number[] = [];
  const positive: number[] = [];
  let poc = 0;
  for (let i = 0; i < numNeg; i++) {
    poc -= r.ue() + 1;
    r.skip(1);
    negative.push(poc);
  }
  poc = 0;
  for (let i = 0; i < numPos; i++) {
    poc += r.ue() + 1;
    r.skip(1);
    positive.push(poc);
  }
  return { negative, positive };
}

function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ue(); // scaling_list_pred_matrix_id_delta
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.se(); // scaling_list_dc_coef_minus8
        for (let i = 0; i < coefNum; i++) r.se();
      }
    }
  }
}

/**
 * Parses an SPS NAL unit (with its 2-byte header, emulation prevention allowed).
 * Throws only BitstreamError. Everything after the conformance window and bit depths that
 * the recorder does not strictly need (VUI) is read best-effort.
 */
export function parseH265Sps(nal: Uint8Array): H265SpsInfo {
  if (nal.length < 5) throw new BitstreamError('truncated', `SPS of ${nal.length} bytes`);
  const nalType = ((nal[0] as number) >> 1) & 0x3f;
  if (nalType !== 33) throw new BitstreamError('invalid', `NAL type ${nalType} is not an SPS`);
  const r = new BitReader(removeEmulationPrevention(nal), 2);
  const vpsId = r.u(4);
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) throw new BitstreamError('invalid', `sps_max_sub_layers_minus1 ${maxSubLayersMinus1}`);
  const temporalIdNested = r.flag();
  const ptl = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = r.ue();
  if (spsId > 15) throw new BitstreamError('invalid', `sps_seq_parameter_set_id ${spsId}`);
  const chromaFormatIdc = r.ue();
  if (chromaFormatIdc > 3) throw new BitstreamError('invalid', `chroma_format_idc ${chromaFormatIdc}`);
  const separateColourPlane = chromaFormatIdc === 3 && r.flag();
  const codedWidth = r.ue();
  const codedHeight = r.ue();
  const { left: cropLeft, right: cropRight, top: cropTop, bottom: cropBottom } = readCropWindow(r);
  const chromaArrayType = separateColourPlane ? 0 : chromaFormatIdc;
  const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
  const subHeightC = chromaArrayType === 1 ? 2 : 1;
  const width = codedWidth - subWidthC * (cropLeft + cropRight);
  const height = codedHeight - subHeightC * (cropTop + cropBottom);
  if (codedWidth > 16888 || codedHeight > 16888 || width <= 0 || height <= 0) {
    throw new BitstreamError('invalid', `implausible picture size ${width}x${height}`);
  }
  const bitDepthLuma = r.ue() + 8;
  const bitDepthChroma = r.ue() + 8;
  if (bitDepthLuma > 16 || bitDepthChroma > 16) throw new BitstreamError('invalid', 'bit depth > 16');
  const log2MaxPicOrderCntLsb = r.ue() + 4;
  if (log2MaxPicOrderCntLsb > 16) throw new BitstreamError('invalid', `log2_max_pic_order_cnt_lsb ${log2MaxPicOrderCntLsb}`);
  const subLayerOrderingInfo = r.flag();
  let maxNumReorderFrames = 0;
  let maxDecPicBuffering = 1;
  for (let i = subLayerOrderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    maxDecPicBuffering = r.ue() + 1;
    maxNumReorderFrames = r.ue();
    r.ue(); // sps_max_latency_increase_plus1
  }
  if (maxNumReorderFrames > 16 || maxDecPicBuffering > 17) throw new BitstreamError('invalid', 'DPB size > 16');

  const info: H265SpsInfo = {
    generalProfileSpace: ptl.generalProfileSpace,
    generalTierFlag: ptl.generalTierFlag,
    generalProfileIdc: ptl.generalProfileIdc,
    generalProfileCompatibilityFlags: ptl.generalProfileCompatibilityFlags,
    generalConstraintIndicatorFlags: ptl.generalConstraintIndicatorFlags,
    generalLevelIdc: ptl.generalLevelIdc,
    chromaFormatIdc,
    bitDepthLuma,
    bitDepthChroma,
    width,
    height,
    temporalIdNested,
    numTemporalLayers: maxSubLayersMinus1 + 1,
    spsId,
    vpsId,
    maxNumReorderFrames,
    maxDecPicBuffering,
    log2MaxPicOrderCntLsb,
    vuiComplete: false,
  };
  try {
    readTail(r, info);
  } catch (e) {
    if (!(e instanceof BitstreamError)) throw e;
  }
  return info;
}

function readTail(r: BitReader, info: H265SpsInfo): void {
  r.ue(); // log2_min_luma_coding_block_size_minus3
  r.ue(); // log2_diff_max_min_luma_coding_block_size
  r.ue(); // log2_min_luma_transform_block_size_minus2
  r.ue(); // log2_diff_max_min_luma_transform_block_size
  r.ue(); // max_transform_hierarchy_depth_inter
  r.ue(); // max_transform_hierarchy_depth_intra
  if (r.flag() && r.flag()) skipScalingListData(r);
  r.skip(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.flag()) {
    r.skip(8); // pcm sample bit depths
    r.ue();
    r.ue();
    r.skip(1);
  }
  const numStRps = r.ue();
  if (numStRps > 64) throw new BitstreamError('invalid', `num_short_term_ref_pic_sets ${numStRps}`);
  const sets: StRps[] = [];
  for (let i = 0; i < numStRps; i++) sets.push(readStRefPicSet(r, i, sets));
  if (r.flag()) {
    const numLt = r.ue();
    if (numLt > 32) throw new BitstreamError('invalid', `num_long_term_ref_pics_sps ${numLt}`);
    for (let i = 0; i < numLt; i++) r.skip(info.log2MaxPicOrderCntLsb + 1);
  }
  r.skip(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (!r.flag()) {
    info.vuiComplete = true;
    return;
  }
  if (r.flag() && r.u(8) === 255) r.skip(32); // aspect ratio, explicit SAR
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) {
    r.skip(4);
    if (r.flag()) r.skip(24);
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  r.skip(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
  if (r.flag()) {
    r.ue();
    r.ue();
    r.ue();
    r.ue();
  }
  if (r.flag()) {
    const numUnitsInTick = r.u(32);
    const timeScale = r.u(32);
    if (numUnitsInTick > 0 && timeScale > 0) info.fps = timeScale / numUnitsInTick;
  }
  info.vuiComplete = true;
}

/** Non-throwing variant for untrusted input. */
export function tryParseH265Sps(nal: Uint8Array): { ok: true; sps: H265SpsInfo } | { ok: false; error: BitstreamError } {
  try {
    return { ok: true, sps: parseH265Sps(nal) };
  } catch (e) {
    if (e instanceof BitstreamError) return { ok: false, error: e };
    return { ok: false, error: new BitstreamError('invalid', e instanceof Error ? e.message : String(e)) };
  }
}

function reverseBits32(v: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) {
    out = out * 2 + ((v >>> i) & 1);
  }
  return out;
}

/**
 * Codec string per ISO/IEC 14496-15 Annex E, e.g. `hvc1.1.6.L93.B0`: profile space letter +
 * profile, compatibility flags bit-reversed in hex, tier letter + level, constraint bytes
 * with trailing zero bytes omitted.
 */
export function h265CodecString(
  sps: Pick<
    H265SpsInfo,
    'generalProfileSpace' | 'generalTierFlag' | 'generalProfileIdc' | 'generalProfileCompatibilityFlags' | 'generalConstraintIndicatorFlags' | 'generalLevelIdc'
  >,
  sampleEntry: 'hvc1' | 'hev1' = 'hvc1',
): string {
  const space = ['', 'A', 'B', 'C'][sps.generalProfileSpace & 3] ?? '';
  const compat = reverseBits32(sps.generalProfileCompatibilityFlags >>> 0)
    .toString(16)
    .toUpperCase();
  const tier = sps.generalTierFlag ? 'H' : 'L';
  const bytes = Array.from(sps.generalConstraintIndicatorFlags.subarray(0, 6));
  while (bytes.length > 0 && bytes[bytes.length - 1] === 0) bytes.pop();
  const constraints = bytes.map((b) => b.toString(16).toUpperCase()).join('.');
  return `${sampleEntry}.${space}${sps.generalProfileIdc}.${compat}.${tier}${sps.generalLevelIdc}${constraints ? `.${constraints}` : ''}`;
}

/** Human profile name for general_profile_idc. */
export function h265ProfileName(profileIdc: number): string {
  switch (profileIdc) {
    case 1:
      return 'Main';
    case 2:
      return 'Main 10';
    case 3:
      return 'Main Still Picture';
    case 4:
      return 'Range Extensions';
    case 5:
      return 'High Throughput';
    case 9:
      return 'Screen Content Coding';
    default:
      return `Profile ${profileIdc}`;
  }
}
