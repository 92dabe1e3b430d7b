// The host's cache quota: one byte bound and one free-space floor over the local caches of all
// instances. Each cache's own bound (localMediaCacheMaximumSizeMiB) cannot see its neighbours,
// so with many cameras on one disk the sum of the bounds can exceed the disk. After a cache
// takes a segment it asks for a check; checks run one at a time on one queue (never inside a
// cache's lock, so two caches never wait on each other) and evict the globally oldest segment,
// across caches, until the total fits and every cache folder's file system has the floor free.
import { statfs as statfsAsync } from 'node:fs/promises';
import type { CacheQuotaService, QuotaMember, QuotaReason } from '../../types/cache-quota.ts';

export type { CacheQuotaService, QuotaMember, QuotaReason };

const MIB = 1024 * 1024;

/** Free bytes of the file system holding `path` (fs.statfs: blocks available to this user). */
export type FreeSpaceProbe = (path: string) => Promise<number>;

export interface CacheQuotaOptions {
  readonly maximumBytes?: number;
  readonly minimumFreeBytes?: number;
  /** Replaces fs.statfs, for tests that need a nearly full disk. */
  readonly freeBytes?: FreeSpaceProbe;
  /** One line per enforcement round that evicted something. */
  readonly log?: (message: string, fields: Record<string, unknown>) => void;
  /** Upper bound of evictions in one round, so a probe that never recovers cannot spin. */
  readonly maximumEvictionsPerRound?: number;
}

export interface CacheQuotaTotals {
  readonly evictions: Readonly<Record<QuotaReason, number>>;
}

async function statfsFreeBytes(path: string): Promise<number> {
  const s = await statfsAsync(path);
  return Number(s.bavail) * Number(s.bsize);
}

export function cacheQuotaFromMiB(
  maximumSizeMiB: number | undefined,
  minimumFreeMiB: number | undefined,
): Pick<CacheQuotaOptions, 'maximumBytes' | 'minimumFreeBytes'> {
  return {
    ...(maximumSizeMiB !== undefined ? { maximumBytes: maximumSizeMiB * MIB } : {}),
    ...(minimumFreeMiB !== undefined ? { minimumFreeBytes: minimumFreeMiB * MIB } : {}),
  };
}

export class CacheQuota implements CacheQuotaService {
  readonly #members = new Set<QuotaMember>();
  readonly #opts: CacheQuotaOptions;
  readonly #freeBytes: FreeSpaceProbe;
  readonly #evictions: Record<QuotaReason, number> = { 'host-quota': 0, 'free-space-floor': 0 };
  #queue: Promise<void> = Promise.resolve();

  constructor(options: CacheQuotaOptions) {
    this.#opts = options;
    this.#freeBytes = options.freeBytes ?? statfsFreeBytes;
  }

  register(member: QuotaMember): () => void {
    this.#members.add(member);
    return () => void this.#members.delete(member);
  }

  check(): Promise<void> {
    const run = this.#queue.then(() => this.#enforce());
    this.#queue = run.catch(() => undefined);
    return run;
  }

  totals(): CacheQuotaTotals {
    return { evictions: { ...this.#evictions } };
  }

  usedBytes(): number {
    let total = 0;
    for (const m of this.#members) total += m.usedBytes();
    return total;
  }

  /** The reason to evict now, or undefined when the quota and the floor are met. */
  async #overBy(): Promise<QuotaReason | undefined> {
    const max = this.#opts.maximumBytes;
    if (max !== undefined && this.usedBytes() > max) return 'host-quota';
    const floor = this.#opts.minimumFreeBytes;
    if (floor === undefined) return undefined;
    const folders = new Set([...this.#members].map((m) => m.directory));
    for (const dir of folders) {
      const free = await this.#freeBytes(dir).catch(() => Number.POSITIVE_INFINITY); // a folder gone (closing) cannot be helped
      if (free < floor) return 'free-space-floor';
    }
    return undefined;
  }

  #globallyOldest(skip: ReadonlySet<QuotaMember>): QuotaMember | undefined {
    let best: QuotaMember | undefined;
    let bestStart = Number.POSITIVE_INFINITY;
    for (const m of this.#members) {
      if (skip.has(m)) continue;
      const start = m.oldestStartMs();
      if (start !== undefined && start < bestStart) {
        best = m;
        bestStart = start;
      }
    }
    return best;
  }

  async #enforce(): Promise<void> {
    const limit = this.#opts.maximumEvictionsPerRound ?? 10_000;
    const evicted: Record<QuotaReason, number> = { 'host-quota': 0, 'free-space-floor': 0 };
    const victims: string[] = [];
    const refused = new Set<QuotaMember>();
    for (let n = 0; n < limit; n++) {
      const reason = await this.#overBy();
      if (!reason) break;
      const victim = this.#globallyOldest(refused);
      if (!victim) break;
      const start = victim.oldestStartMs();
      if (!(await victim.evictOldest(reason))) {
        refused.add(victim); // closing meanwhile: the next oldest elsewhere goes instead
        continue;
      }
      evicted[reason]++;
      this.#evictions[reason]++;
      if (start !== undefined) victims.push(`${victim.directory}@${new Date(start).toISOString()}`);
    }
    const total = evicted['host-quota'] + evicted['free-space-floor'];
    if (total > 0) {
      this.#opts.log?.('cache quota evicted the oldest segments', {
        segments: total,
        forQuota: evicted['host-quota'],
        forFreeSpaceFloor: evicted['free-space-floor'],
        usedBytes: this.usedBytes(),
        ...(this.#opts.maximumBytes !== undefined ? { maximumBytes: this.#opts.maximumBytes } : {}),
        ...(this.#opts.minimumFreeBytes !== undefined ? { minimumFreeBytes: this.#opts.minimumFreeBytes } : {}),
        oldestEvicted: victims[0],
        newestEvicted: victims[victims.length - 1],
      });
    }
  }
}

/** Registers a durable cache with the quota (the shape the node and tests share). */
export function quotaMemberOf(
  directory: string,
  cache: {
    stats(): { bytes: number };
    oldestEvictableStartMs(): number | undefined;
    evictOldest(cause: QuotaReason): Promise<boolean>;
  },
): QuotaMember {
  return {
    directory,
    usedBytes: () => cache.stats().bytes,
    oldestStartMs: () => cache.oldestEvictableStartMs(),
    evictOldest: (reason) => cache.evictOldest(reason),
  };
}
