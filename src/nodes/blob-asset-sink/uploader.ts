// The asset sink's engine, plain async code: pulls the oldest cached segment, uploads its init
// (once per id) and the segment, marks it uploaded only after the store confirmed, and keeps
// the day indexes up to date. Retries forever with backoff + jitter while the instance runs;
// on deactivation drains what the cache holds, bounded by the drain timeout.
import type { EventBus } from '../../types/events.ts';
import type { Logger } from '../../types/logger.ts';
import type { CachedGap, CachedSegment, SegmentQueue } from '../../types/cache.ts';
import { mergeRanges, type BlobAssetStore, type GapRange, type TimeRange } from '../../storage/blob/index.ts';
import { BlobStoreError } from '../../storage/blob/index.ts';
import { backoffMs } from './options.ts';

export interface UploaderOptions {
  readonly concurrency: number;
  readonly drainTimeoutMs: number;
  /** First retry delay and its cap (defaults 500 ms and 30 s). */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /** Called when an upload attempt starts (latency measurements). */
  readonly onUploadStarted?: (segment: CachedSegment) => void;
  readonly now?: () => number;
}

type DrainOutcome = 'drained' | 'drain-timeout' | 'stopped';

export class AssetUploader {
  readonly #queue: SegmentQueue;
  readonly #store: BlobAssetStore;
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #opts: UploaderOptions;
  readonly #now: () => number;
  /** Aborts pulls and uploads: drain deadline or hard stop. */
  readonly #work = new AbortController();
  readonly #initUploads = new Map<string, Promise<void>>();
  #pendingRanges: TimeRange[] = [];
  #pendingGaps: GapRange[] = [];
  #wakeIndex: (() => void) | undefined;
  #lastSeenId = 0;
  #lastEndMs: number | undefined;
  #available = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #drainDeadline: number | undefined;
  #outcome: DrainOutcome = 'drained';
  #detached = false;
  uploaded = 0;

  constructor(queue: SegmentQueue, store: BlobAssetStore, events: EventBus, logger: Logger, opts: UploaderOptions) {
    this.#queue = queue;
    this.#store = store;
    this.#events = events;
    this.#logger = logger;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    void queue.inputEnded.then(() => this.beginDrain());
  }

