// The asset sink's engine, plain async code: pulls the oldest cached segment, uploads its init
// (once per id) and the segment, marks it uploaded only after the store confirmed, and
// writes the day indexes rarely: the segment blob is the only write per segment (its metadata
// says what the index would), and readers merge an index with a listing of what is newer. Retries forever with backoff + jitter while the instance runs;
// on deactivation drains what the cache holds, bounded by the drain timeout.
import type { EventBus } from '../../types/events.ts';
import type { Logger } from '../../types/logger.ts';
import type { CachedGap, CachedRange, CachedSegment, SegmentQueue } from '../../types/cache.ts';
import type { AssetStore, SegmentBody } from '../../types/asset-store.ts';
import { AssetStoreError } from '../../storage/store-error.ts';
import { backoffMs } from './options.ts';
import { delayBeforeRetry } from '../../storage/blob/retry-after.ts';
import { StorageFailureLog } from './failure-log.ts';
import { UplinkWatch } from './uplink-watch.ts';

export interface UploaderOptions {
  readonly concurrency: number;
  readonly drainTimeoutMs: number;
  /** First retry delay and its cap (defaults 500 ms and 30 s). */
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  /**
   * Recorded time that uploaded ranges may span before the day index is written (default one
   * hour). The index is also written at once for a gap, for an upload older than what the index
   * lists (readers list only what is newer), and at the end of the run; never per segment.
   */
  readonly indexIntervalMs?: number;
  /**
   * While storage fails, how often a cheap probe checks whether it answers again (default 1 s).
   * Its first answer after an outage ends the backoff wait and cuts short the requests sent
   * while the line was down, so uploads resume within about this long of the line's return.
   */
  readonly probeIntervalMs?: number;
  /** Least time between two "storage still failing" log lines during an outage (default 5 min). */
  readonly failureSummaryIntervalMs?: number;
  /** Called when an upload attempt starts (latency measurements). */
  readonly onUploadStarted?: (segment: CachedSegment) => void;
  readonly now?: () => number;
  /** Counters and gauges for `/metrics` (the host's NodeContext.metrics). */
  readonly metrics?: { set(name: string, value: number): void; add(name: string, delta?: number): void };
}

type DrainOutcome = 'drained' | 'drain-timeout' | 'stopped';

const DEFAULT_INDEX_INTERVAL_MS = 3_600_000;
const MIN_INDEX_SPACING_MS = 2000;
/**
 * Segment clocks may overlap their neighbours by a little; readers list from a minute before
 * an index's last instant (storage/asset-view.ts), so only older uploads need an index write.
 */
const OUT_OF_ORDER_TOLERANCE_MS = 30_000;

interface ReadAhead {
  readonly seg: CachedSegment;
  readonly body: Promise<SegmentBody>;
}

export class AssetUploader {
  readonly #queue: SegmentQueue;
  readonly #store: AssetStore;
  readonly #events: EventBus;
  readonly #logger: Logger;
  readonly #opts: UploaderOptions;
  readonly #now: () => number;
  /** Aborts pulls and uploads: drain deadline or hard stop. */
  readonly #work = new AbortController();
  readonly #initUploads = new Map<string, Promise<void>>();
  readonly #failureLog: StorageFailureLog;
  readonly #uplink: UplinkWatch;
  #wakeIndex: (() => void) | undefined;
  #available = false;
  #drainTimer: NodeJS.Timeout | undefined;
  #drainDeadline: number | undefined;
  #outcome: DrainOutcome = 'drained';
  #detached = false;
  uploaded = 0;

