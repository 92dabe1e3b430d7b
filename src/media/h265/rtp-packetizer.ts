// H.265 over RTP (RFC 7798, no DONL): consecutive small NAL units share an aggregation
// packet (AP), a NAL that does not fit is split into fragmentation units (FU), and the last
// packet of an access unit carries the marker bit.
import { RtpPacketWriter, type RtpPacketizerOptions } from '../rtp/packetizer.ts';
import { RTP_HEADER_SIZE } from '../rtp/rtp-packet.ts';
import { encodeBase64 } from '../rtp/base64.ts';
import { H265Nal } from './nal.ts';

export class H265Packetizer {
  private readonly w: RtpPacketWriter;

  constructor(options: RtpPacketizerOptions) {
    this.w = new RtpPacketWriter(options);
  }

  get sequenceNumber(): number {
    return this.w.sequenceNumber;
  }

  /** Packets for one access unit (NAL units without start codes), in order. */
  packetize(units: readonly Uint8Array[], timestamp: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const max = this.w.maxPayload;
    let i = 0;
    while (i < units.length) {
      const nal = units[i] as Uint8Array;
      let size = 2 + 2 + nal.length;
      let j = i + 1;
      while (j < units.length && size + 2 + (units[j] as Uint8Array).length <= max) {
        size += 2 + (units[j] as Uint8Array).length;
        j++;
      }
      if (j - i >= 2) {
        const pkt = this.w.packet(size, timestamp, j === units.length);
        // AP header: F = OR of F bits, LayerId and TID = the lowest of the aggregated units
        let f = 0;
        let layer = 63;
        let tid = 7;
        for (let k = i; k < j; k++) {
          const u = units[k] as Uint8Array;
          f |= (u[0] as number) & 0x80;
          layer = Math.min(layer, (((u[0] as number) & 1) << 5) | ((u[1] as number) >> 3));
          tid = Math.min(tid, (u[1] as number) & 7);
        }
        pkt[RTP_HEADER_SIZE] = f | (H265Nal.ap << 1) | (layer >> 5);
        pkt[RTP_HEADER_SIZE + 1] = ((layer & 0x1f) << 3) | tid;
        let o = RTP_HEADER_SIZE + 2;
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
        const pkt = this.w.packet(nal.length, timestamp, last);
        pkt.set(nal, RTP_HEADER_SIZE);
        out.push(pkt);
      } else {
        this.fragment(nal, timestamp, last, out);
      }
      i++;
    }
    return out;
  }

  private fragment(nal: Uint8Array, timestamp: number, lastNal: boolean, out: Uint8Array[]): void {
    const h0 = nal[0] as number;
    const h1 = nal[1] as number;
    const type = (h0 >> 1) & 0x3f;
    const chunk = this.w.maxPayload - 3;
    let p = 2;
    while (p < nal.length) {
      const n = Math.min(chunk, nal.length - p);
      const start = p === 2;
      const end = p + n === nal.length;
      const pkt = this.w.packet(3 + n, timestamp, end && lastNal);
      pkt[RTP_HEADER_SIZE] = (h0 & 0x81) | (H265Nal.fu << 1);
      pkt[RTP_HEADER_SIZE + 1] = h1;
      pkt[RTP_HEADER_SIZE + 2] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | type;
      pkt.set(nal.subarray(p, p + n), RTP_HEADER_SIZE + 3);
      out.push(pkt);
      p += n;
    }
  }
}

/** fmtp parameters `sprop-vps=…;sprop-sps=…;sprop-pps=…`. */
export function h265Fmtp(vps: readonly Uint8Array[], sps: readonly Uint8Array[], pps: readonly Uint8Array[]): string {
  const b = (l: readonly Uint8Array[]) => l.map(encodeBase64).join(',');
  return `sprop-vps=${b(vps)};sprop-sps=${b(sps)};sprop-pps=${b(pps)}`;
}
