// One coarse interval timer for the periodic work of every RTSP session in the process
// (keep-alive, media-silence check, RTCP receiver reports), instead of three intervals per
// session: at 100 cameras that is one timer callback per tick that checks 300 entries, not
// 300 timers firing on their own. An entry runs when it is due, at most one tick late; the
// tick is the shortest period asked for (bounded), so tests with short periods still run
// on time and a host with default settings ticks once a second.

/** Time and the one interval the ticker uses; a test passes a fake one. */
export interface TickerClock {
  now(): number;
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export const systemTickerClock: TickerClock = {
  now: () => Date.now(),
  setInterval: (fn, ms) => {
    const t = setInterval(fn, ms);
    // the ticker never keeps the process alive: sockets and servers do
    t.unref();
    return t;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

/** Bounds of the tick (ms). */
export const MIN_TICK_MS = 10;
export const MAX_TICK_MS = 1000;

interface Entry {
  readonly everyMs: number;
  dueMs: number;
  readonly run: (nowMs: number) => void;
}

export class PeriodicTicker {
  private readonly entries = new Set<Entry>();
  private handle: unknown;
  private tickMs = 0;

  constructor(private readonly clock: TickerClock = systemTickerClock) {}

  /** Entries registered. */
  get size(): number {
    return this.entries.size;
  }

  /** The current tick (0 while nothing is registered and no interval runs). */
  get currentTickMs(): number {
    return this.tickMs;
  }

  /**
   * Runs `run` every `everyMs`, the first time `everyMs` from now. Returns the function that
   * cancels it (idempotent). An exception from `run` does not stop the other entries.
   */
  every(everyMs: number, run: (nowMs: number) => void): () => void {
    if (!(everyMs > 0)) throw new RangeError(`period ${everyMs}`);
    const entry: Entry = { everyMs, dueMs: this.clock.now() + everyMs, run };
    this.entries.add(entry);
    this.retune();
    return () => {
      if (this.entries.delete(entry)) this.retune();
    };
  }

  private tick(): void {
    const now = this.clock.now();
    for (const e of this.entries) {
      if (now < e.dueMs) continue;
      // a late tick (a busy loop) runs the entry once, not once per missed period
      e.dueMs = Math.max(e.dueMs + e.everyMs, now + e.everyMs / 2);
      try {
        e.run(now);
      } catch (err) {
        queueMicrotask(() => {
          throw err;
        });
      }
    }
  }

  /** Starts, stops or re-periods the interval to the shortest period registered. */
  private retune(): void {
    let shortest = Infinity;
    for (const e of this.entries) if (e.everyMs < shortest) shortest = e.everyMs;
    const want = this.entries.size === 0 ? 0 : Math.max(MIN_TICK_MS, Math.min(MAX_TICK_MS, shortest));
    if (want === this.tickMs) return;
    if (this.handle !== undefined) this.clock.clearInterval(this.handle);
    this.handle = undefined;
    this.tickMs = want;
    if (want > 0) this.handle = this.clock.setInterval(() => this.tick(), want);
  }
}

let shared: PeriodicTicker | undefined;

/** The ticker every RTSP client of the process uses unless given its own. */
export function sharedTicker(): PeriodicTicker {
  shared ??= new PeriodicTicker();
  return shared;
}
