// MPEG-4 AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1): the 2+ bytes that `config=` in the
// SDP and the esds DecoderSpecificInfo carry.
import { BitReader } from '../bits/bit-reader.ts';
import { BitstreamError } from '../bits/errors.ts';

export interface AudioSpecificConfigInfo {
  /** audioObjectType as signalled (2 = AAC LC, 5 = SBR, 29 = PS). */
  objectType: number;
  /** Sampling rate of the core decoder (AAC frames of 1024 samples at this rate). */
  sampleRate: number;
  /** 15 when the rate was given explicitly. */
  samplingFrequencyIndex: number;
  /** Output channels; 0 when a program_config_element defines them. */
  channels: number;
  /** channelConfiguration as signalled. */
  channelConfiguration: number;
  /** For SBR/PS: the output sampling rate. */
  extensionSampleRate?: number;
  /** frameLengthFlag: frames of 960 instead of 1024 samples. */
  frameLength: 1024 | 960;
}

export const AAC_SAMPLE_RATES: readonly number[] = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];

/** channelConfiguration → channel count (Table 1.19, including the later 11, 12, 14). */
const CHANNELS: Readonly<Record<number, number>> = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 5, 6: 6, 7: 8, 11: 7, 12: 8, 14: 8 };

function readObjectType(r: BitReader): number {
  const t = r.u(5);
  return t === 31 ? 32 + r.u(6) : t;
}

function readSampleRate(r: BitReader): [index: number, rate: number] {
  const index = r.u(4);
  if (index === 15) return [15, r.u(24)];
  const rate = AAC_SAMPLE_RATES[index];
  if (rate === undefined) throw new BitstreamError('invalid', `reserved samplingFrequencyIndex ${index}`);
  return [index, rate];
}

/** Throws only BitstreamError. */
export function parseAudioSpecificConfig(bytes: Uint8Array): AudioSpecificConfigInfo {
  if (bytes.length < 2) throw new BitstreamError('truncated', `AudioSpecificConfig of ${bytes.length} bytes`);
  const r = new BitReader(bytes);
  const objectType = readObjectType(r);
  if (objectType === 0) throw new BitstreamError('invalid', 'audioObjectType 0');
  let [samplingFrequencyIndex, sampleRate] = readSampleRate(r);
  const channelConfiguration = r.u(4);
  let extensionSampleRate: number | undefined;
  let coreType = objectType;
  if (objectType === 5 || objectType === 29) {
    extensionSampleRate = readSampleRate(r)[1];
    coreType = readObjectType(r);
    if (coreType === 22) r.u(4); // extensionChannelConfiguration (ER BSAC)
  }
  let frameLength: 1024 | 960 = 1024;
  // GASpecificConfig for the AAC object types: frameLengthFlag is its first bit.
  if ([1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 22, 23].includes(coreType) && r.bitsLeft() > 0) {
    frameLength = r.u1() ? 960 : 1024;
  }
  if (sampleRate <= 0) throw new BitstreamError('invalid', 'sampling rate 0');
  const channels = CHANNELS[channelConfiguration] ?? 0;
  const info: AudioSpecificConfigInfo = { objectType, sampleRate, samplingFrequencyIndex, channels, channelConfiguration, frameLength };
  if (extensionSampleRate !== undefined) info.extensionSampleRate = extensionSampleRate;
  return info;
}

export function tryParseAudioSpecificConfig(bytes: Uint8Array): { ok: true; config: AudioSpecificConfigInfo } | { ok: false; error: BitstreamError } {
  try {
    return { ok: true, config: parseAudioSpecificConfig(bytes) };
  } catch (e) {
    if (e instanceof BitstreamError) return { ok: false, error: e };
    return { ok: false, error: new BitstreamError('invalid', e instanceof Error ? e.message : String(e)) };
  }
}

/** RFC 6381 codec string, e.g. `mp4a.40.2`. */
export function aacCodecString(asc: Pick<AudioSpecificConfigInfo, 'objectType'>): string {
  return `mp4a.40.${asc.objectType}`;
}

/** Builds a 2-byte AudioSpecificConfig for plain AAC (used by the simulated camera and tests). */
export function buildAudioSpecificConfig(objectType: number, sampleRate: number, channelConfiguration: number): Uint8Array {
  const index = AAC_SAMPLE_RATES.indexOf(sampleRate);
  if (objectType < 1 || objectType > 30 || index < 0 || channelConfiguration > 15) {
    throw new BitstreamError('unsupported', `cannot build ASC for type ${objectType}, ${sampleRate} Hz, config ${channelConfiguration}`);
  }
  const v = (objectType << 11) | (index << 7) | (channelConfiguration << 3);
  return Uint8Array.of(v >> 8, v & 0xff);
}

/** Parses the hex of an SDP `config=` parameter. Returns undefined on malformed hex. */
export function hexToBytes(hex: string): Uint8Array | undefined {
  const s = hex.trim();
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) return undefined;
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}

export function bytesToHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}
