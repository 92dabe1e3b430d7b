// RTCP compound packets (RFC 3550 6.4–6.6): SR, RR, SDES, BYE parsed; anything else kept
// as `unknown`. Building: a Receiver Report with an SDES CNAME, as RFC 3550 6.1 requires.
import { readU32, writeU32 } from './rtp-packet.ts';
import { ntpToUnixMs } from './ntp.ts';

export interface RtcpReportBlock {
  readonly ssrc: number;
  /** Fraction lost since the previous report, 0..255 (8-bit fixed point). */
  readonly fractionLost: number;
  /** Cumulative packets lost, 24-bit signed. */
  readonly cumulativeLost: number;
  readonly extendedHighestSeq: number;
  readonly jitter: number;
  /** Middle 32 bits of the NTP time of the last SR received, 0 if none. */
  readonly lastSr: number;
  /** Delay since that SR in units of 1/65536 s, 0 if none. */
  readonly delaySinceLastSr: number;
}

export interface RtcpSenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly ntpSeconds: number;
  readonly ntpFraction: number;
  /** NTP time converted to Unix milliseconds. */
  readonly ntpUnixMs: number;
  readonly rtpTimestamp: number;
  readonly packetCount: number;
  readonly octetCount: number;
  readonly reports: readonly RtcpReportBlock[];
}

export interface RtcpReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly RtcpReportBlock[];
}

export interface RtcpSdesItem {
  /** 1 = CNAME, 2 = NAME, … (RFC 3550 6.5). */
  readonly type: number;
  readonly value: string;
}

export interface RtcpSdes {
  readonly type: 'sdes';
  readonly chunks: readonly { readonly ssrc: number; readonly items: readonly RtcpSdesItem[] }[];
}

export interface RtcpBye {
  readonly type: 'bye';
  readonly ssrcs: readonly number[];
  readonly reason?: string;
}

export interface RtcpUnknown {
  readonly type: 'unknown';
  readonly packetType: number;
  /** Body after the 4-byte common header (view). */
  readonly body: Uint8Array;
}

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSdes | RtcpBye | RtcpUnknown;

export type RtcpParseErrorCode = 'too-short' | 'bad-version' | 'bad-length' | 'truncated-body';
export interface RtcpParseError {
  readonly code: RtcpParseErrorCode;
  readonly message: string;
}
export type RtcpParseResult = { readonly ok: true; readonly packets: readonly RtcpPacket[] } | { readonly ok: false; readonly error: RtcpParseError };

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;

const utf8 = new TextDecoder('utf-8', { fatal: false });

function readReportBlocks(buf: Uint8Array, offset: number, count: number): RtcpReportBlock[] {
  const out: RtcpReportBlock[] = [];
  for (let i = 0; i < count; i++) {
    const o = offset + 24 * i;
    const lostRaw = ((buf[o + 5] as number) << 16) | ((buf[o + 6] as number) << 8) | (buf[o + 7] as number);
    out.push({
      ssrc: readU32(buf, o),
      fractionLost: buf[o + 4] as number,
      cumulativeLost: lostRaw & 0x800000 ? lostRaw - 0x1000000 : lostRaw,
      extendedHighestSeq: readU32(buf, o + 8),
      jitter: readU32(buf, o + 12),
      lastSr: readU32(buf, o + 16),
      delaySinceLastSr: readU32(buf, o + 20),
    });
  }
  return out;
}

function parseSdes(body: Uint8Array, count: number): RtcpSdes | undefined {
  const chunks: { ssrc: number; items: RtcpSdesItem[] }[] = [];
  let o = 0;
  for (let c = 0; c < count; c++) {
    if (o + 4 > body.length) return undefined;
    const ssrc = readU32(body, o);
    o += 4;
    const items: RtcpSdesItem[] = [];
    for (;;) {
      if (o >= body.length) return undefined;
      const type = body[o] as number;
      if (type === 0) {
        o = (o + 4) & ~3; // the null item pads the chunk to a 32-bit boundary
        break;
      }
      if (o + 2 > body.length) return undefined;
      const len = body[o + 1] as number;
      if (o + 2 + len > body.length) return undefined;
      items.push({ type, value: utf8.decode(body.subarray(o + 2, o + 2 + len)) });
      o += 2 + len;
    }
    chunks.push({ ssrc, items });
  }
  return { type: 'sdes', chunks };
}

