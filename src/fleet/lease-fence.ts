// When a host must stop recording an instance whose lease it may no longer hold (docs/fleet.md,
// Fencing). Times are monotonic (performance.now): a wall clock stepped by NTP, or a process
// paused by SIGSTOP, cannot make a lease look fresher than it is. The server started the lease
// no earlier than the renew request was sent, so that instant is what counts.

export const DEFAULT_LEASE_SECONDS = 30;
/** Stop recording this long before the lease could expire (clock rate, last segment write). */
export const DEFAULT_FENCE_MARGIN_MS = 5000;

export class LeaseClock {
  readonly #leaseMs: number;
  readonly #marginMs: number;
  readonly #now: () => number;
  #validFrom: number;

  constructor(leaseMs: number, marginMs: number, sentAtMs: number, now: () => number = () => performance.now()) {
    this.#leaseMs = leaseMs;
    this.#marginMs = Math.min(marginMs, leaseMs / 3);
    this.#now = now;
    this.#validFrom = sentAtMs;
  }

  /** A renew sent at `sentAtMs` succeeded. */
  renewed(sentAtMs: number): void {
    if (sentAtMs > this.#validFrom) this.#validFrom = sentAtMs;
  }

  /** Monotonic ms of the last request that (re)started the lease. */
  get lastRenewMs(): number {
    return this.#validFrom;
  }

  /** Until when this host may record: the lease's earliest expiry minus the margin. */
  get fenceAtMs(): number {
    return this.#validFrom + this.#leaseMs - this.#marginMs;
  }

  /** True once recording must stop. */
  expired(): boolean {
    return this.#now() >= this.fenceAtMs;
  }

  /** How long a renew sent now may take before it would be too late anyway. */
  remainingMs(): number {
    return Math.max(0, this.fenceAtMs - this.#now());
  }

  /** Whether a renew is due (a third of the lease after the last one). */
  renewDue(): boolean {
    return this.#now() - this.#validFrom >= this.#leaseMs / 3;
  }
}
