// H.264 over RTP (RFC 6184, packetization-mode=1): consecutive small NAL units share a
// STAP-A, a NAL that does not fit one packet is split into FU-A fragments, and the last
// packet of an access unit carries the marker bit.
import type { RtpPacketizerOptions } from '../rtp/packetizer.ts';
import { NalUnitPacketizer, type NalPayloadFormat } from '../rtp/nal-packetizer.ts';
import { encodeBase64 } from '../rtp/base64.ts';
import { H264Nal } from './nal.ts';

/** STAP-A and FU-A headers (RFC 6184 §5.7.1, §5.8). */
const H264_FORMAT: NalPayloadFormat = {
  nalHeaderSize: 1,
  writeAggregationHeader(units, pkt, at) {
    let nri = 0;
    for (const u of units) nri = Math.max(nri, (u[0] as number) & 0x60);
    pkt[at] = nri | H264Nal.stapA;
  },
  writeFragmentHeader(nal, start, end, pkt, at) {
    const header = nal[0] as number;
    pkt[at] = (header & 0xe0) | H264Nal.fuA;
    pkt[at + 1] = (start ? 0x80 : 0) | (end ? 0x40 : 0) | (header & 0x1f);
  },
};

export class H264Packetizer extends NalUnitPacketizer {
  constructor(options: RtpPacketizerOptions) {
    super(H264_FORMAT, options);
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
