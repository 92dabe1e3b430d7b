// A fleet host's round (docs/fleet.md): every few seconds it checks its leases against the
// monotonic clock (fencing), renews those due, reads the shared definitions, writes its
// heartbeat, and takes or gives up leases (lease-balance.ts). Recording follows the leases
// through the host's startOwned/stopOwned. Plain timers, no RxJS.
import type { Logger } from '../types/logger.ts';
import type { MediaGraphHost } from '../runtime/host.ts';
import type { FleetContainer } from './fleet-container.ts';
import type { SharedDefinitionStore } from './shared-definition-store.ts';
import { HeldLease, type LeaseTiming } from './lease-holder.ts';
import { balanceRound } from './lease-balance.ts';
import { buildFleetView, heartbeatBlobName, leasedInstances, readHeartbeats, type FleetView, type HostHeartbeat } from './fleet-view.ts';
import type { HandoverGapWriter } from './handover-gap.ts';
import type { FleetSettings } from './fleet-settings.ts';

/** The host's fleet settings (fleet-settings.ts) less the container, which the caller opened. */
export type FleetCoordinatorOptions = Omit<FleetSettings, 'container'> & { readonly now?: () => number };

export class FleetCoordinator {
  readonly #host: MediaGraphHost;
  readonly #fleet: FleetContainer;
  readonly #definitions: SharedDefinitionStore;
  readonly #handover: HandoverGapWriter | undefined;
  readonly #logger: Logger;
  readonly #opts: FleetCoordinatorOptions;
  readonly #timing: LeaseTiming;
  readonly #owned = new Map<string, HeldLease>();
  /** Lease key → monotonic ms until which this host does not take it back. */
  readonly #cooldown = new Map<string, number>();
  /** Lease key → monotonic ms since when it is seen unowned. */
  readonly #unownedSince = new Map<string, number>();
  #roundTimer: NodeJS.Timeout | undefined;
  #fenceTimer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #renewing: Promise<void> | undefined;
  #stopped = false;

  constructor(
    host: MediaGraphHost,
    fleet: FleetContainer,
    definitions: SharedDefinitionStore,
    handover: HandoverGapWriter | undefined,
    logger: Logger,
    opts: FleetCoordinatorOptions,
  ) {
    this.#host = host;
    this.#fleet = fleet;
    this.#definitions = definitions;
    this.#handover = handover;
    this.#logger = logger;
    this.#opts = opts;
    this.#timing = { leaseSeconds: opts.leaseSeconds, fenceMarginMs: opts.fenceMarginMs, now: opts.now ?? (() => performance.now()) };
  }

  get hostId(): string {
    return this.#opts.hostId;
  }

