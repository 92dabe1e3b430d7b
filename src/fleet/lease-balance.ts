// Which leases a host takes or gives up in one round (docs/fleet.md, Balance). Pure, so the
// rules are tested without a store: spare capacity takes unowned instances first; a host over
// its fair share gives up at most `maxReleasesPerRound`; an instance this host gave up recently
// is not taken back by it (hysteresis), so two hosts never pass one instance back and forth.

export interface OwnedLease {
  readonly name: string;
  /** Monotonic ms when this host acquired it. */
  readonly sinceMs: number;
}

export interface BalanceInput {
  readonly capacity: number;
  /** Desired-active instances (lease keys). */
  readonly desired: readonly string[];
  /** Instances whose lease some host holds now, this one included. */
  readonly leased: ReadonlySet<string>;
  readonly owned: readonly OwnedLease[];
  /** Hosts with a fresh heartbeat, this one included (at least 1). */
  readonly liveHosts: number;
  /** Given up by this host recently: not taken back by it. */
  readonly coolingDown: ReadonlySet<string>;
  /** How long each unowned instance has been seen unowned here (ms). */
  readonly unownedForMs: (name: string) => number;
  /**
   * An instance unowned this long is taken even past the fair share (up to the capacity): the
   * heartbeat of a dead host may still count it as live for a while.
   */
  readonly strandedAfterMs: number;
  readonly maxReleasesPerRound: number;
}

export interface BalanceDecision {
  readonly take: readonly string[];
  readonly release: readonly string[];
}

export function fairShare(instances: number, hosts: number): number {
  return Math.ceil(instances / Math.max(1, hosts));
}

export function balanceRound(input: BalanceInput): BalanceDecision {
  const desired = new Set(input.desired);
  const release: string[] = input.owned.filter((o) => !desired.has(o.name)).map((o) => o.name);
  const keep = input.owned.filter((o) => desired.has(o.name));
  const share = fairShare(desired.size, input.liveHosts);
  const unowned = input.desired.filter((n) => !input.leased.has(n) && !keep.some((o) => o.name === n));
  // Over the fair share (or the capacity, if lowered): give up the most recently taken, a few
  // per round, and only while nothing waits for an owner (releasing then would help nobody).
  const limit = Math.min(share, input.capacity);
  if (keep.length > input.capacity || (keep.length > limit && unowned.length === 0)) {
    const excess = keep.length - (keep.length > input.capacity ? input.capacity : limit);
    const newestFirst = [...keep].sort((a, b) => b.sinceMs - a.sinceMs || a.name.localeCompare(b.name));
    release.push(...newestFirst.slice(0, Math.min(excess, input.maxReleasesPerRound)).map((o) => o.name));
    return { take: [], release };
  }
  const candidates = unowned.filter((n) => !input.coolingDown.has(n)).sort((a, b) => input.unownedForMs(b) - input.unownedForMs(a) || a.localeCompare(b));
  const take: string[] = [];
  let count = keep.length;
  for (const name of candidates) {
    if (count >= input.capacity) break;
    if (count >= limit && input.unownedForMs(name) < input.strandedAfterMs) continue;
    take.push(name);
    count++;
  }
  return { take, release };
}
