// Chooses a depacketizer for an SDP media description and exposes what the session needs:
// media type, clock, current codec config, reorder depth. Unsupported formats get a reason.
import type { AudioCodecConfig, VideoCodecConfig } from '../../types/media.ts';
import type { Depacketizer } from '../rtp/depacketizer.ts';
import { H264Depacketizer } from '../h264/rtp-depacketizer.ts';
import { H265Depacketizer } from '../h265/rtp-depacketizer.ts';
import { AacDepacketizer } from '../aac/rtp-depacketizer.ts';
import { primaryFormat, type SdpMedia } from '../sdp/sdp.ts';

export interface SessionTrackDecoder {
  readonly mediaType: 'video' | 'audio';
  readonly codec: 'h264' | 'h265' | 'aac';
  readonly clockRate: number;
  readonly depacketizer: Depacketizer;
  /** Current codec config, once known (video: after SPS and PPS). */
  config(): VideoCodecConfig | AudioCodecConfig | undefined;
  /** B-frame reorder depth for decode-time derivation (0 for audio). */
  reorderDepth(): number;
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
  const fmtp = media.fmtp.get(pt) ?? {};
  const name = fmt.encoding.toUpperCase();
  if (media.type === 'video' && name === 'H264') {
    const mode = fmtp['packetization-mode'] !== undefined ? Number(fmtp['packetization-mode']) : undefined;
    const d = new H264Depacketizer({
      ...(fmtp['sprop-parameter-sets'] ? { spropParameterSets: fmtp['sprop-parameter-sets'] } : {}),
      ...(mode !== undefined && Number.isFinite(mode) ? { packetizationMode: mode } : {}),
    });
    if (mode === 2) return { ok: false, encoding, reason: 'H.264 packetization-mode=2 is not supported' };
    return {
      ok: true,
      decoder: {
        mediaType: 'video', codec: 'h264', clockRate: fmt.clockRate, depacketizer: d,
        config: () => d.videoConfig,
        reorderDepth: () => {
          const s = d.sps;
          if (!s) return 2;
          if (s.maxNumReorderFrames !== undefined) return s.maxNumReorderFrames;
          // Baseline and Constrained Baseline have no B-frames.
          return s.profileIdc === 66 ? 0 : 2;
        },
        fps: () => d.sps?.fps ?? media.framerate,
      },
    };
  }
  if (media.type === 'video' && (name === 'H265' || name === 'HEVC')) {
    const num = (k: string) => (fmtp[k] !== undefined && /^\d+$/.test(fmtp[k] as string) ? Number(fmtp[k]) : undefined);
    const maxDon = num('sprop-max-don-diff');
    const depack = num('sprop-depack-buf-nalus');
    const d = new H265Depacketizer({
      ...(fmtp['sprop-vps'] ? { spropVps: fmtp['sprop-vps'] } : {}),
      ...(fmtp['sprop-sps'] ? { spropSps: fmtp['sprop-sps'] } : {}),
      ...(fmtp['sprop-pps'] ? { spropPps: fmtp['sprop-pps'] } : {}),
      ...(maxDon !== undefined ? { spropMaxDonDiff: maxDon } : {}),
      ...(depack !== undefined ? { spropDepackBufNalus: depack } : {}),
    });
    return {
      ok: true,
      decoder: {
        mediaType: 'video', codec: 'h265', clockRate: fmt.clockRate, depacketizer: d,
        config: () => d.videoConfig,
        reorderDepth: () => d.sps?.maxNumReorderFrames ?? 2,
        fps: () => d.sps?.fps ?? media.framerate,
      },
    };
  }
  if (media.type === 'audio' && name === 'MPEG4-GENERIC') {
    const mode = (fmtp.mode ?? '').toLowerCase();
    if (mode !== '' && mode !== 'aac-hbr' && mode !== 'aac-lbr') return { ok: false, encoding, reason: `mpeg4-generic mode=${fmtp.mode} is not AAC` };
    if (!fmtp.config) return { ok: false, encoding, reason: 'mpeg4-generic without config' };
    const int = (k: string) => (fmtp[k] !== undefined && /^\d{1,2}$/.test(fmtp[k] as string) ? Number(fmtp[k]) : undefined);
    const cfg = {
      config: fmtp.config,
      ...opt('sizeLength', int('sizelength')),
      ...opt('indexLength', int('indexlength')),
      ...opt('indexDeltaLength', int('indexdeltalength')),
      ...opt('ctsDeltaLength', int('ctsdeltalength')),
      ...opt('dtsDeltaLength', int('dtsdeltalength')),
      ...opt('streamStateIndication', int('streamstateindication')),
      ...opt('auxiliaryDataSizeLength', int('auxiliarydatasizelength')),
      ...(fmtp.randomaccessindication === '1' ? { randomAccessIndication: true } : {}),
    };
    const d = new AacDepacketizer(cfg);
    if (!d.audioConfig) return { ok: false, encoding, reason: `mpeg4-generic config=${fmtp.config.slice(0, 20)} is not a valid AudioSpecificConfig` };
    return {
      ok: true,
      decoder: {
        mediaType: 'audio', codec: 'aac', clockRate: fmt.clockRate, depacketizer: d,
        config: () => d.audioConfig, reorderDepth: () => 0, fps: () => undefined,
      },
    };
  }
  return { ok: false, encoding, reason: `${fmt.encoding} is not supported` };
}

function opt<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}
