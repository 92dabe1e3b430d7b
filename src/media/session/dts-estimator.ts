// Decode timestamps for video whose RTP timestamps are presentation times (B-frames).
// Frames arrive in decode order; with a reorder depth of N, the k-th decode time is the
// k-th smallest presentation time shifted back by N frame intervals. Frames are held until
// N later frames arrived, so the output lags the input by N frames. The result is strictly
// increasing and never after the frame's own pts.

export interface TimedFrame<T> {
  readonly pts: number;
  readonly item: T;
}

export class DtsEstimator<T> {
  private readonly queue: TimedFrame<T>[] = [];
  /** Presentation times not yet used as a decode time, kept sorted ascending. */
  private readonly sorted: number[] = [];
  private lastDts = -Infinity;
  private lastSortedPts = NaN;
  private frameInterval: number;

  constructor(
    private depth: number,
    defaultFrameInterval: number,
  ) {
    this.frameInterval = defaultFrameInterval;
  }

  /** Changes the reorder depth (a new SPS). Frames held stay in order. */
  setDepth(depth: number): void {
    this.depth = Math.max(0, Math.min(16, depth));
  }

  push(pts: number, item: T): { dts: number; pts: number; item: T }[] {
    this.queue.push({ pts, item });
    let i = this.sorted.length;
    while (i > 0 && (this.sorted[i - 1] as number) > pts) i--;
    this.sorted.splice(i, 0, pts);
    const out: { dts: number; pts: number; item: T }[] = [];
    while (this.queue.length > this.depth) out.push(this.release());
    return out;
  }

  /** Releases every held frame (end of stream, or before a discontinuity). */
  flush(): { dts: number; pts: number; item: T }[] {
    const out: { dts: number; pts: number; item: T }[] = [];
    while (this.queue.length > 0) out.push(this.release());
    return out;
  }

  private release(): { dts: number; pts: number; item: T } {
    const f = this.queue.shift() as TimedFrame<T>;
    const p = this.sorted.shift() as number;
    if (!Number.isNaN(this.lastSortedPts)) {
      const d = p - this.lastSortedPts;
      // Track the frame interval from consecutive presentation times (variable frame rates).
      if (d > 0 && d < this.frameInterval * 8) this.frameInterval = this.frameInterval * 0.8 + d * 0.2;
    }
    this.lastSortedPts = p;
    let dts = p - Math.round(this.depth * this.frameInterval);
    if (dts > f.pts) dts = f.pts;
    if (dts <= this.lastDts) dts = this.lastDts + 1;
    this.lastDts = dts;
    return { dts, pts: f.pts, item: f.item };
  }
}
