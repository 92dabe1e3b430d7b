// One instance's lease blob, `leases/<instance>` (docs/fleet.md, Ownership): acquire, renew,
// release with Blob Storage's own lease primitive, each call under its own deadline.
import { randomUUID } from 'node:crypto';
import { STORAGE_CALL_TIMEOUT_MS, statusOf, type FleetContainer } from './fleet-container.ts';
import { LeaseClock } from './lease-fence.ts';
import type { RecordingFence } from '../types/node.ts';

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
  /** Wall-clock ms of the last request that (re)started the lease: media labels are wall-clock. */
  #validFromWallMs = Date.now();

  constructor(fleet: FleetContainer, instance: string, leaseId: string, clock: LeaseClock, acquiredAtMs: number, now: () => number, sentAtWallMs: number) {
    this.#fleet = fleet;
    this.#validFromWallMs = sentAtWallMs;
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
    const sentAtWall = Date.now();
    try {
      await fleet.call((abortSignal) => fleet.leaseClient(blob, leaseId).acquireLease(timing.leaseSeconds, { abortSignal }));
    } catch (e) {
      if (statusOf(e) === 409) return undefined; // LeaseAlreadyPresent: another host holds it
      throw e;
    }
    const clock = new LeaseClock(timing.leaseSeconds * 1000, timing.fenceMarginMs, sentAt, timing.now);
    const lease = new HeldLease(fleet, instance, leaseId, clock, sentAt, timing.now, sentAtWall);
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
    const startedWall = Date.now();
    const timeout = Math.max(1, Math.min(STORAGE_CALL_TIMEOUT_MS, this.clock.remainingMs()));
    try {
      await this.#fleet.call((abortSignal) => this.#fleet.leaseClient(leaseBlobName(this.instance), this.#leaseId).renewLease({ abortSignal }), timeout);
    } catch (e) {
      const s = statusOf(e);
      if (s === 409 || s === 412) return false; // LeaseIdMismatch / LeaseLost / LeaseNotPresent
      throw e;
    }
    this.clock.renewed(started);
    if (startedWall > this.#validFromWallMs) this.#validFromWallMs = startedWall;
    return true;
  }

  /**
   * For the instance's nodes: media starting after the lease's earliest possible expiry, less the
   * fence margin, is not this host's to keep (a paused host's sockets deliver such media late).
   */
  readonly fence: RecordingFence = {
    allows: (wallClockMs) => wallClockMs < this.#validFromWallMs + (this.clock.fenceAtMs - this.clock.lastRenewMs),
  };

  async release(): Promise<void> {
    try {
      await this.#fleet.call((abortSignal) => this.#fleet.leaseClient(leaseBlobName(this.instance), this.#leaseId).releaseLease({ abortSignal }));
    } catch (e) {
      if (statusOf(e) !== 409 && statusOf(e) !== 412) throw e; // no longer ours: nothing to release
    }
  }
}
