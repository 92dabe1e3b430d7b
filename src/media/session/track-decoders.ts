// Adapts rtp-codecs' createTrackDecoder to what the session needs from a track: media type,
// clock, current codec config, reorder depth and frame rate from the SPS.
import type { AudioCodecConfig, VideoCodecConfig } from '../../types/media.ts';
import type { Depacketizer } from '../rtp/depacketizer.ts';
import { createTrackDecoder } from '../rtp/track-decoder.ts';
import { primaryFormat, type SdpMedia } from '../sdp/sdp.ts';

export interface SessionTrackDecoder {
  readonly mediaType: 'video' | 'audio';
  readonly codec: 'h264' | 'h265' | 'aac';
  readonly clockRate: number;
  readonly depacketizer: Depacketizer;
  /** Current codec config, once known (video: after SPS and PPS). */
  config(): VideoCodecConfig | AudioCodecConfig | undefined;
  /** B-frame reorder depth from the SPS, when it says (undefined: unknown). */
  reorderDepth(): number | undefined;
  fps(): number | undefined;
}

export type TrackDecoderChoice =
  | { readonly ok: true; readonly decoder: SessionTrackDecoder }
  | { readonly ok: false; readonly encoding: string; readonly reason: string };

export function chooseTrackDecoder(media: SdpMedia): TrackDecoderChoice {
  const fmt = primaryFormat(media);
  const pt = media.formats[0];
  const encoding = fmt?.encoding ?? `payload type ${pt ?? '?'}`;
  if (!fmt || pt === undefined) return { ok: false, encoding, reason: 'no rtpmap for the payload type' };
  const r = createTrackDecoder({
    encodingName: fmt.encoding,
    clockRate: fmt.clockRate,
    fmtp: media.fmtp.get(pt) ?? {},
    ...(fmt.channels !== undefined ? { channels: fmt.channels } : {}),
  });
  if (!r.ok) return { ok: false, encoding, reason: r.error.message };
  const d = r.decoder;
  if (d.mediaType === 'video' && media.type !== 'video') return { ok: false, encoding, reason: `${fmt.encoding} in an m=${media.type} section` };
  switch (d.codec) {
    case 'h264': {
      const dp = d.depacketizer;
      return {
        ok: true,
        decoder: {
          mediaType: 'video',
          codec: 'h264',
          clockRate: d.clockRate,
          depacketizer: dp,
          config: () => dp.videoConfig,
          // Baseline and Constrained Baseline have no B-frames.
          reorderDepth: () => dp.sps?.maxNumReorderFrames ?? (dp.sps?.profileIdc === 66 ? 0 : undefined),
          fps: () => dp.sps?.fps ?? media.framerate,
        },
      };
    }
    case 'h265': {
      const dp = d.depacketizer;
      return {
        ok: true,
        decoder: {
          mediaType: 'video',
          codec: 'h265',
          clockRate: d.clockRate,
          depacketizer: dp,
          config: () => dp.videoConfig,
          reorderDepth: () => dp.sps?.maxNumReorderFrames,
          fps: () => dp.sps?.fps ?? media.framerate,
        },
      };
    }
    case 'aac': {
      const dp = d.depacketizer;
      return {
        ok: true,
        decoder: {
          mediaType: 'audio',
          codec: 'aac',
          clockRate: d.clockRate,
          depacketizer: dp,
          config: () => dp.audioConfig,
          reorderDepth: () => 0,
          fps: () => undefined,
        },
      };
    }
  }
}
