// MPEG-4 AAC over RTP (RFC 3640 AAC-hbr: sizelength=13, indexlength=3, indexdeltalength=3):
// as many frames per packet as fit, each packet's timestamp that of its first frame, a
// frame larger than a packet fragmented with the marker on its last fragment.
import { RtpPacketWriter, type RtpPacketizerOptions } from '../rtp/packetizer.ts';
import { RTP_HEADER_SIZE } from '../rtp/rtp-packet.ts';
import { bytesToHex } from './audio-specific-config.ts';

const MAX_FRAME = (1 << 13) - 1;

export interface AacPacketizerOptions extends RtpPacketizerOptions {
  /** Samples per frame, 1024 unless the AudioSpecificConfig says 960. */
  readonly samplesPerFrame?: number;
}

export class AacPacketizer {
  private readonly w: RtpPacketWriter;
  private readonly frameLength: number;

  constructor(options: AacPacketizerOptions) {
    this.w = new RtpPacketWriter(options);
    this.frameLength = options.samplesPerFrame ?? 1024;
  }

  get sequenceNumber(): number {
    return this.w.sequenceNumber;
  }

  /** Packets for consecutive raw AAC frames, the first at `timestamp`. */
  packetize(frames: readonly Uint8Array[], timestamp: number): Uint8Array[] {
    const out: Uint8Array[] = [];
    const max = this.w.maxPayload;
    let i = 0;
    while (i < frames.length) {
      const first = frames[i] as Uint8Array;
      if (first.length > MAX_FRAME) throw new RangeError(`AAC frame of ${first.length} bytes exceeds sizelength=13`);
      const ts = timestamp + i * this.frameLength;
      if (4 + first.length > max) {
        this.fragment(first, ts, out);
        i++;
        continue;
      }
      let size = 2 + 2 + first.length;
      let j = i + 1;
      while (j < frames.length && size + 2 + (frames[j] as Uint8Array).length <= max) {
        size += 2 + (frames[j] as Uint8Array).length;
        j++;
      }
      const n = j - i;
      const pkt = this.w.packet(size, ts, true);
      const bits = 16 * n;
      pkt[RTP_HEADER_SIZE] = bits >> 8;
      pkt[RTP_HEADER_SIZE + 1] = bits & 0xff;
      let h = RTP_HEADER_SIZE + 2;
      let d = h + 2 * n;
      for (let k = i; k < j; k++) {
        const f = frames[k] as Uint8Array;
        pkt[h] = f.length >> 5;
        pkt[h + 1] = (f.length & 0x1f) << 3; // index / index-delta 0
        h += 2;
        pkt.set(f, d);
        d += f.length;
      }
      out.push(pkt);
      i = j;
    }
    return out;
  }

  private fragment(frame: Uint8Array, ts: number, out: Uint8Array[]): void {
    const chunk = this.w.maxPayload - 4;
    for (let p = 0; p < frame.length; p += chunk) {
      const n = Math.min(chunk, frame.length - p);
      const pkt = this.w.packet(4 + n, ts, p + n === frame.length);
      pkt[RTP_HEADER_SIZE] = 0;
      pkt[RTP_HEADER_SIZE + 1] = 16;
      pkt[RTP_HEADER_SIZE + 2] = frame.length >> 5;
      pkt[RTP_HEADER_SIZE + 3] = (frame.length & 0x1f) << 3;
      pkt.set(frame.subarray(p, p + n), RTP_HEADER_SIZE + 4);
      out.push(pkt);
    }
  }
}

/** fmtp for `a=rtpmap:<pt> mpeg4-generic/<rate>/<channels>`. */
export function aacFmtp(audioSpecificConfig: Uint8Array): string {
  return `streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${bytesToHex(audioSpecificConfig)}`;
}
