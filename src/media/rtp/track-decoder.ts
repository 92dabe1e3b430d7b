// Picks the depacketizer for an SDP media description. Codecs the recorder cannot store
// come back as a typed `unsupported-codec` result so the caller can skip that track with an
// event and keep recording the others.
import { H264Depacketizer } from '../h264/rtp-depacketizer.ts';
import { H265Depacketizer } from '../h265/rtp-depacketizer.ts';
import { AacDepacketizer } from '../aac/rtp-depacketizer.ts';

export interface MediaDescriptionEssentials {
  /** rtpmap encoding name, any case (`H264`, `H265`, `mpeg4-generic`, `PCMU`, …). */
  readonly encodingName: string;
  readonly clockRate: number;
  /** fmtp parameters; keys are matched case-insensitively. */
  readonly fmtp: Readonly<Record<string, string>>;
  readonly channels?: number;
}

export type TrackDecoder =
  | { readonly codec: 'h264'; readonly mediaType: 'video'; readonly clockRate: number; readonly depacketizer: H264Depacketizer }
  | { readonly codec: 'h265'; readonly mediaType: 'video'; readonly clockRate: number; readonly depacketizer: H265Depacketizer }
  | { readonly codec: 'aac'; readonly mediaType: 'audio'; readonly clockRate: number; readonly depacketizer: AacDepacketizer };

export type TrackDecoderErrorCode = 'unsupported-codec' | 'bad-fmtp';

export interface TrackDecoderError {
  readonly code: TrackDecoderErrorCode;
  readonly encodingName: string;
  readonly message: string;
}

export type TrackDecoderResult = { readonly ok: true; readonly decoder: TrackDecoder } | { readonly ok: false; readonly error: TrackDecoderError };

export interface TrackDecoderOptions {
  /** Passed to the video depacketizers. */
  readonly stripParameterSets?: boolean;
}

function lowerKeys(fmtp: Readonly<Record<string, string>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(fmtp)) out[k.trim().toLowerCase()] = v.trim();
  return out;
}

function int(v: string | undefined): number | undefined {
  if (v === undefined || !/^\d{1,9}$/.test(v)) return undefined;
  return Number(v);
}

export function createTrackDecoder(md: MediaDescriptionEssentials, options: TrackDecoderOptions = {}): TrackDecoderResult {
  const name = md.encodingName.trim();
  const fmtp = lowerKeys(md.fmtp);
  const clockRate = md.clockRate;
  const unsupported = (why: string): TrackDecoderResult => ({ ok: false, error: { code: 'unsupported-codec', encodingName: name, message: why } });
  if (!(clockRate > 0)) return { ok: false, error: { code: 'bad-fmtp', encodingName: name, message: `clock rate ${clockRate}` } };
  switch (name.toUpperCase()) {
    case 'H264': {
      const mode = int(fmtp['packetization-mode']);
      if (mode === 2) return unsupported('H.264 packetization-mode=2 (interleaved) is not supported');
      const depacketizer = new H264Depacketizer({
        ...(fmtp['sprop-parameter-sets'] ? { spropParameterSets: fmtp['sprop-parameter-sets'] } : {}),
        ...(options.stripParameterSets ? { stripParameterSets: true } : {}),
      });
      return { ok: true, decoder: { codec: 'h264', mediaType: 'video', clockRate, depacketizer } };
    }
    case 'H265':
    case 'HEVC': {
      const depacketizer = new H265Depacketizer({
        spropVps: fmtp['sprop-vps'],
        spropSps: fmtp['sprop-sps'],
        spropPps: fmtp['sprop-pps'],
        spropMaxDonDiff: int(fmtp['sprop-max-don-diff']),
        spropDepackBufNalus: int(fmtp['sprop-depack-buf-nalus']),
        stripParameterSets: options.stripParameterSets ?? false,
      });
      return { ok: true, decoder: { codec: 'h265', mediaType: 'video', clockRate, depacketizer } };
    }
    case 'MPEG4-GENERIC': {
      const mode = (fmtp['mode'] ?? '').toLowerCase();
      if (mode && mode !== 'aac-hbr' && mode !== 'aac-lbr') return unsupported(`mpeg4-generic mode=${fmtp['mode']} is not AAC`);
      const config = fmtp['config'];
      const sizeLength = int(fmtp['sizelength']);
      if (!config || !sizeLength) return { ok: false, error: { code: 'bad-fmtp', encodingName: name, message: 'mpeg4-generic without config or sizelength' } };
      const depacketizer = new AacDepacketizer({
        config,
        sizeLength,
        indexLength: int(fmtp['indexlength']) ?? 0,
        indexDeltaLength: int(fmtp['indexdeltalength']) ?? 0,
        ctsDeltaLength: int(fmtp['ctsdeltalength']) ?? 0,
        dtsDeltaLength: int(fmtp['dtsdeltalength']) ?? 0,
        randomAccessIndication: fmtp['randomaccessindication'] === '1',
        streamStateIndication: int(fmtp['streamstateindication']) ?? 0,
        auxiliaryDataSizeLength: int(fmtp['auxiliarydatasizelength']) ?? 0,
      });
      if (!depacketizer.audioConfig) {
        const e = depacketizer.takeErrors()[0];
        return { ok: false, error: { code: 'bad-fmtp', encodingName: name, message: e?.message ?? 'bad AAC config' } };
      }
      return { ok: true, decoder: { codec: 'aac', mediaType: 'audio', clockRate, depacketizer } };
    }
    default:
      return unsupported(`${name}/${clockRate}${md.channels ? `/${md.channels}` : ''} cannot be recorded (supported: H264, H265, mpeg4-generic AAC)`);
  }
}
