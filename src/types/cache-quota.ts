// The host cache quota as caches see it (NodeServices.cacheQuota; src/storage/cache/cache-quota.ts).

/** Why the quota evicted: the byte total or the free-space floor. */
export type QuotaReason = 'host-quota' | 'free-space-floor';

/** One cache as the quota sees it. */
export interface QuotaMember {
  /** The cache folder (its file system is the one whose free space counts). */
  readonly directory: string;
  /** Bytes the cache holds now. */
  usedBytes(): number;
  /** Start of its oldest evictable segment; `undefined` when it holds none. */
  oldestStartMs(): number | undefined;
  /** Evicts its oldest segment (an `evicted` gap); false when nothing was evictable. */
  evictOldest(reason: QuotaReason): Promise<boolean>;
}

/** What the host offers caches (NodeServices.cacheQuota). */
export interface CacheQuotaService {
  /** Adds a cache to the quota until the returned function is called. */
  register(member: QuotaMember): () => void;
  /** Enforces the quota soon (queued behind any running check); resolves when done. */
  check(): Promise<void>;
}
