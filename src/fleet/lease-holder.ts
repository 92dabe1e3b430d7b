// One instance's lease blob, `leases/<instance>` (docs/fleet.md, Ownership): acquire, renew,
// release with Blob Storage's own lease primitive, each call under its own deadline.
import { randomUUID } from 'node:crypto';
import { STORAGE_CALL_TIMEOUT_MS, statusOf, type FleetContainer } from './fleet-container.ts';
import { LeaseClock } from './lease-fence.ts';

export const LEASES = 'leases/';

export function leaseBlobName(instance: string): string {
  return `${LEASES}${encodeURIComponent(instance.toLowerCase())}`;
}

export interface LeaseTiming {
  readonly leaseSeconds: number;
  readonly fenceMarginMs: number;
  readonly now: () => number;
}

/** Who held the lease before (blob metadata), to tell a takeover from a first start. */
export interface PreviousOwner {
  readonly host?: string;
}

export class HeldLease {
  readonly instance: string;
  readonly clock: LeaseClock;
  /** Wall-clock ISO time this host took it. */
  readonly ownedSince: string;
  readonly acquiredAtMs: number;
  readonly #fleet: FleetContainer;
  readonly #leaseId: string;
  readonly #now: () => number;

  constructor(fleet: FleetContainer, instance: string, leaseId: string, clock: LeaseClock, acquiredAtMs: number, now: () => number) {
    this.#fleet = fleet;
    this.#now = now;
    this.instance = instance;
    this.#leaseId = leaseId;
    this.clock = clock;
    this.acquiredAtMs = acquiredAtMs;
    this.ownedSince = new Date().toISOString();
  }

  /**
   * Tries to take the instance's lease. Undefined when another host holds it. The previous
   * owner (if the blob names one) comes back so that a takeover can record its gap.
   */
  static async acquire(
    fleet: FleetContainer,
    instance: string,
    hostId: string,
    timing: LeaseTiming,
  ): Promise<{ lease: HeldLease; previous: PreviousOwner } | undefined> {
    const blob = leaseBlobName(instance);
    await fleet.ensureBlob(blob);
    const leaseId = randomUUID();
    const sentAt = timing.now();
    try {
      await fleet.call((abortSignal) => fleet.leaseClient(blob, leaseId).acquireLease(timing.leaseSeconds, { abortSignal }));
    } catch (e) {
      if (statusOf(e) === 409) return undefined; // LeaseAlreadyPresent: another host holds it
      throw e;
    }
    const clock = new LeaseClock(timing.leaseSeconds * 1000, timing.fenceMarginMs, sentAt, timing.now);
    const lease = new HeldLease(fleet, instance, leaseId, clock, sentAt, timing.now);
    try {
      const listed = (await fleet.list(blob)).find((b) => b.name === blob);
      const previous = listed?.metadata['owner'] ? { host: listed.metadata['owner'] } : {};
      await fleet.setMetadata(blob, { owner: hostId, since: lease.ownedSince }, leaseId);
      return { lease, previous };
    } catch (e) {
      // not recorded as ours: give it back rather than hold it unused until it expires
      await lease.release().catch(() => undefined);
      throw e;
    }
  }

  /** Renews; false when the lease is gone (expired and taken, or broken). Throws on a store failure. */
  async renew(): Promise<boolean> {
    const started = this.#now();
    const timeout = Math.max(1, Math.min(STORAGE_CALL_TIMEOUT_MS, this.clock.remainingMs()));
    try {
      await this.#fleet.call((abortSignal) => this.#fleet.leaseClient(leaseBlobName(this.instance), this.#leaseId).renewLease({ abortSignal }), timeout);
    } catch (e) {
      const s = statusOf(e);
      if (s === 409 || s === 412) return false; // LeaseIdMismatch / LeaseLost / LeaseNotPresent
      throw e;
    }
    this.clock.renewed(started);
    return true;
  }

  async release(): Promise<void> {
    try {
      await this.#fleet.call((abortSignal) => this.#fleet.leaseClient(leaseBlobName(this.instance), this.#leaseId).releaseLease({ abortSignal }));
    } catch (e) {
      if (statusOf(e) !== 409 && statusOf(e) !== 412) throw e; // no longer ours: nothing to release
    }
  }
}
