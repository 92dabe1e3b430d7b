// Shared state of the payload-format packetizers: SSRC, payload type, the running sequence
// number and the size budget per packet.
import { RTP_HEADER_SIZE, writeRtpHeader } from './rtp-packet.ts';

export interface RtpPacketizerOptions {
  readonly ssrc: number;
  readonly payloadType: number;
  /** Largest RTP packet (header included), bytes. Default 1400. */
  readonly mtu?: number;
  /** First sequence number. Default 0. */
  readonly initialSequenceNumber?: number;
}

export class RtpPacketWriter {
  readonly ssrc: number;
  readonly payloadType: number;
  /** Largest payload per packet. */
  readonly maxPayload: number;
  /** Sequence number of the next packet. */
  sequenceNumber: number;

  constructor(options: RtpPacketizerOptions) {
    const mtu = options.mtu ?? 1400;
    if (!(mtu >= RTP_HEADER_SIZE + 16)) throw new RangeError(`mtu ${mtu} is too small`);
    if (!(options.payloadType >= 0 && options.payloadType <= 127)) throw new RangeError(`payload type ${options.payloadType}`);
    this.ssrc = options.ssrc >>> 0;
    this.payloadType = options.payloadType;
    this.maxPayload = mtu - RTP_HEADER_SIZE;
    this.sequenceNumber = (options.initialSequenceNumber ?? 0) & 0xffff;
  }

  /** A new packet with its header written; the caller fills `payloadSize` bytes at offset 12. */
  packet(payloadSize: number, timestamp: number, marker: boolean): Uint8Array {
    const buf = new Uint8Array(RTP_HEADER_SIZE + payloadSize);
    writeRtpHeader(buf, 0, { marker, payloadType: this.payloadType, sequenceNumber: this.sequenceNumber, timestamp: timestamp % 4294967296, ssrc: this.ssrc });
    this.sequenceNumber = (this.sequenceNumber + 1) & 0xffff;
    return buf;
  }
}
