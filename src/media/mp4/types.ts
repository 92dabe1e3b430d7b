// What the box builders need to know about a track, in ISO/IEC 14496-12/-15 terms.
// Builders take these records, not SPS bytes, so they stay free of bitstream parsing.

/** AVCDecoderConfigurationRecord fields (ISO/IEC 14496-15 §5.3.3.1). */
export interface AvcDecoderConfig {
  readonly AVCProfileIndication: number;
  readonly profile_compatibility: number;
  readonly AVCLevelIndication: number;
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
  /** Written for High profiles (100, 110, 122, 144), as the standard requires. */
  readonly chroma_format: number;
  readonly bit_depth_luma_minus8: number;
  readonly bit_depth_chroma_minus8: number;
}

/** HEVCDecoderConfigurationRecord fields (ISO/IEC 14496-15 §8.3.3.1). */
export interface HevcDecoderConfig {
  readonly general_profile_space: number;
  readonly general_tier_flag: number;
  readonly general_profile_idc: number;
  readonly general_profile_compatibility_flags: number;
  /** 6 bytes. */
  readonly general_constraint_indicator_flags: Uint8Array;
  readonly general_level_idc: number;
  readonly min_spatial_segmentation_idc: number;
  readonly parallelismType: number;
  readonly chroma_format_idc: number;
  readonly bit_depth_luma_minus8: number;
  readonly bit_depth_chroma_minus8: number;
  /** Frames per 256 s, 0 when unknown. */
  readonly avgFrameRate: number;
  readonly constantFrameRate: number;
  readonly numTemporalLayers: number;
  readonly temporalIdNested: number;
  readonly vps: readonly Uint8Array[];
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
}

export interface VideoTrackDescription {
  readonly kind: 'video';
  readonly trackId: number;
  readonly timescale: number;
  readonly width: number;
  readonly height: number;
  readonly decoderConfig: { readonly codec: 'avc1'; readonly avcC: AvcDecoderConfig } | { readonly codec: 'hvc1'; readonly hvcC: HevcDecoderConfig };
}

export interface AudioTrackDescription {
  readonly kind: 'audio';
  readonly trackId: number;
  readonly timescale: number;
  readonly channelcount: number;
  readonly samplerate: number;
  /** MPEG-4 AudioSpecificConfig, carried in esds' DecoderSpecificInfo. */
  readonly audioSpecificConfig: Uint8Array;
  /** For esds' DecoderConfigDescriptor; 0 when unknown. */
  readonly avgBitrate?: number;
  readonly maxBitrate?: number;
}

export type TrackDescription = VideoTrackDescription | AudioTrackDescription;
