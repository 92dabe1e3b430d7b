// Reception statistics for one SSRC (RFC 3550 A.1, A.3, A.8), producing RR report blocks.
import type { RtcpReportBlock } from './rtcp.ts';

export class RtpReceiverStats {
  private readonly clockRate: number;
  private started = false;
  private baseSeq = 0;
  private maxSeq = 0;
  private cycles = 0;
  private received = 0;
  private expectedPrior = 0;
  private receivedPrior = 0;
  private jitter = 0;
  private lastTransit = NaN;
  private lastSrMiddle = 0;
  private lastSrArrivalMs = NaN;
  ssrc = 0;

  constructor(clockRate: number) {
    this.clockRate = clockRate;
  }

  /** Every received RTP packet, with its arrival time (ms, any monotonic clock). */
  onRtp(ssrc: number, sequenceNumber: number, rtpTimestamp: number, arrivalMs: number): void {
    if (!this.started) {
      this.started = true;
      this.ssrc = ssrc;
      this.baseSeq = sequenceNumber;
      this.maxSeq = sequenceNumber;
    } else {
      const delta = (sequenceNumber - this.maxSeq) & 0xffff;
      if (delta > 0 && delta < 0x8000) {
        if (sequenceNumber < this.maxSeq) this.cycles += 0x10000;
        this.maxSeq = sequenceNumber;
      }
    }
    this.received++;
    // Interarrival jitter in timestamp units (A.8); 32-bit arithmetic on the transit time.
    const arrivalTs = (arrivalMs * this.clockRate) / 1000;
    const transit = arrivalTs - rtpTimestamp;
    if (!Number.isNaN(this.lastTransit)) {
      let d = transit - this.lastTransit;
      // timestamps wrap at 2^32; bring the difference back to the nearest representative
      d = (((d % 4294967296) + 4294967296 + 2147483648) % 4294967296) - 2147483648;
      this.jitter += (Math.abs(d) - this.jitter) / 16;
    }
    this.lastTransit = transit;
  }

  /** An SR from this source: NTP seconds/fraction and the arrival time (ms, same clock as onRtp). */
  onSenderReport(ntpSeconds: number, ntpFraction: number, arrivalMs: number): void {
    this.lastSrMiddle = (((ntpSeconds & 0xffff) << 16) | (ntpFraction >>> 16)) >>> 0;
    this.lastSrArrivalMs = arrivalMs;
  }

  get extendedHighestSeq(): number {
    return (this.cycles + this.maxSeq) >>> 0;
  }

  get cumulativeLost(): number {
    if (!this.started) return 0;
    const expected = this.cycles + this.maxSeq - this.baseSeq + 1;
    return expected - this.received;
  }

  /** A report block for `nowMs`; also starts a new loss-fraction interval. */
  reportBlock(nowMs: number): RtcpReportBlock {
    const expected = this.started ? this.cycles + this.maxSeq - this.baseSeq + 1 : 0;
    const expectedInterval = expected - this.expectedPrior;
    const receivedInterval = this.received - this.receivedPrior;
    this.expectedPrior = expected;
    this.receivedPrior = this.received;
    const lostInterval = expectedInterval - receivedInterval;
    const fractionLost = expectedInterval <= 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    const hasSr = !Number.isNaN(this.lastSrArrivalMs);
    return {
      ssrc: this.ssrc,
      fractionLost: Math.min(255, fractionLost),
      cumulativeLost: this.cumulativeLost,
      extendedHighestSeq: this.extendedHighestSeq,
      jitter: Math.floor(this.jitter) >>> 0,
      lastSr: hasSr ? this.lastSrMiddle : 0,
      delaySinceLastSr: hasSr ? Math.max(0, Math.round(((nowMs - this.lastSrArrivalMs) * 65536) / 1000)) >>> 0 : 0,
    };
  }
}
