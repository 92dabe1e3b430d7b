// Maps extended RTP timestamps to Unix milliseconds. RTCP sender reports give the sender's
// NTP time for an RTP timestamp; cameras without NTP send times that are years off, so an SR
// is used only when its NTP time is within `maxSkewMs` of our own clock at arrival.
// Otherwise the first packet's arrival time anchors the track. No clock is read here: every
// call carries the caller's arrival time. A frame cannot have been captured after it arrived:
// `captureTimeMs` never dates media later than the latest packet's arrival, so a camera whose
// clock or media runs fast (a simulated camera at N× speed, an SR a few minutes ahead) never
// produces recordings dated in the future.

export interface WallClockAnchorOptions {
  /** RTP clock rate of the track (90000 for video). */
  readonly clockRate: number;
  /** Largest accepted |SR NTP time − arrival time|, ms. Default 10 minutes. */
  readonly maxSkewMs?: number;
}

export type AnchorSource = 'none' | 'arrival' | 'rtcp';

export type SenderReportVerdict = 'accepted' | 'implausible' | 'no-packets-yet';

export class WallClockAnchor {
  private readonly clockRate: number;
  private readonly maxSkewMs: number;
  private anchorTs = 0;
  private anchorMs = 0;
  private lastExtended = NaN;
  private lastTs32 = 0;
  private lastArrivalMs = NaN;
  source: AnchorSource = 'none';
  /** SRs rejected as implausible so far. */
  rejected = 0;

  constructor(options: WallClockAnchorOptions) {
    if (!(options.clockRate > 0)) throw new RangeError(`clockRate ${options.clockRate}`);
    this.clockRate = options.clockRate;
    this.maxSkewMs = options.maxSkewMs ?? 600_000;
  }

  /** Every packet (or access unit): its extended timestamp, its 32-bit form and arrival time. */
  onPacket(extendedTs: number, arrivalMs: number): void {
    if (this.source === 'none') {
      this.source = 'arrival';
      this.anchorTs = extendedTs;
      this.anchorMs = arrivalMs;
    }
    this.lastExtended = extendedTs;
    this.lastTs32 = extendedTs % 4294967296;
    if (!(arrivalMs < this.lastArrivalMs)) this.lastArrivalMs = arrivalMs;
  }

  /**
   * An SR for this track: its NTP time (Unix ms), its 32-bit RTP timestamp, and when it
   * arrived (Unix ms by the host clock). The SR's timestamp is extended next to the latest
   * packet's, so it needs at least one packet first.
   */
  onSenderReport(ntpUnixMs: number, rtpTimestamp32: number, arrivalMs: number): SenderReportVerdict {
    if (Number.isNaN(this.lastExtended)) return 'no-packets-yet';
    if (!Number.isFinite(ntpUnixMs) || Math.abs(ntpUnixMs - arrivalMs) > this.maxSkewMs) {
      this.rejected++;
      return 'implausible';
    }
    const diff = (((rtpTimestamp32 >>> 0) - this.lastTs32 + 0x80000000) >>> 0) - 0x80000000;
    this.anchorTs = this.lastExtended + diff;
    this.anchorMs = ntpUnixMs;
    this.source = 'rtcp';
    return 'accepted';
  }

  /** Unix ms of an extended timestamp; NaN before the first packet. */
  toWallClockMs(extendedTs: number): number {
    if (this.source === 'none') return NaN;
    return this.anchorMs + ((extendedTs - this.anchorTs) * 1000) / this.clockRate;
  }

  /**
   * When the media at `extendedTs` was captured: its wall clock, but no later than the latest
   * packet's arrival (media that arrived cannot be from the future). NaN before the first packet.
   */
  captureTimeMs(extendedTs: number): number {
    const ms = this.toWallClockMs(extendedTs);
    return ms > this.lastArrivalMs ? this.lastArrivalMs : ms;
  }
}