/** Parses a compound RTCP packet. Never throws. Lenient on the first-packet-type rule. */
export function parseRtcpCompound(buf: Uint8Array): RtcpParseResult {
  if (buf.length < 4) return { ok: false, error: { code: 'too-short', message: `RTCP of ${buf.length} bytes` } };
  const packets: RtcpPacket[] = [];
  let o = 0;
  while (o < buf.length) {
    if (buf.length - o < 4) return { ok: false, error: { code: 'too-short', message: `${buf.length - o} trailing bytes` } };
    const b0 = buf[o] as number;
    if (b0 >> 6 !== 2) return { ok: false, error: { code: 'bad-version', message: `RTCP version ${b0 >> 6}` } };
    const count = b0 & 0x1f;
    const pt = buf[o + 1] as number;
    const size = 4 * ((((buf[o + 2] as number) << 8) | (buf[o + 3] as number)) + 1);
    if (o + size > buf.length) return { ok: false, error: { code: 'bad-length', message: `packet of ${size} bytes at ${o} exceeds ${buf.length}` } };
    let end = o + size;
    if (b0 & 0x20) {
      const pad = buf[end - 1] as number;
      if (pad === 0 || pad > size - 4) return { ok: false, error: { code: 'bad-length', message: `bad padding ${pad}` } };
      end -= pad;
    }
    const body = buf.subarray(o + 4, end);
    const truncated = (what: string): RtcpParseResult => ({
      ok: false,
      error: { code: 'truncated-body', message: `${what} does not fit in ${body.length} bytes` },
    });
    if (pt === RTCP_SR) {
      if (body.length < 24 + 24 * count) return truncated(`SR with ${count} blocks`);
      const ntpSeconds = readU32(body, 4);
      const ntpFraction = readU32(body, 8);
      packets.push({
        type: 'sr',
        ssrc: readU32(body, 0),
        ntpSeconds,
        ntpFraction,
        ntpUnixMs: ntpToUnixMs(ntpSeconds, ntpFraction),
        rtpTimestamp: readU32(body, 12),
        packetCount: readU32(body, 16),
        octetCount: readU32(body, 20),
        reports: readReportBlocks(body, 24, count),
      });
    } else if (pt === RTCP_RR) {
      if (body.length < 4 + 24 * count) return truncated(`RR with ${count} blocks`);
      packets.push({ type: 'rr', ssrc: readU32(body, 0), reports: readReportBlocks(body, 4, count) });
    } else if (pt === RTCP_SDES) {
      const sdes = parseSdes(body, count);
      if (!sdes) return truncated(`SDES with ${count} chunks`);
      packets.push(sdes);
    } else if (pt === RTCP_BYE) {
      if (body.length < 4 * count) return truncated(`BYE with ${count} sources`);
      const ssrcs: number[] = [];
      for (let i = 0; i < count; i++) ssrcs.push(readU32(body, 4 * i));
      const r = 4 * count;
      if (r < body.length) {
        const len = body[r] as number;
        if (r + 1 + len > body.length) return truncated('BYE reason');
        packets.push({ type: 'bye', ssrcs, reason: utf8.decode(body.subarray(r + 1, r + 1 + len)) });
      } else {
        packets.push({ type: 'bye', ssrcs });
      }
    } else {
      packets.push({ type: 'unknown', packetType: pt, body });
    }
    o += size;
  }
  return { ok: true, packets };
}

const utf8Encoder = new TextEncoder();

/**
 * Builds a compound RTCP packet: RR from `senderSsrc` with the given report blocks
 * (at most 31), followed by SDES CNAME when `cname` is given.
 */
export function buildReceiverReport(senderSsrc: number, blocks: readonly RtcpReportBlock[], cname?: string): Uint8Array {
  if (blocks.length > 31) throw new RangeError(`an RR holds at most 31 report blocks, got ${blocks.length}`);
  const rrSize = 8 + 24 * blocks.length;
  let sdesSize = 0;
  let cnameBytes: Uint8Array | undefined;
  if (cname !== undefined) {
    cnameBytes = utf8Encoder.encode(cname).subarray(0, 255);
    // header 4 + ssrc 4 + item (2 + len) + at least one null byte, padded to 4
    sdesSize = (8 + 2 + cnameBytes.length + 1 + 3) & ~3;
  }
  const out = new Uint8Array(rrSize + sdesSize);
  out[0] = 0x80 | blocks.length;
  out[1] = RTCP_RR;
  out[2] = ((rrSize / 4 - 1) >> 8) & 0xff;
  out[3] = (rrSize / 4 - 1) & 0xff;
  writeU32(out, 4, senderSsrc);
  blocks.forEach((b, i) => {
    const o = 8 + 24 * i;
    writeU32(out, o, b.ssrc);
    out[o + 4] = Math.max(0, Math.min(255, b.fractionLost)) & 0xff;
    // clamp to the 24-bit signed range as RFC 3550 6.4.1 asks
    const lost = Math.max(-0x800000, Math.min(0x7fffff, b.cumulativeLost)) & 0xffffff;
    out[o + 5] = (lost >> 16) & 0xff;
    out[o + 6] = (lost >> 8) & 0xff;
    out[o + 7] = lost & 0xff;
    writeU32(out, o + 8, b.extendedHighestSeq);
    writeU32(out, o + 12, b.jitter);
    writeU32(out, o + 16, b.lastSr);
    writeU32(out, o + 20, b.delaySinceLastSr);
  });
  if (cnameBytes) {
    const o = rrSize;
    out[o] = 0x81;
    out[o + 1] = RTCP_SDES;
    out[o + 2] = ((sdesSize / 4 - 1) >> 8) & 0xff;
    out[o + 3] = (sdesSize / 4 - 1) & 0xff;
    writeU32(out, o + 4, senderSsrc);
    out[o + 8] = 1;
    out[o + 9] = cnameBytes.length;
    out.set(cnameBytes, o + 10);
    // remaining bytes are already zero: the null item and padding
  }
  return out;
}
