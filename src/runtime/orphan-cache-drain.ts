// A cache left behind drains without its instance (issue 18). A host restarted on its data folder
// may find caches of instances it does not run now: a fleet moved them to another host, or they
// were deleted. What those caches hold was recorded and is uploaded all the same, oldest first,
// by the same uploader an instance uses, from nothing but the cache folder and the asset record the
// asset sink left in it (storage/orphan-caches/cache-asset-record.ts). A drained cache is removed.
// Segment names are a pure function of the segment, so a segment the old run uploaded but had not
// yet marked is overwritten, never stored twice; the index write is ETag-conditional and merges.
import { rmdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { EventBus } from '../types/events.ts';
import type { Logger } from '../types/logger.ts';
import type { AssetStore } from '../types/asset-store.ts';
import type { SegmentQueue } from '../types/cache.ts';
import { DurableSegmentCache } from '../storage/cache/index.ts';
import { lockHolder } from '../storage/cache/lock.ts';
import { mp4FileReader } from '../media/mp4/describe-segment.ts';
import { AssetUploader } from '../nodes/blob-asset-sink/uploader.ts';
import { HOST_STORE, listCachePointers, readCacheAssetRecord, removeCachePointer, type CacheAssetRecord } from '../storage/orphan-caches/cache-asset-record.ts';

export interface OrphanCacheDrainOptions {
  /** The host's data folder (`<data>/instances/*` hold the pointers to cache folders). */
  readonly dataDirectory: string;
  /** Whether this host runs (or is about to run) the instance: its cache is its own then. */
  readonly runsHere: (instanceName: string) => boolean;
  /** Opens the asset a record names (`host`: the host's Blob connection; `file:<folder>`). */
  readonly openStore: (record: CacheAssetRecord) => Promise<AssetStore>;
  readonly logger: Logger;
  /** Where the uploader's events go (SegmentUploaded, StorageError…); default nowhere. */
  readonly events?: (instanceName: string) => EventBus;
  /** Longest time spent on one cache before leaving the rest for the next start (default 30 min). */
  readonly drainTimeoutMs?: number;
  /** Recorded time uploaded between two index writes (default 60 s: an orphan's media is older than what the owner indexes). */
  readonly indexIntervalMs?: number;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
}

export interface OrphanCacheResult {
  readonly cacheDirectory: string;
  readonly instance: string;
  readonly uploaded: number;
  /** Drained and removed; false when something stayed (timeout, stopped, storage failing). */
  readonly removed: boolean;
}

export interface OrphanCacheDrain {
  /** Settles when every orphan cache found at the start was drained or given up. */
  readonly done: Promise<OrphanCacheResult[]>;
  /**
   * Looks for orphan caches again (after the current pass) and drains them: call it when this host
   * stopped running an instance (a fleet took it away) so what its drain left is uploaded now, not
   * at the next start, and its cache folder goes (a later owner's cache starts afresh).
   */
  rescan(): Promise<OrphanCacheResult[]>;
  /** Stops draining the cache of `instanceName` (it is about to run here) and waits until its folder is free. */
  release(instanceName: string): Promise<void>;
  /** Stops everything (host closing); what was not uploaded stays for the next start. */
  stop(): Promise<void>;
}

const noEvents: EventBus = { emit() {} };
/** Large enough never to evict: an orphan cache only shrinks. */
const NO_BOUND = 2 ** 50;

/**
 * Finds the caches of instances that do not run here and uploads what they hold, one cache at a
 * time, in the background. The host starts it once at start-up (after it resumed its instances).
 */
export function drainOrphanCaches(opts: OrphanCacheDrainOptions): OrphanCacheDrain {
  let stopped = false;
  const released = new Set<string>();
  let current: { instance: string; uploader: AssetUploader | undefined; finished: Promise<unknown> } | undefined;

  const drainOne = async (cacheDirectory: string, record: CacheAssetRecord): Promise<OrphanCacheResult> => {
    const log = opts.logger.child({ instance: record.instance, cache: cacheDirectory });
    const cache = await DurableSegmentCache.open(cacheDirectory, { maxBytes: NO_BOUND, reader: mp4FileReader });
    let uploaded = 0;
    try {
      cache.endInput();
      const left = cache.stats();
      if (left.segments === 0 && cache.pendingGaps().length === 0 && cache.pendingRanges().length === 0)
        return { cacheDirectory, instance: record.instance, uploaded, removed: true };
      log.info('draining the cache of an instance that does not run here', { segments: left.segments, bytes: left.bytes, asset: record.assetName });
      const store = await opts.openStore(record);
      const uploader = new AssetUploader(queueOf(cache), store, opts.events?.(record.instance) ?? noEvents, log, {
        concurrency: 1, // strictly oldest first
        drainTimeoutMs: opts.drainTimeoutMs ?? 30 * 60_000,
        indexIntervalMs: opts.indexIntervalMs ?? 60_000,
        ...(opts.backoffBaseMs !== undefined ? { backoffBaseMs: opts.backoffBaseMs } : {}),
        ...(opts.backoffCapMs !== undefined ? { backoffCapMs: opts.backoffCapMs } : {}),
      });
      if (current) current.uploader = uploader;
      if (stopped || released.has(record.instance.toLowerCase())) uploader.stop();
      const outcome = await uploader.run();
      uploaded = uploader.uploaded;
      const st = cache.stats();
      const empty = st.segments === 0 && cache.pendingGaps().length === 0 && cache.pendingRanges().length === 0;
      log.info('orphan cache drain finished', { outcome, uploaded, left: st.segments });
      return { cacheDirectory, instance: record.instance, uploaded, removed: outcome === 'drained' && empty };
    } finally {
      await cache.close();
    }
  };

  const run = async (): Promise<OrphanCacheResult[]> => {
    const results: OrphanCacheResult[] = [];
    for (const pointer of listCachePointers(opts.dataDirectory)) {
      if (stopped) break;
      const record = readCacheAssetRecord(pointer.cacheDirectory);
      if (!record) {
        removeCachePointer(pointer); // the folder is gone (or never held a cache)
        continue;
      }
      if (opts.runsHere(record.instance) || released.has(record.instance.toLowerCase())) continue;
      // another live process records into it (two hosts on one folder): not ours to drain
      if (lockHolder(join(pointer.cacheDirectory, 'lock'))) continue;
      let settle!: () => void;
      current = { instance: record.instance.toLowerCase(), uploader: undefined, finished: new Promise<void>((r) => (settle = r)) };
      try {
        const r = await drainOne(pointer.cacheDirectory, record);
        results.push(r);
        // Taken back meanwhile: the folder is the instance's cache again, not an orphan.
        if (r.removed && !opts.runsHere(record.instance) && !released.has(record.instance.toLowerCase())) {
          removeCacheFolder(pointer.cacheDirectory);
          removeCachePointer(pointer);
        }
      } catch (e) {
        opts.logger.warn('could not drain the cache of an instance that does not run here', {
          instance: record.instance,
          cache: pointer.cacheDirectory,
          error: e instanceof Error ? e.message : String(e),
        });
      } finally {
        current = undefined;
        settle();
      }
    }
    return results;
  };

  const done = run();
  let tail: Promise<unknown> = done.catch(() => undefined);
  return {
    done,
    rescan() {
      const next = tail.then(() => {
        if (stopped) return [];
        // a release held until its instance ran here; what stopped running since is eligible again
        released.clear();
        return run();
      });
      tail = next.catch(() => undefined);
      return next;
    },
    async release(instanceName) {
      const key = instanceName.toLowerCase();
      released.add(key);
      const c = current;
      if (c?.instance === key) {
        c.uploader?.stop();
        await c.finished;
      }
    },
    async stop() {
      stopped = true;
      current?.uploader?.stop();
      await tail;
    },
  };
}

/** The queue an uploader pulls from, over a cache opened for draining only. */
function queueOf(c: DurableSegmentCache): SegmentQueue {
  return {
    next: (signal) => c.nextPending(signal),
    peekNext: () => c.peekPending(),
    markUploaded: (id) => c.markUploaded(id),
    release: (id) => c.release(id),
    pendingGaps: () => c.pendingGaps(),
    ackGaps: (gaps) => c.ackGaps(gaps),
    pendingRanges: () => c.pendingRanges(),
    ackRanges: (ranges) => c.ackRanges(ranges),
    inputEnded: c.inputEnded,
    gapsChanged: (signal) => c.gapsChanged(signal),
    stats: () => c.stats(),
    detach: () => {},
  };
}

/** Removes a drained cache folder, and its instance folder when that is left empty. */
function removeCacheFolder(cacheDirectory: string): void {
  rmSync(cacheDirectory, { recursive: true, force: true });
  try {
    rmdirSync(dirname(cacheDirectory));
  } catch {
    // not empty (another node's cache) or gone: left as it is
  }
}

export { HOST_STORE };
