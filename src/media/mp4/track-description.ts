// TrackInfo (what a source announces) → TrackDescription (what the box builders need): the
// avcC/hvcC fields come from the SPS itself, since sources' own fields may be incomplete.
import type { AudioCodecConfig, TrackInfo, VideoCodecConfig } from '../../types/media.ts';
import { parseH264Sps } from '../h264/sps.ts';
import { parseH265Sps } from '../h265/sps.ts';
import type { TrackDescription } from './types.ts';

export class TrackDescriptionError extends Error {
  override readonly name = 'TrackDescriptionError';
  constructor(
    readonly trackId: number,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`track ${trackId}: ${message}`, options);
  }
}

function describeVideo(info: TrackInfo, c: VideoCodecConfig): TrackDescription {
  const sps = c.sps[0];
  if (!sps) throw new TrackDescriptionError(info.trackId, `${c.codec} track without an SPS`);
  if (c.pps.length === 0) throw new TrackDescriptionError(info.trackId, `${c.codec} track without a PPS`);
  try {
    if (c.codec === 'h264') {
      const s = parseH264Sps(sps);
      return {
        kind: 'video',
        trackId: info.trackId,
        timescale: info.timescale,
        width: s.width,
        height: s.height,
        decoderConfig: {
          codec: 'avc1',
          avcC: {
            AVCProfileIndication: s.profileIdc,
            profile_compatibility: s.constraintFlags,
            AVCLevelIndication: s.levelIdc,
            sps: c.sps,
            pps: c.pps,
            chroma_format: s.chromaFormatIdc,
            bit_depth_luma_minus8: s.bitDepthLuma - 8,
            bit_depth_chroma_minus8: s.bitDepthChroma - 8,
          },
        },
      };
    }
    if (c.vps.length === 0) throw new TrackDescriptionError(info.trackId, 'h265 track without a VPS');
    const s = parseH265Sps(sps);
    const fps = info.fps ?? s.fps;
    return {
      kind: 'video',
      trackId: info.trackId,
      timescale: info.timescale,
      width: s.width,
      height: s.height,
      decoderConfig: {
        codec: 'hvc1',
        hvcC: {
          general_profile_space: s.generalProfileSpace,
          general_tier_flag: s.generalTierFlag,
          general_profile_idc: s.generalProfileIdc,
          general_profile_compatibility_flags: s.generalProfileCompatibilityFlags,
          general_constraint_indicator_flags: s.generalConstraintIndicatorFlags,
          general_level_idc: s.generalLevelIdc,
          min_spatial_segmentation_idc: 0,
          parallelismType: 0, // 0: unknown, allowed by 14496-15
          chroma_format_idc: s.chromaFormatIdc,
          bit_depth_luma_minus8: s.bitDepthLuma - 8,
          bit_depth_chroma_minus8: s.bitDepthChroma - 8,
          avgFrameRate: fps ? Math.min(0xffff, Math.round(fps * 256)) : 0,
          constantFrameRate: 0,
          numTemporalLayers: s.numTemporalLayers,
          temporalIdNested: s.temporalIdNested ? 1 : 0,
          vps: c.vps,
          sps: c.sps,
          pps: c.pps,
        },
      },
    };
  } catch (e) {
    if (e instanceof TrackDescriptionError) throw e;
    throw new TrackDescriptionError(info.trackId, `unreadable ${c.codec} SPS: ${(e as Error).message}`, { cause: e });
  }
}

function describeAudio(info: TrackInfo, c: AudioCodecConfig): TrackDescription {
  if (c.audioSpecificConfig.length < 2) throw new TrackDescriptionError(info.trackId, 'AudioSpecificConfig shorter than 2 bytes');
  return {
    kind: 'audio',
    trackId: info.trackId,
    timescale: info.timescale,
    channelcount: c.channels,
    samplerate: c.sampleRate,
    audioSpecificConfig: c.audioSpecificConfig,
  };
}

export function describeTrack(info: TrackInfo): TrackDescription {
  const c = info.config;
  if (info.mediaType === 'video') {
    if (c.codec !== 'h264' && c.codec !== 'h265') throw new TrackDescriptionError(info.trackId, `video track with codec ${c.codec}`);
    return describeVideo(info, c);
  }
  if (c.codec !== 'aac') throw new TrackDescriptionError(info.trackId, `audio track with codec ${c.codec}`);
  return describeAudio(info, c);
}
