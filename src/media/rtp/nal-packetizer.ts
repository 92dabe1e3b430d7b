// The packetization both H.264 (RFC 6184) and H.265 (RFC 7798) use: consecutive small NAL
// units share an aggregation packet, a NAL unit that does not fit is split into
// fragmentation units, and the last packet of an access unit carries the marker bit. The
// formats differ only in their header bytes, which a NalPayloadFormat writes.
import { RtpPacketWriter, type RtpPacketizerOptions } from './packetizer.ts';
import { RTP_HEADER_SIZE } from './rtp-packet.ts';

export interface NalPayloadFormat {
  /** Bytes of the NAL unit header (1 for H.264, 2 for H.265). */
  readonly nalHeaderSize: number;
  /** Writes the aggregation packet's payload header (`nalHeaderSize` bytes) for `units`. */
  writeAggregationHeader(units: readonly Uint8Array[], pkt: Uint8Array, at: number): void;
  /** Writes a fragmentation unit's headers (`nalHeaderSize + 1` bytes) for `nal`. */
  writeFragmentHeader(nal: Uint8Array, start: boolean, end: boolean, pkt: Uint8Array, at: number): void;
}

export function packetizeNalUnits(w: RtpPacketWriter, format: NalPayloadFormat, units: readonly Uint8Array[], timestamp: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  const max = w.maxPayload;
  let i = 0;
  while (i < units.length) {
    const nal = units[i] as Uint8Array;
    let size = format.nalHeaderSize + 2 + nal.length;
    let j = i + 1;
    while (j < units.length && size + 2 + (units[j] as Uint8Array).length <= max) {
      size += 2 + (units[j] as Uint8Array).length;
      j++;
    }
    if (j - i >= 2) {
      const pkt = w.packet(size, timestamp, j === units.length);
      format.writeAggregationHeader(units.slice(i, j), pkt, RTP_HEADER_SIZE);
      let o = RTP_HEADER_SIZE + format.nalHeaderSize;
      for (let k = i; k < j; k++) {
        const u = units[k] as Uint8Array;
        pkt[o] = u.length >> 8;
        pkt[o + 1] = u.length & 0xff;
        pkt.set(u, o + 2);
        o += 2 + u.length;
      }
      out.push(pkt);
      i = j;
      continue;
    }
    const last = i === units.length - 1;
    if (nal.length <= max) {
      const pkt = w.packet(nal.length, timestamp, last);
      pkt.set(nal, RTP_HEADER_SIZE);
      out.push(pkt);
    } else {
      fragment(w, format, nal, timestamp, last, out);
    }
    i++;
  }
  return out;
}

function fragment(w: RtpPacketWriter, format: NalPayloadFormat, nal: Uint8Array, timestamp: number, lastNal: boolean, out: Uint8Array[]): void {
  const headers = format.nalHeaderSize + 1;
  const chunk = w.maxPayload - headers;
  let p = format.nalHeaderSize;
  while (p < nal.length) {
    const n = Math.min(chunk, nal.length - p);
    const start = p === format.nalHeaderSize;
    const end = p + n === nal.length;
    const pkt = w.packet(headers + n, timestamp, end && lastNal);
    format.writeFragmentHeader(nal, start, end, pkt, RTP_HEADER_SIZE);
    pkt.set(nal.subarray(p, p + n), RTP_HEADER_SIZE + headers);
    out.push(pkt);
    p += n;
  }
}

/** An RTP packetizer for one NAL-based payload format, with its own sequence numbers. */
export class NalUnitPacketizer {
  private readonly w: RtpPacketWriter;

  constructor(
    private readonly format: NalPayloadFormat,
    options: RtpPacketizerOptions,
  ) {
    this.w = new RtpPacketWriter(options);
  }

  get sequenceNumber(): number {
    return this.w.sequenceNumber;
  }

  /** Packets for one access unit (NAL units without start codes), in order. */
  packetize(units: readonly Uint8Array[], timestamp: number): Uint8Array[] {
    return packetizeNalUnits(this.w, this.format, units, timestamp);
  }
}