  /** Writes the first heartbeat, then runs rounds until drain(). */
  async start(): Promise<void> {
    await this.#heartbeat();
    // Fencing and renewals run on their own 1 s timer, never behind a slow round.
    this.#fenceTimer = setInterval(() => {
      this.#fenceCheck();
      this.#renewing ??= this.#renewDue().finally(() => (this.#renewing = undefined));
    }, 1000);
    // The first round waits one period, so hosts starting together see each other's heartbeats
    // before anyone takes a share computed as if it were alone.
    this.#schedule(this.#opts.roundMs);
  }

  /** What `GET /api/fleet` shows. */
  view(): Promise<FleetView> {
    return buildFleetView(this.#fleet, this.#opts.hostId, this.#host.desiredActiveInstances(), this.#opts.leaseSeconds);
  }

  /** SIGTERM: stop taking work, stop recording (caches drain), give every lease back, remove the heartbeat. */
  async drain(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#roundTimer);
    clearInterval(this.#fenceTimer);
    await this.#round?.catch(() => undefined);
    await this.#renewing?.catch(() => undefined);
    await Promise.all(
      [...this.#owned.values()].map(async (lease) => {
        this.#owned.delete(lease.instance.toLowerCase());
        // recording stops at once; the lease goes once the cache drained, or at the latest when
        // it could expire anyway
        await Promise.race([this.#host.stopOwned(lease.instance).catch(() => undefined), delay(lease.clock.remainingMs())]);
        await lease.release().catch(() => undefined);
      }),
    );
    await this.#fleet.delete(heartbeatBlobName(this.#opts.hostId)).catch(() => undefined);
    this.#handover?.close();
  }

  #schedule(ms: number): void {
    if (this.#stopped) return;
    this.#roundTimer = setTimeout(() => {
      this.#round = this.#runRound()
        .catch((e: unknown) => this.#logger.warn('fleet round failed; retrying', { error: e instanceof Error ? e.message : String(e) }))
        .finally(() => {
          this.#round = undefined;
          this.#schedule(this.#opts.roundMs);
        });
    }, ms);
  }

  /** Stops recording every instance whose lease may have lapsed (monotonic clock: a paused process sees it at once). */
  #fenceCheck(): void {
    for (const [key, lease] of this.#owned) {
      if (!lease.clock.expired()) continue;
      this.#owned.delete(key);
      this.#lost(lease, 'lease not renewed in time');
    }
  }

  #lost(lease: HeldLease, why: string): void {
    this.#logger.warn('lost the lease of an instance: stopped recording it', { instance: lease.instance, why });
    // no cooldown: another host holds it now, and if none does, taking it back is what should happen
    this.#handover?.forget(lease.instance);
    void this.#host.stopOwned(lease.instance).catch(() => undefined);
  }

  async #runRound(): Promise<void> {
    this.#fenceCheck();
    if (this.#stopped) return;
    if (await this.#definitions.changed()) await this.#host.refreshDefinitions();
    await this.#heartbeat();
    await this.#balance();
  }

  async #renewDue(): Promise<void> {
    await Promise.all(
      [...this.#owned.entries()].map(async ([key, lease]) => {
        if (!lease.clock.renewDue()) return;
        const ok = await lease.renew().catch((e: unknown) => {
          this.#logger.warn('lease renew failed; retrying', { instance: lease.instance, error: e instanceof Error ? e.message : String(e) });
          return true; // not lost yet: the fence check decides when it is too late
        });
        this.#fenceCheck();
        if (!ok && this.#owned.get(key) === lease) {
          this.#owned.delete(key);
          this.#lost(lease, 'another host holds the lease');
        }
      }),
    );
  }

  async #heartbeat(): Promise<void> {
    const now = this.#timing.now();
    const beat: HostHeartbeat = {
      id: this.#opts.hostId,
      capacity: this.#opts.capacity,
      leaseSeconds: this.#opts.leaseSeconds,
      at: new Date().toISOString(),
      instances: [...this.#owned.values()]
        .map((l) => ({ name: l.instance, leaseAgeSeconds: Math.round((now - l.clock.lastRenewMs) / 100) / 10, ownedSince: l.ownedSince }))
        .sort((a, b) => a.name.localeCompare(b.name)),
    };
    await this.#fleet.writeJson(heartbeatBlobName(this.#opts.hostId), beat);
  }

  async #balance(): Promise<void> {
    const now = this.#timing.now();
    const desired = this.#host.desiredActiveInstances();
    const byKey = new Map(desired.map((n) => [n.toLowerCase(), n]));
    const [beats, leased] = await Promise.all([readHeartbeats(this.#fleet), leasedInstances(this.#fleet)]);
    const leaseMs = this.#opts.leaseSeconds * 1000;
    const liveHosts = Math.max(1, beats.filter((b) => b.ageMs < leaseMs || b.beat.id === this.#opts.hostId).length);
    for (const key of [...this.#cooldown.keys()]) if (this.#cooldown.get(key)! <= now) this.#cooldown.delete(key);
    for (const key of byKey.keys()) {
      if (leased.has(key) || this.#owned.has(key)) this.#unownedSince.delete(key);
      else if (!this.#unownedSince.has(key)) this.#unownedSince.set(key, now);
    }
    for (const key of [...this.#unownedSince.keys()]) if (!byKey.has(key)) this.#unownedSince.delete(key);
    const decision = balanceRound({
      capacity: this.#opts.capacity,
      desired: [...byKey.keys()],
      leased,
      owned: [...this.#owned.entries()].map(([name, l]) => ({ name, sinceMs: l.acquiredAtMs })),
      liveHosts,
      coolingDown: new Set(this.#cooldown.keys()),
      unownedForMs: (k) => now - (this.#unownedSince.get(k) ?? now),
      strandedAfterMs: leaseMs,
      maxReleasesPerRound: this.#opts.maxReleasesPerRound,
    });
    for (const key of decision.release) await this.#release(key);
    for (const key of decision.take) {
      if (this.#stopped) return;
      await this.#take(byKey.get(key) ?? key);
    }
  }

  async #release(key: string): Promise<void> {
    const lease = this.#owned.get(key);
    if (!lease) return;
    this.#owned.delete(key);
    this.#cooldown.set(key, this.#timing.now() + this.#opts.cooldownMs);
    this.#handover?.forget(lease.instance);
    this.#logger.info('giving up an instance', { instance: lease.instance });
    // recording stops before the lease goes, so the next owner never overlaps this one
    await Promise.race([this.#host.stopOwned(lease.instance).catch(() => undefined), delay(Math.max(0, lease.clock.remainingMs() - 1000))]);
    await lease.release().catch(() => undefined);
  }

  async #take(name: string): Promise<void> {
    const got = await HeldLease.acquire(this.#fleet, name, this.#opts.hostId, this.#timing).catch((e: unknown) => {
      this.#logger.warn('could not take a lease', { instance: name, error: e instanceof Error ? e.message : String(e) });
      return undefined;
    });
    if (!got) return;
    const key = name.toLowerCase();
    this.#owned.set(key, got.lease);
    this.#unownedSince.delete(key);
    if (got.previous.host !== undefined && got.previous.host !== this.#opts.hostId) this.#handover?.expect(name, Date.now());
    this.#logger.info('took an instance', { instance: name, ...(got.previous.host ? { from: got.previous.host } : {}) });
    void this.#host
      .startOwned(name, { recordingFence: got.lease.fence })
      .catch((e: unknown) =>
        this.#logger.error('activation of an owned instance failed', { instance: name, error: e instanceof Error ? e.message : String(e) }),
      );
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
