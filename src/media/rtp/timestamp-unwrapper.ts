// Extends 32-bit RTP timestamps to a 64-bit-safe JS number. Each value is placed at the
// signed 32-bit distance from the previous one, so wraps at 2^32 go forward and small
// backward steps (B-frame pts, repeated timestamps) stay small steps back.

/** The first timestamp maps to itself plus this offset, so early backward steps stay positive. */
export const UNWRAP_ORIGIN = 2 ** 32;

export class TimestampUnwrapper {
  private last32 = -1;
  private lastExtended = 0;

  /** Returns the extended timestamp for a 32-bit RTP timestamp. */
  unwrap(ts32: number): number {
    ts32 >>>= 0;
    if (this.last32 < 0) {
      this.last32 = ts32;
      this.lastExtended = UNWRAP_ORIGIN + ts32;
      return this.lastExtended;
    }
    const diff = ((ts32 - this.last32 + 0x80000000) >>> 0) - 0x80000000;
    this.last32 = ts32;
    this.lastExtended += diff;
    return this.lastExtended;
  }

  /** Extends a timestamp relative to the last one without moving the reference (for RTCP SR). */
  peek(ts32: number): number {
    ts32 >>>= 0;
    if (this.last32 < 0) return UNWRAP_ORIGIN + ts32;
    return this.lastExtended + (((ts32 - this.last32 + 0x80000000) >>> 0) - 0x80000000);
  }

  get started(): boolean {
    return this.last32 >= 0;
  }

  reset(): void {
    this.last32 = -1;
    this.lastExtended = 0;
  }
}
