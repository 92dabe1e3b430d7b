// H.265 over RTP (RFC 7798, no DONL): consecutive small NAL units share an aggregation
// packet (AP), a NAL that does not fit is split into fragmentation units (FU), and the last
// packet of an access unit carries the marker bit.
import type { RtpPacketizerOptions } from '../rtp/packetizer.ts';
import { NalUnitPacketizer, type NalPayloadFormat } from '../rtp/nal-packetizer.ts';
import { encodeBase64 } from '../rtp/base64.ts';
import { H265Nal } from './nal.ts';

/** AP and FU headers (RFC 7798 §4.4.2, §4.4.3); no DONL. */
const H265_FORMAT: NalPayloadFormat = {
  nalHeaderSize: 2,
  writeAggregationHeader(units, pkt, at) {
    // F = OR of the F bits; LayerId and TID = the lowest of the aggregated units
    let f = 0;
    let layer = 63;
    let tid = 7;
    for (const u of units) {
      f |= (u[0] as number) & 0x80;
      layer = Math.min(layer, (((u[0] as number) & 1) << 5) | ((u[1] as number) >> 3));
      tid = Math.min(tid, (u[1] as number) & 7);
    }
    pkt[at] = f | (H265Nal.ap << 1) | (layer >> 5);
    pkt[at + 1] = ((layer & 0x1f) << 3) | tid;
  },
  writeFragmentHeader(nal, start, end, pkt, at) {
    const h0 = nal[0] as number;
    pkt[at] = (h0 & 0x81) | (H265Nal.fu << 1);
    pkt[at + 1] = nal[1] as number;
    pkt[at + 2] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | ((h0 >> 1) & 0x3f);
  },
};

export class H265Packetizer extends NalUnitPacketizer {
  constructor(options: RtpPacketizerOptions) {
    super(H265_FORMAT, options);
  }
}

/** fmtp parameters `sprop-vps=…;sprop-sps=…;sprop-pps=…`. */
export function h265Fmtp(vps: readonly Uint8Array[], sps: readonly Uint8Array[], pps: readonly Uint8Array[]): string {
  const b = (l: readonly Uint8Array[]) => l.map(encodeBase64).join(',');
  return `sprop-vps=${b(vps)};sprop-sps=${b(sps)};sprop-pps=${b(pps)}`;
}
