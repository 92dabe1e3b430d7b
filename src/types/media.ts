// Messages that flow from sources to the segmenter (docs/architecture.md, Messages). Plain data, no classes,
// so that marble tests can write them as literals.

export type MediaType = 'video' | 'audio' | 'application';
export type VideoCodec = 'h264' | 'h265';
export type AudioCodec = 'aac';

export interface VideoCodecConfig {
  readonly codec: VideoCodec;
  /** Parameter sets without start codes or length prefixes. vps only for H.265. */
  readonly vps: readonly Uint8Array[];
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
  readonly width: number;
  readonly height: number;
  /** RFC 6381 codec string, e.g. `avc1.64001f` or `hvc1.1.6.L93.B0`. */
  readonly codecString: string;
  /** Profile name for humans (`High`, `Main`, …). */
  readonly profile: string;
}

export interface AudioCodecConfig {
  readonly codec: AudioCodec;
  /** MPEG-4 AudioSpecificConfig bytes. */
  readonly audioSpecificConfig: Uint8Array;
  readonly sampleRate: number;
  readonly channels: number;
  /** RFC 6381 codec string, e.g. `mp4a.40.2`. */
  readonly codecString: string;
}

/** A track was announced, or its codec parameters changed (new SPS/PPS, new resolution). */
export interface TrackInfo {
  readonly kind: 'track';
  readonly trackId: number;
  readonly mediaType: 'video' | 'audio';
  /** Ticks per second of dts/pts: 90000 for video, the sample rate for audio. */
  readonly timescale: number;
  readonly config: VideoCodecConfig | AudioCodecConfig;
  /** Frames per second if known (from SPS timing info or observed), else undefined. */
  readonly fps?: number;
}

/**
 * One access unit (a coded video frame or an audio frame). Timestamps are media time in the
 * track's timescale, unwrapped to 64 bits (safe as JS numbers for ~3 000 years at 90 kHz)
 * and monotonic per track within one session.
 */
export interface Sample {
  readonly kind: 'sample';
  readonly trackId: number;
  readonly dts: number;
  readonly pts: number;
  /** Duration in timescale ticks when known (the segmenter derives it otherwise). */
  readonly duration?: number;
  /** A random-access point: IDR, or a recovery-point I frame, or CRA/BLA for H.265; always true for audio. */
  readonly keyframe: boolean;
  /**
   * Payload as views over received buffers, no copies. Video: one entry per NAL unit,
   * without start code or length prefix. Audio: one entry holding the raw AAC frame.
   */
  readonly units: readonly Uint8Array[];
  /** Wall-clock time of this sample's pts in Unix milliseconds (RTCP SR anchored, else arrival). */
  readonly wallClockMs: number;
}

/** The stream broke: reconnect, timestamp jump, camera reboot. Downstream closes what is open. */
export interface Discontinuity {
  readonly kind: 'discontinuity';
  readonly reason: 'reconnect' | 'timestamp-jump' | 'source-restart' | 'codec-change' | 'gate-closed';
  /** Wall-clock time at which the break was noticed (Unix ms). */
  readonly atWallClockMs: number;
  /** Last wall-clock time known to be covered by media before the break, when known. */
  readonly lastMediaWallClockMs?: number;
}

/** The source ended for good (deactivation, end of file). */
export interface End {
  readonly kind: 'end';
}

export type MediaMessage = TrackInfo | Sample | Discontinuity | End;
