// A fleet host's settings and their defaults (docs/fleet.md, Settings).
import { createHash } from 'node:crypto';
import { availableParallelism, hostname } from 'node:os';
import { DEFAULT_FLEET_CONTAINER } from './fleet-container.ts';
import { DEFAULT_FENCE_MARGIN_MS, DEFAULT_LEASE_SECONDS } from './lease-fence.ts';

/**
 * Default capacity: cameras per CPU core. The measured ingest cost is 3–14 ms of CPU per
 * stream-second (docs/performance.md); with segmenting, uploads and the API we budget 20 ms,
 * and keep half of each core free for bursts (reconnects, catch-up uploads): 500 / 20 = 25.
 */
export const CAMERAS_PER_CORE = 25;

export interface FleetSettings {
  readonly container: string;
  readonly hostId: string;
  readonly capacity: number;
  readonly leaseSeconds: number;
  readonly fenceMarginMs: number;
  readonly roundMs: number;
  readonly cooldownMs: number;
  readonly maxReleasesPerRound: number;
}

export interface FleetFlags {
  readonly container?: string;
  readonly hostId?: string;
  readonly capacity?: string;
  readonly leaseSeconds?: string;
}

/** Hostname (a StatefulSet's pod name) plus a hash of the data folder: two hosts on one machine differ. */
export function defaultHostId(dataDirectory: string): string {
  const h = createHash('sha256').update(dataDirectory).digest('hex').slice(0, 8);
  return `${hostname().replace(/[^A-Za-z0-9._-]/g, '-')}-${h}`;
}

/** Throws a one-line error for a bad flag. */
export function fleetSettings(flags: FleetFlags, dataDirectory: string): FleetSettings {
  const leaseSeconds = flags.leaseSeconds === undefined ? DEFAULT_LEASE_SECONDS : Number(flags.leaseSeconds);
  // Blob Storage's lease durations: 15 to 60 s
  if (!Number.isInteger(leaseSeconds) || leaseSeconds < 15 || leaseSeconds > 60)
    throw new Error(`--fleet-lease-seconds must be an integer 15..60, not ${flags.leaseSeconds}`);
  const capacity = flags.capacity === undefined ? CAMERAS_PER_CORE * availableParallelism() : Number(flags.capacity);
  if (!Number.isInteger(capacity) || capacity < 0) throw new Error(`--fleet-capacity must be a whole number of instances, not ${flags.capacity}`);
  const hostId = flags.hostId ?? defaultHostId(dataDirectory);
  if (!/^[A-Za-z0-9._-]{1,100}$/.test(hostId)) throw new Error('--fleet-host-id takes 1..100 letters, digits, dots, dashes or underscores');
  const container = flags.container ?? DEFAULT_FLEET_CONTAINER;
  if (!/^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(container))
    throw new Error(`--fleet-container "${container}" is not a valid container name (3..63 lower-case letters, digits, dashes)`);
  const leaseMs = leaseSeconds * 1000;
  return {
    container,
    hostId,
    capacity,
    leaseSeconds,
    fenceMarginMs: DEFAULT_FENCE_MARGIN_MS,
    // rounds (definitions poll, heartbeat, balance) every few seconds
    roundMs: Math.min(3000, leaseMs / 5),
    // an instance this host gave up stays with others for two leases
    cooldownMs: 2 * leaseMs,
    maxReleasesPerRound: 2,
  };
}