  /** Runs until drained after the input ended, the drain timed out, or stop(). Then detaches. */
  async run(): Promise<DrainOutcome> {
    const location = { outputType: 'assetName' as const, outputLocation: this.#store.assetName };
    this.#events.emit('RecordingStarted', location);
    const indexStop = new AbortController();
    const indexLoop = this.#indexLoop(indexStop.signal);
    try {
      await Promise.all(Array.from({ length: Math.max(1, this.#opts.concurrency) }, () => this.#worker()));
    } finally {
      indexStop.abort();
      await indexLoop;
      // Last index write, within what is left of the drain time (at least a moment).
      const budget = Math.max(1000, (this.#drainDeadline ?? this.#now() + 5000) - this.#now());
      await this.#flushIndex(AbortSignal.timeout(budget)).catch((e: unknown) => this.#storageError(e, false));
      if (this.#drainTimer) clearTimeout(this.#drainTimer);
      this.#events.emit('RecordingStopped', location);
      this.#detach();
    }
    return this.#outcome;
  }

  /** Deactivation: finish what the cache holds, but no longer than the drain timeout. */
  beginDrain(): void {
    if (this.#drainTimer || this.#work.signal.aborted) return;
    this.#drainDeadline = this.#now() + this.#opts.drainTimeoutMs;
    this.#drainTimer = setTimeout(() => {
      this.#outcome = 'drain-timeout';
      const left = this.#queue.stats();
      this.#logger.warn('drain timeout: leaving segments in the cache for the next activation', { segments: left.segments, bytes: left.bytes });
      this.#work.abort(new Error('drain timeout'));
    }, this.#opts.drainTimeoutMs);
  }

  /** Hard stop (teardown): abort uploads now; the cache keeps what was not confirmed. */
  stop(): void {
    if (!this.#work.signal.aborted) {
      this.#outcome = 'stopped';
      this.#work.abort(new Error('stopped'));
    }
    if (this.#drainTimer) clearTimeout(this.#drainTimer);
  }

  #detach(): void {
    if (this.#detached) return;
    this.#detached = true;
    this.#queue.detach();
  }

  async #worker(): Promise<void> {
    const signal = this.#work.signal;
    let attempt = 0;
    while (!signal.aborted) {
      let seg: CachedSegment | undefined;
      try { seg = await this.#queue.next(signal); } catch { break; }
      if (!seg) break;
      this.#noteOrder(seg);
      this.#opts.onUploadStarted?.(seg);
      const t0 = this.#now();
      try {
        await this.#ensureInit(seg, signal);
        const { blobName, byteSize } = await this.#store.uploadSegment(seg, signal);
        await this.#queue.markUploaded(seg.id);
        attempt = 0;
        this.uploaded++;
        this.#addRange({ startMs: seg.startWallClockMs, endMs: seg.endWallClockMs });
        const done = this.#now();
        this.#events.emit('SegmentUploaded', { blobName, byteSize, uploadMs: done - t0, lagMs: Math.max(0, done - seg.endWallClockMs) });
        if (!this.#available) {
          this.#available = true;
          this.#events.emit('RecordingAvailable', { outputType: 'assetName', outputLocation: this.#store.assetName });
        }
      } catch (e) {
        this.#queue.release(seg.id);
        if (signal.aborted) break;
        attempt++;
        this.#storageError(e, true);
        try { await sleep(backoffMs(attempt, this.#opts.backoffBaseMs ?? 500, this.#opts.backoffCapMs ?? 30_000), signal); } catch { break; }
      }
    }
  }

  #ensureInit(seg: CachedSegment, signal: AbortSignal): Promise<void> {
    let p = this.#initUploads.get(seg.init.id);
    if (!p) {
      p = this.#store.uploadInit(seg.init, signal).then(() => {});
      this.#initUploads.set(seg.init.id, p);
      p.catch(() => this.#initUploads.delete(seg.init.id));
    }
    return p;
  }

  /** Segments arrive oldest first: a discontinuity after a hole is a camera-lost gap. */
  #noteOrder(seg: CachedSegment): void {
    if (seg.id <= this.#lastSeenId) return;
    this.#lastSeenId = seg.id;
    if (seg.afterDiscontinuity && this.#lastEndMs !== undefined && seg.startWallClockMs > this.#lastEndMs) {
      this.#pendingGaps.push({ startMs: this.#lastEndMs, endMs: seg.startWallClockMs, reason: 'camera-lost' });
    }
    this.#lastEndMs = Math.max(this.#lastEndMs ?? 0, seg.endWallClockMs);
  }

  #addRange(r: TimeRange): void {
    this.#pendingRanges.push(r);
    this.#wakeIndex?.();
  }

  #hasIndexWork(): boolean {
    return this.#pendingRanges.length > 0 || this.#pendingGaps.length > 0 || this.#queue.pendingGaps().length > 0;
  }

  /** Writes ranges and gaps as they come; a write covers everything that piled up during the last one. */
  async #indexLoop(stop: AbortSignal): Promise<void> {
    let failures = 0;
    const stopped = new Promise<void>((r) => stop.addEventListener('abort', () => r(), { once: true }));
    while (!stop.aborted) {
      if (this.#hasIndexWork()) {
        try {
          await this.#flushIndex(AbortSignal.any([stop, this.#work.signal]));
          failures = 0;
        } catch (e) {
          if (stop.aborted || this.#work.signal.aborted) break;
          this.#storageError(e, true);
          try { await sleep(backoffMs(++failures, this.#opts.backoffBaseMs ?? 500, this.#opts.backoffCapMs ?? 30_000), stop); } catch { break; }
        }
        continue;
      }
      const waitAbort = new AbortController();
      await Promise.race([
        new Promise<void>((r) => { this.#wakeIndex = r; }),
        this.#queue.gapsChanged(waitAbort.signal).catch(() => {}),
        stopped,
      ]);
      waitAbort.abort();
      this.#wakeIndex = undefined;
    }
  }

  async #flushIndex(signal: AbortSignal): Promise<void> {
    const cacheGaps: readonly CachedGap[] = this.#queue.pendingGaps();
    if (this.#pendingRanges.length === 0 && this.#pendingGaps.length === 0 && cacheGaps.length === 0) return;
    const ranges = this.#pendingRanges;
    const ownGaps = this.#pendingGaps;
    this.#pendingRanges = [];
    this.#pendingGaps = [];
    try {
      await this.#store.recordInIndex({
        ranges,
        gaps: [...ownGaps, ...cacheGaps.map((g) => ({ startMs: g.startWallClockMs, endMs: g.endWallClockMs, reason: g.reason }))],
      }, signal);
      await this.#queue.ackGaps(cacheGaps);
    } catch (e) {
      // Keep them (merged, so a long outage of the index alone cannot grow memory much).
      this.#pendingRanges = mergeRanges([...ranges, ...this.#pendingRanges]);
      this.#pendingGaps = [...ownGaps, ...this.#pendingGaps];
      throw e;
    }
  }

  #storageError(e: unknown, willRetry: boolean): void {
    const err = e instanceof BlobStoreError ? e : undefined;
    const message = err?.message ?? (e instanceof Error ? e.message : String(e));
    this.#events.emit('StorageError', {
      storageAccountName: this.#store.connection.accountName,
      errorCode: err?.code ?? 'Error',
      message,
      willRetry,
    });
    this.#logger.warn('storage call failed', { code: err?.code, message, willRetry });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) { reject(signal.reason); return; }
    const t = setTimeout(() => { signal.removeEventListener('abort', onAbort); resolve(); }, ms);
    const onAbort = (): void => { clearTimeout(t); reject(signal.reason); };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
