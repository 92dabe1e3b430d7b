// H.264 over RTP (RFC 6184, packetization-mode=1): consecutive small NAL units share a
// STAP-A, a NAL that does not fit one packet is split into FU-A fragments, and the last
// packet of an access unit carries the marker bit.
import { RtpPacketWriter, type RtpPacketizerOptions } from '../rtp/packetizer.ts';
import { RTP_HEADER_SIZE } from '../rtp/rtp-packet.ts';
import { encodeBase64 } from '../rtp/base64.ts';
import { H264Nal } from './nal.ts';

export class H264Packetizer {
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
      // Try to aggregate this NAL with following ones into a STAP-A.
      let size = 1 + 2 + nal.length;
      let j = i + 1;
      while (j < units.length && size + 2 + (units[j] as Uint8Array).length <= max) {
        size += 2 + (units[j] as Uint8Array).length;
        j++;
      }
      if (j - i >= 2) {
        const last = j === units.length;
        const pkt = this.w.packet(size, timestamp, last);
        let nri = 0;
        for (let k = i; k < j; k++) nri = Math.max(nri, (units[k] as Uint8Array)[0]! & 0x60);
        pkt[RTP_HEADER_SIZE] = nri | H264Nal.stapA;
        let o = RTP_HEADER_SIZE + 1;
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
    const header = nal[0] as number;
    const chunk = this.w.maxPayload - 2;
    let p = 1;
    while (p < nal.length) {
      const n = Math.min(chunk, nal.length - p);
      const start = p === 1;
      const end = p + n === nal.length;
      const pkt = this.w.packet(2 + n, timestamp, end && lastNal);
      pkt[RTP_HEADER_SIZE] = (header & 0xe0) | H264Nal.fuA;
      pkt[RTP_HEADER_SIZE + 1] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | (header & 0x1f);
      pkt.set(nal.subarray(p, p + n), RTP_HEADER_SIZE + 2);
      out.push(pkt);
      p += n;
    }
  }
}

/** fmtp `sprop-parameter-sets` value. */
export function h264SpropParameterSets(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): string {
  return [...sps, ...pps].map(encodeBase64).join(',');
}

/** A complete fmtp parameter list for an SDP `a=fmtp:<pt>` line. */
export function h264Fmtp(sps: readonly Uint8Array[], pps: readonly Uint8Array[]): string {
  const first = sps[0];
  const pli = first && first.length >= 4 ? Array.from(first.subarray(1, 4), (b) => b.toString(16).padStart(2, '0')).join('') : '42e01f';
  return `packetization-mode=1;profile-level-id=${pli};sprop-parameter-sets=${h264SpropParameterSets(sps, pps)}`;
}
