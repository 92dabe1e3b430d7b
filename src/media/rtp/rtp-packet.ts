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

/** An RtpPacket a caller may refill for every packet (see readRtpPacket). */
export interface RtpPacketFields {
  marker: boolean;
  payloadType: number;
  sequenceNumber: number;
  timestamp: number;
  ssrc: number;
  csrcs: readonly number[];
  extensionProfile: number | undefined;
  payload: Uint8Array;
}

/** An empty packet to refill with readRtpPacket. */
export function blankRtpPacket(): RtpPacketFields {
  return { marker: false, payloadType: 0, sequenceNumber: 0, timestamp: 0, ssrc: 0, csrcs: NO_CSRCS, extensionProfile: undefined, payload: EMPTY };
}

const EMPTY = new Uint8Array(0);

/**
 * Parses one RTP packet into `into`, overwriting every field, and returns undefined; or
 * returns the error code and leaves `into` unspecified. Allocates only the payload view (and
 * the CSRC list when there is one), for callers that consume each packet before the next.
 */
export function readRtpPacket(buf: Uint8Array, into: RtpPacketFields): RtpParseErrorCode | undefined {
  const len = buf.length;
  if (len < RTP_HEADER_SIZE) return 'too-short';
  const b0 = buf[0] as number;
  const b1 = buf[1] as number;
  if (b0 >> 6 !== 2) return 'bad-version';
  const csrcCount = b0 & 0x0f;
  let offset = RTP_HEADER_SIZE + 4 * csrcCount;
  if (offset > len) return 'truncated-csrc';
  let csrcs = NO_CSRCS;
  if (csrcCount > 0) {
    const list: number[] = [];
    for (let i = 0; i < csrcCount; i++) list.push(readU32(buf, RTP_HEADER_SIZE + 4 * i));
    csrcs = list;
  }
  let extensionProfile: number | undefined;
  if (b0 & 0x10) {
    if (offset + 4 > len) return 'truncated-extension';
    extensionProfile = ((buf[offset] as number) << 8) | (buf[offset + 1] as number);
    const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
    offset += 4 + 4 * words;
    if (offset > len) return 'truncated-extension';
  }
  let end = len;
  if (b0 & 0x20) {
    const pad = buf[len - 1] as number;
    if (pad === 0 || pad > end - offset) return 'bad-padding';
    end -= pad;
  }
  into.marker = (b1 & 0x80) !== 0;
  into.payloadType = b1 & 0x7f;
  into.sequenceNumber = ((buf[2] as number) << 8) | (buf[3] as number);
  into.timestamp = readU32(buf, 4);
  into.ssrc = readU32(buf, 8);
  into.csrcs = csrcs;
  into.extensionProfile = extensionProfile;
  into.payload = buf.subarray(offset, end);
  return undefined;
}

/** Parses one RTP packet. Never throws. */
export function parseRtpPacket(buf: Uint8Array): RtpParseResult {
  const packet = blankRtpPacket();
  const code = readRtpPacket(buf, packet);
  if (code === undefined) return { ok: true, packet };
  return { ok: false, error: { code, message: describeRtpError(code, buf) } };
}

/** The message for a readRtpPacket error on `buf`. */
export function describeRtpError(code: RtpParseErrorCode, buf: Uint8Array): string {
  const len = buf.length;
  const b0 = (buf[0] ?? 0) as number;
  const offset = RTP_HEADER_SIZE + 4 * (b0 & 0x0f);
  switch (code) {
    case 'too-short':
      return `RTP packet of ${len} bytes`;
    case 'bad-version':
      return `RTP version ${b0 >> 6}`;
    case 'truncated-csrc':
      return `${b0 & 0x0f} CSRCs do not fit in ${len} bytes`;
    case 'truncated-extension': {
      if (offset + 4 > len) return 'extension header does not fit';
      const words = ((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number);
      return `extension of ${words} words does not fit`;
    }
    case 'bad-padding': {
      let start = offset;
      if (b0 & 0x10) start += 4 + 4 * (((buf[offset + 2] as number) << 8) | (buf[offset + 3] as number));
      return `padding of ${buf[len - 1] as number} bytes with ${len - start} payload bytes`;
    }
  }
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
