// Retention for every asset the host records into: one timer for the whole host, one sweep at a
// time, assets one after the other. Asset sinks with a retention policy register their asset
// while they run; each sweep lists the asset's segments once and deletes, oldest first, what the
// policy no longer keeps (docs/storage-format.md, Deletion). Storage calls are counted where
// every store counts them (`mediagraph_storage_requests_total{op}`).
import type { Logger } from '../types/logger.ts';
import type { AssetStore, MediaDeletion } from '../types/asset-store.ts';
import type { RetentionRegistration, RetentionService } from '../types/retention.ts';
import { openAssetStore } from '../storage/open-store.ts';
import { retentionCutoff } from '../storage/retention-policy.ts';

export interface RetentionSweeperOptions {
  /** Between the end of a sweep and the start of the next. Default 5 minutes. */
  readonly intervalMs?: number;
  /** Longest a sweep may take before it is cut (the next one carries on). Default 10 minutes. */
  readonly sweepTimeoutMs?: number;
  /** The sweep's clock (tests run retention in minutes). */
  readonly now?: () => number;
  /** Opens an asset's store (default: the location as the sinks open it). */
  readonly openStore?: (location: string, assetName: string) => Promise<AssetStore>;
}

export interface RetentionTotals {
  readonly sweeps: number;
  readonly deletedSegments: number;
  readonly deletedBytes: number;
  readonly failures: number;
}

export interface SweepResult {
  readonly assets: number;
  readonly deletedSegments: number;
  readonly deletedBytes: number;
  readonly failed: number;
}

export class RetentionSweeper implements RetentionService {
  readonly #logger: Logger;
  readonly #intervalMs: number;
  readonly #sweepTimeoutMs: number;
  readonly #now: () => number;
  readonly #openStore: (location: string, assetName: string) => Promise<AssetStore>;
  /** By location and asset: the latest registration wins (one asset, one policy). */
  readonly #assets = new Map<string, RetentionRegistration>();
  readonly #stores = new Map<string, Promise<AssetStore>>();
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<SweepResult> | undefined;
  #abort = new AbortController();
  #closed = false;
  #totals = { sweeps: 0, deletedSegments: 0, deletedBytes: 0, failures: 0 };

  constructor(logger: Logger, options: RetentionSweeperOptions = {}) {
    this.#logger = logger;
    this.#intervalMs = options.intervalMs ?? 5 * 60_000;
    this.#sweepTimeoutMs = options.sweepTimeoutMs ?? 10 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#openStore = options.openStore ?? ((location, assetName) => openAssetStore(location, assetName));
  }

  register(entry: RetentionRegistration): () => void {
    const key = `${entry.location}\n${entry.assetName.toLowerCase()}`;
    this.#assets.set(key, entry);
    // soon after a start: what expired while the host was down goes first
    this.#schedule(Math.min(this.#intervalMs, 60_000));
    return () => {
      if (this.#assets.get(key) === entry) this.#assets.delete(key);
    };
  }

  totals(): RetentionTotals {
    return { ...this.#totals };
  }

  /** Runs a sweep now (or waits for the one running). */
  sweepNow(): Promise<SweepResult> {
    this.#running ??= this.#sweep().finally(() => {
      this.#running = undefined;
      if (this.#assets.size) this.#schedule(this.#intervalMs);
    });
    return this.#running;
  }

  async close(): Promise<void> {
    this.#closed = true;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#abort.abort(new Error('the host is closing'));
    await this.#running?.catch(() => undefined);
  }

  #schedule(delayMs: number): void {
    if (this.#closed || this.#timer || this.#running) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.sweepNow();
    }, delayMs);
    this.#timer.unref();
  }

  async #sweep(): Promise<SweepResult> {
    const deadline = AbortSignal.any([this.#abort.signal, AbortSignal.timeout(this.#sweepTimeoutMs)]);
    let deletedSegments = 0;
    let deletedBytes = 0;
    let failed = 0;
    const entries = [...this.#assets.entries()];
    for (const [key, entry] of entries) {
      if (deadline.aborted) break;
      try {
        const d = await this.#sweepAsset(key, entry, deadline);
        deletedSegments += d.segments;
        deletedBytes += d.bytes;
        // counted as it goes, so /metrics moves during a long sweep
        this.#totals.deletedSegments += d.segments;
        this.#totals.deletedBytes += d.bytes;
      } catch (e) {
        failed++;
        this.#totals.failures++;
        this.#logger.warn('retention could not delete from an asset; the next sweep tries again', {
          asset: entry.assetName,
          error: e instanceof Error ? e.message : String(e),
        });
      }
    }
    this.#totals.sweeps++;
    const result = { assets: entries.length, deletedSegments, deletedBytes, failed };
    if (deletedSegments || failed) this.#logger.info('retention sweep', { ...result, deletedMiB: Math.round((deletedBytes / 1048576) * 10) / 10 });
    else this.#logger.debug('retention sweep', result);
    return result;
  }

  async #sweepAsset(key: string, entry: RetentionRegistration, signal: AbortSignal): Promise<MediaDeletion> {
    let store = this.#stores.get(key);
    if (!store) {
      store = this.#openStore(entry.location, entry.assetName);
      store.catch(() => this.#stores.delete(key));
      this.#stores.set(key, store);
    }
    const s = await store;
    const inventory = await s.listSegmentInventory(signal);
    const cut = retentionCutoff(inventory, entry.policy, this.#now());
    if (cut === undefined) return { segments: 0, bytes: 0 };
    return s.deleteMedia(0, cut, signal, inventory);
  }
}