  constructor(queue: SegmentQueue, store: AssetStore, events: EventBus, logger: Logger, opts: UploaderOptions) {
    this.#queue = queue;
    this.#store = store;
    this.#events = events;
    this.#logger = logger;
    this.#opts = opts;
    this.#now = opts.now ?? Date.now;
    this.#failureLog = new StorageFailureLog(logger, this.#now, opts.failureSummaryIntervalMs);
    const probeInterval = opts.probeIntervalMs ?? 1000;
    this.#uplink = new UplinkWatch({
      probe: (signal) => store.reachable(Math.max(200, Math.round(probeInterval * 1.5)), signal),
      intervalMs: probeInterval,
      stop: this.#work.signal,
    });
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
    // The cache bookkeeping of the previous upload (journal, unlink) overlaps the next upload.
    let confirming: Promise<void> = Promise.resolve();
    // The next segment's file, read while the current one uploads: the read then overlaps the
    // upload instead of following it (and waiting behind the cache's journal sync and unlink,
    // which hold the same folder). Only peeked: it stays evictable until `next()` takes it.
    let ahead: ReadAhead | undefined;
    while (!signal.aborted) {
      let seg: CachedSegment | undefined;
      // Idle until the next segment closes (a live camera): nothing to keep read buffers for.
      if (!ahead && !this.#queue.peekNext?.()) this.#store.releaseReadBuffers();
      try {
        seg = await this.#queue.next(signal);
      } catch {
        break;
      }
      const body = ahead && seg && ahead.seg.id === seg.id ? ahead.body : undefined;
      ahead = undefined;
      if (!seg) {
        // Nothing pending; a confirmation still running may release a segment: look again after it.
        const hadWork = this.#confirming > 0;
        await confirming;
        if (hadWork && !signal.aborted) continue;
        break;
      }
      this.#opts.onUploadStarted?.(seg);
      const t0 = this.#now();
      // Sent during an outage, this attempt is cut short when the line is seen back; and it is
      // abandoned if the cache evicts the segment meanwhile (oldest first, uploading or not).
      const back = this.#uplink.backSignal;
      const attemptSignal = AbortSignal.any([signal, ...(back ? [back] : []), ...(seg.evicted ? [seg.evicted] : [])]);
      try {
        // The init upload is shared by every segment that needs it: it must not die with this
        // segment's eviction (the next segment would inherit that abort as a storage failure).
        await this.#ensureInit(seg, AbortSignal.any([signal, ...(back ? [back] : [])]));
        const upload = this.#store.uploadSegment(seg, attemptSignal, body ? await body : undefined);
        // Not while retrying: during an outage every attempt would read a file for nothing.
        if (attempt === 0) ahead = this.#readAhead();
        const { blobName, byteSize } = await upload;
        this.#storageAnswered();
        attempt = 0;
        await confirming;
        confirming = this.#confirm(seg, blobName, byteSize, t0);
      } catch (e) {
        this.#queue.release(seg.id);
        ahead = undefined;
        if (signal.aborted) break;
        if (seg.evicted?.aborted) {
          this.#logger.info('upload abandoned: the cache evicted its segment', { segment: seg.id });
          continue;
        }
        if (back?.aborted) {
          attempt = 0;
          continue;
        } // the line is back: again, now
        this.#storageError(e, true);
        const waited = await this.#waitBeforeRetry(e, ++attempt, signal);
        if (waited === 'stopped') break;
        if (waited === 'line-back') attempt = 0;
      }
    }
    await confirming;
  }

  /** Starts reading the file of the segment `next()` would return now, if there is one. */
  #readAhead(): ReadAhead | undefined {
    const seg = this.#queue.peekNext?.();
    if (!seg) return undefined;
    const body = this.#store.readSegmentBody(seg);
    // Unused if the segment is evicted first; a failed read of one that is used surfaces when
    // its upload awaits it (and is retried like any failed upload).
    body.catch(() => {});
    return { seg, body };
  }

  #confirming = 0;

  /** The store has the segment: now (and only now) the cache may delete it. */
  async #confirm(seg: CachedSegment, blobName: string, byteSize: number, t0: number): Promise<void> {
    this.#confirming++;
    try {
      await this.#queue.markUploaded(seg.id);
      if (seg.evicted?.aborted) {
        // Evicted while its upload was landing: the index records it as a gap, so the blob goes too.
        await this.#store
          .deleteSegment(seg, this.#work.signal)
          .catch((e: unknown) =>
            this.#logger.warn('could not delete the blob of an evicted segment', { blobName, error: e instanceof Error ? e.message : String(e) }),
          );
        return;
      }
    } catch (e) {
      // Stored but not deleted: it will be uploaded again (same name, overwritten).
      this.#queue.release(seg.id);
      this.#logger.warn('could not remove an uploaded segment from the cache', { error: e instanceof Error ? e.message : String(e) });
      return;
    } finally {
      this.#confirming--;
    }
    this.uploaded++;
    this.#wakeIndex?.();
    const done = this.#now();
    this.#opts.metrics?.add('mediagraph_uploads_total');
    this.#opts.metrics?.set('mediagraph_upload_lag_seconds', Math.max(0, done - seg.endWallClockMs) / 1000);
    this.#events.emit('SegmentUploaded', { blobName, byteSize, uploadMs: done - t0, lagMs: Math.max(0, done - seg.endWallClockMs) });
    if (!this.#available) {
      this.#available = true;
      this.#events.emit('RecordingAvailable', { outputType: 'assetName', outputLocation: this.#store.assetName });
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

  /** The latest instant the indexes written by this run list as recorded. */
  #indexedThroughMs = Number.NEGATIVE_INFINITY;

  /** Whether the day index must be written now (see `indexIntervalMs`). */
  #indexDue(): boolean {
    if (this.#queue.pendingGaps().length > 0) return true;
    const ranges = this.#queue.pendingRanges();
    if (ranges.length === 0) return false;
    const first = ranges.reduce((m, r) => Math.min(m, r.startWallClockMs), Infinity);
    const last = ranges.reduce((m, r) => Math.max(m, r.endWallClockMs), -Infinity);
    if (last - first >= (this.#opts.indexIntervalMs ?? DEFAULT_INDEX_INTERVAL_MS)) return true;
    // older than what an index lists: a reader, listing only what is newer, would miss it
    return first < this.#indexedThroughMs - OUT_OF_ORDER_TOLERANCE_MS;
  }

  /** Writes ranges and gaps when due; a write covers everything that piled up until then. */
  async #indexLoop(stop: AbortSignal): Promise<void> {
    let failures = 0;
    const stopped = new Promise<void>((r) => stop.addEventListener('abort', () => r(), { once: true }));
    while (!stop.aborted) {
      if (this.#indexDue()) {
        const back = this.#uplink.backSignal;
        try {
          await this.#flushIndex(AbortSignal.any([stop, this.#work.signal, ...(back ? [back] : [])]));
          this.#storageAnswered();
          failures = 0;
          // a burst of gaps (a flapping camera) costs one index write per moment, not per gap
          await sleep(Math.min(this.#opts.indexIntervalMs ?? DEFAULT_INDEX_INTERVAL_MS, MIN_INDEX_SPACING_MS), stop).catch(() => {});
        } catch (e) {
          if (stop.aborted || this.#work.signal.aborted) break;
          if (back?.aborted) {
            failures = 0;
            continue;
          } // sent while the line was down; it is back
          this.#storageError(e, true);
          const waited = await this.#waitBeforeRetry(e, ++failures, stop);
          if (waited === 'stopped') break;
          if (waited === 'line-back') failures = 0;
        }
        continue;
      }
      const waitAbort = new AbortController();
      await Promise.race([
        new Promise<void>((r) => {
          this.#wakeIndex = r;
        }),
        this.#queue.gapsChanged(waitAbort.signal).catch(() => {}),
        stopped,
      ]);
      waitAbort.abort();
      this.#wakeIndex = undefined;
    }
  }

  async #flushIndex(signal: AbortSignal): Promise<void> {
    const cacheGaps: readonly CachedGap[] = this.#queue.pendingGaps();
    const cacheRanges: readonly CachedRange[] = this.#queue.pendingRanges();
    if (cacheRanges.length === 0 && cacheGaps.length === 0) return;
    // Every gap (camera lost, recorder stopped or down, evicted) is journalled by the cache, so
    // one lost to a crash or a dead uplink is indexed on the next run.
    await this.#store.recordInIndex(
      {
        ranges: cacheRanges.map((r) => ({ startMs: r.startWallClockMs, endMs: r.endWallClockMs })),
        gaps: cacheGaps.map((g) => ({ startMs: g.startWallClockMs, endMs: g.endWallClockMs, reason: g.reason })),
      },
      signal,
    );
    for (const r of cacheRanges) this.#indexedThroughMs = Math.max(this.#indexedThroughMs, r.endWallClockMs);
    // Recorded: the cache may forget them (ranges and gaps that grew meanwhile stay pending).
    await this.#queue.ackRanges(cacheRanges);
    await this.#queue.ackGaps(cacheGaps);
  }

  #storageAnswered(): void {
    this.#failureLog.succeeded();
    this.#uplink.succeeded();
  }

  /**
   * Waits before retry number `n` of a failed storage call: the capped backoff, or longer if
   * storage asked for it (Retry-After); cut short when the uplink watch sees the line come back.
   */
  async #waitBeforeRetry(e: unknown, n: number, stop: AbortSignal): Promise<'waited' | 'line-back' | 'stopped'> {
    const ms = delayBeforeRetry(e, backoffMs(n, this.#opts.backoffBaseMs ?? 500, this.#opts.backoffCapMs ?? 30_000));
    const back = this.#uplink.backSignal;
    try {
      await sleep(ms, back ? AbortSignal.any([stop, back]) : stop);
      return 'waited';
    } catch {
      return stop.aborted ? 'stopped' : 'line-back';
    }
  }

  #storageError(e: unknown, willRetry: boolean): void {
    if (willRetry) {
      this.#opts.metrics?.add('mediagraph_upload_retries_total');
      this.#uplink.failed();
    }
    const err = e instanceof AssetStoreError ? e : undefined;
    const message = err?.message ?? (e instanceof Error ? e.message : String(e));
    this.#events.emit('StorageError', {
      storageAccountName: this.#store.accountName,
      errorCode: err?.code ?? 'Error',
      message,
      willRetry,
    });
    this.#failureLog.failed({ code: err?.code, message, willRetry });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason);
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
