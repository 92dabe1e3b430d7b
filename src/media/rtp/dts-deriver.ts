// RTP carries presentation time only; MP4 needs decode time. With a reorder depth of N
// (H.264 max_num_reorder_frames, H.265 sps_max_num_reorder_pics), the picture decoded k-th
// is presented no earlier than the (k−N)-th smallest pts, and that value is already known
// when picture k arrives. So dts(k) = the (k−N)-th smallest pts seen: no added latency,
// dts ≤ pts, strictly increasing. The first N pictures extrapolate backwards by one frame
// duration each. A stream that reorders deeper than announced raises N and is counted.
// A pts jump beyond the jump limit restarts the derivation and sets `restarted`.

export interface DtsDeriverOptions {
  /** Reorder depth in frames; default 4 when the stream does not say (0 for no B-frames). */
  readonly reorderDepth?: number;
  /** Nominal frame duration in clock ticks (clockRate / fps); default clockRate / 25. */
  readonly frameDuration?: number;
  /** Clock rate, for the jump limit. Default 90000. */
  readonly clockRate?: number;
  /** A pts this far (seconds) from the last dts restarts the derivation. Default 10. */
  readonly jumpLimitSeconds?: number;
}

const MAX_DEPTH = 16;

export class DtsDeriver {
  private depth: number;
  private frameDuration: number;
  private readonly jumpLimit: number;
  /** Pending pts values, ascending; at most depth + 1 entries. */
  private readonly pending: number[] = [];
  private lastDts = NaN;
  /** Frames whose dts had to exceed pts (reordering deeper than the depth in use). */
  violations = 0;
  /** Restarts because pts jumped by more than the jump limit. */
  restarts = 0;
  /**
   * True when the last next() restarted the derivation (a pts jump such as a camera reboot):
   * dts may then go backwards, and the caller should signal a discontinuity.
   */
  restarted = false;

  constructor(options: DtsDeriverOptions = {}) {
    const clockRate = options.clockRate ?? 90000;
    this.depth = clampDepth(options.reorderDepth ?? 4);
    this.frameDuration = options.frameDuration && options.frameDuration > 0 ? options.frameDuration : clockRate / 25;
    this.jumpLimit = (options.jumpLimitSeconds ?? 10) * clockRate;
  }

  get reorderDepth(): number {
    return this.depth;
  }

  /** New SPS: new depth and frame duration (undefined keeps the current value). */
  configure(reorderDepth: number | undefined, frameDuration: number | undefined): void {
    if (reorderDepth !== undefined) this.depth = clampDepth(reorderDepth);
    if (frameDuration !== undefined && frameDuration > 0) this.frameDuration = frameDuration;
    while (this.pending.length > this.depth + 1) this.pending.shift();
  }

  /** Decode time for the next access unit in decoding order, given its pts. */
  next(pts: number): number {
    const pending = this.pending;
    this.restarted = false;
    if (!Number.isNaN(this.lastDts) && (pts - this.lastDts > this.jumpLimit || this.lastDts - pts > this.jumpLimit)) {
      this.reset();
      this.restarts++;
      this.restarted = true;
    }
    // sorted insert; the list is at most 17 long
    let i = pending.length;
    pending.push(pts);
    while (i > 0 && (pending[i - 1] as number) > pts) {
      pending[i] = pending[i - 1] as number;
      i--;
    }
    pending[i] = pts;

    let candidate: number;
    if (pending.length > this.depth) {
      candidate = pending.shift() as number;
    } else {
      candidate = (pending[0] as number) - (this.depth + 1 - pending.length) * this.frameDuration;
    }
    let dts = candidate;
    if (!Number.isNaN(this.lastDts) && dts <= this.lastDts) {
      dts = this.lastDts + 1;
      if (dts > pts) {
        this.violations++;
        if (this.depth < MAX_DEPTH) this.depth++;
      }
    }
    this.lastDts = dts;
    return dts;
  }

  reset(): void {
    this.pending.length = 0;
    this.lastDts = NaN;
  }
}

function clampDepth(n: number): number {
  return Math.max(0, Math.min(MAX_DEPTH, Math.floor(n)));
}
