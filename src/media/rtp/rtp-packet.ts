// RTP fixed header (RFC 3550 5.1). Parsing never copies: the payload is a view over the input.

export interface RtpPacket {
  readonly marker: boolean;
  readonly payloadType: number;
  readonly sequenceNumber: number;
  /** The 32-bit RTP timestamp as sent (see TimestampUnwrapper for the 64-bit extension). */
  readonly timestamp: number;
  readonly ssrc: number;
  /** Contributing sources; a shared empty array when there are none. */
  readonly csrcs: readonly number[];
  /** Header extension profile (RFC 3550 5.3.1 / RFC 8285) when present; the data is skipped. */
  readonly extensionProfile?: number;
  /** Payload without header, extension and padding: a view over the input buffer. */
  readonly payload: Uint8Array;
}

export type RtpParseErrorCode = 'too-short' | 'bad-version' | 'truncated-csrc' | 'truncated-extension' | 'bad-padding';

export interface RtpParseError {
  readonly code: RtpParseErrorCode;
  readonly message: string;
}

export type RtpParseResult = { readonly ok: true; readonly packet: RtpPacket } | { readonly ok: false; readonly error: RtpParseError };

const NO_CSRCS: readonly number[] = Object.freeze([]);
export const RTP_HEADER_SIZE = 12;

function fail(code: RtpParseErrorCode, message: string): RtpParseResult {
  return { ok: false, error: { code, message } };
}

/** Parses one RTP packet. Never throws. */
export function parseRtpPacket(buf: Uint8Array): RtpParseResult {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) return fail('too-short', `RTP packet of ${len} bytes`);
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  if (b0 >> 6 !== 2) return fail('bad-version', `RTP version ${b0 >> 6}`);
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + 4 * csrcCount;
  if (offset > len) return fail('truncated-csrc', `${csrcCount} CSRCs do not fit in ${len} bytes`);
  let csrcs = NO_CSRCS;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readU32(buf, RTP_HEADER_SIZE + 4 * i));
    csrcs = list;
  }
  let extensionProfile: number | undefined;
  if (b0 & 0x10) {
    if (offset + 4 > len) return fail('truncated-extension', 'extension header does not fit');
    extensionProfile = ((buf[offset] as number) << 8) | (buf[offset + 1] as number);
    const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
    offset += 4 + 4 * words;
    if (offset > len) return fail('truncated-extension', `extension of ${words} words does not fit`);
  }
  let end = len;
  if (b0 & 0x20) {
    const pad = buf[len - 1] as number;
    if (pad === 0 || pad > end - offset) return fail('bad-padding', `padding of ${pad} bytes with ${end - offset} payload bytes`);
    end -= pad;
  }
  const packet: RtpPacket = {
    marker: (b1 & 0x80) !== 0,
    payloadType: b1 & 0x7f,
    sequenceNumber: ((buf[2] as number) << 8) | (buf[3] as number),
    timestamp: readU32(buf, 4),
    ssrc: readU32(buf, 8),
    csrcs,
    extensionProfile,
    payload: buf.subarray(offset, end),
  };
  return { ok: true, packet };
}

/**
 * RFC 5761 4: on a shared channel, RTCP packet types 192–223 fall where RTP would have
 * marker + payload types 64–95, which RTP does not use.
 */
export function looksLikeRtcp(buf: Uint8Array): boolean {
  if (buf.length < 8 || (buf[0] as number) >> 6 !== 2) return false;
  const pt = buf[1] as number;
  return pt >= 192 && pt <= 223;
}

export function readU32(buf: Uint8Array, o: number): number {
  return (((buf[o] as number) << 24) | ((buf[o + 1] as number) << 16) | ((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) >>> 0;
}

export function writeU32(buf: Uint8Array, o: number, v: number): void {
  buf[o] = (v >>> 24) & 0xff;
  buf[o + 1] = (v >>> 16) & 0xff;
  buf[o + 2] = (v >>> 8) & 0xff;
  buf[o + 3] = v & 0xff;
}

export interface RtpHeaderFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
}

/** Writes a 12-byte RTP header (no CSRC, no extension, no padding) at `offset`. */
export function writeRtpHeader(buf: Uint8Array, offset: number, h: RtpHeaderFields): void {
  buf[offset] = 0x80;
  buf[offset + 1] = (h.marker ? 0x80 : 0) | (h.payloadType & 0x7f);
  buf[offset + 2] = (h.sequenceNumber >>> 8) & 0xff;
  buf[offset + 3] = h.sequenceNumber & 0xff;
  writeU32(buf, offset + 4, h.timestamp >>> 0);
  writeU32(buf, offset + 8, h.ssrc >>> 0);
}
