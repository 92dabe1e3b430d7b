// What `GET /api/fleet` answers (docs/fleet.md, Fleet view): the hosts from their heartbeats,
// and the desired-active instances no host holds a lease for.
import type { FleetContainer } from './fleet-container.ts';
import { LEASES } from './lease-holder.ts';

export const HOSTS = 'hosts/';
/** A host silent this long is no longer shown (it died long ago without draining). */
const FORGET_AFTER_MS = 10 * 60_000;

/** `hosts/<hostId>.json`, written by each host at every round. */
export interface HostHeartbeat {
  readonly id: string;
  readonly capacity: number;
  readonly leaseSeconds: number;
  /** Wall-clock ISO time of this heartbeat. */
  readonly at: string;
  readonly instances: readonly { readonly name: string; readonly leaseAgeSeconds: number; readonly ownedSince: string }[];
}

export interface FleetView {
  readonly hosts: readonly {
    readonly id: string;
    readonly capacity: number;
    readonly heartbeatAgeSeconds: number;
    readonly self: boolean;
    readonly instances: HostHeartbeat['instances'];
  }[];
  readonly unowned: readonly string[];
  readonly leaseSeconds: number;
}

export function heartbeatBlobName(hostId: string): string {
  return `${HOSTS}${encodeURIComponent(hostId)}.json`;
}

/** Every heartbeat in the container with its age (ms, by this host's clock). */
export async function readHeartbeats(fleet: FleetContainer, nowMs = Date.now()): Promise<{ beat: HostHeartbeat; ageMs: number }[]> {
  const out: { beat: HostHeartbeat; ageMs: number }[] = [];
  for (const b of await fleet.list(HOSTS)) {
    const read = await fleet.readJson<HostHeartbeat>(b.name).catch(() => undefined);
    if (!read || typeof read.value?.id !== 'string') continue;
    const ageMs = Math.max(0, nowMs - Date.parse(read.value.at));
    if (Number.isFinite(ageMs)) out.push({ beat: read.value, ageMs });
  }
  return out;
}

/** Instance keys (lower-case) whose lease some host holds now. */
export async function leasedInstances(fleet: FleetContainer): Promise<Set<string>> {
  const held = new Set<string>();
  for (const b of await fleet.list(LEASES)) if (b.leased) held.add(decodeURIComponent(b.name.slice(LEASES.length)));
  return held;
}

export async function buildFleetView(fleet: FleetContainer, selfId: string, desiredActive: readonly string[], leaseSeconds: number): Promise<FleetView> {
  const [beats, leased] = await Promise.all([readHeartbeats(fleet), leasedInstances(fleet)]);
  return {
    hosts: beats
      .filter((b) => b.ageMs < FORGET_AFTER_MS || b.beat.id === selfId)
      .sort((a, b) => a.beat.id.localeCompare(b.beat.id))
      .map(({ beat, ageMs }) => ({
        id: beat.id,
        capacity: beat.capacity,
        heartbeatAgeSeconds: Math.round(ageMs / 100) / 10,
        self: beat.id === selfId,
        instances: beat.instances,
      })),
    unowned: desiredActive.filter((n) => !leased.has(n.toLowerCase())).sort(),
    leaseSeconds,
  };
}
