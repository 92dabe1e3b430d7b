// Supervisor for anything that reconnects (docs/architecture.md, Conventions): each attempt is a fresh
// Observable; on failure or an unexpected end the supervisor emits a Discontinuity, waits
// a capped exponential backoff with jitter, and tries again, until stop$ fires. Time comes
// from the scheduler so marble tests run it in virtual time.
//
// A long backoff is kind to a camera that keeps failing, but it also delays the return of one
// that was simply switched off: after a minute down the next attempt may be half a minute
// away. So while the backoff runs, an optional cheap probe (a TCP connect) is tried every
// `probeIntervalMs`; when it sees the peer come back after having seen it gone, the wait ends
// and the next attempt starts at once. A peer that answers the probe but fails the real
// attempt (bad credentials, no stream) keeps the normal backoff.
import { Observable, Subscription, type SchedulerLike } from 'rxjs';
import type { Discontinuity, MediaMessage } from '../../types/media.ts';

export interface BackoffPolicy {
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  readonly factor: number;
  /** 0..1: the delay is scaled by a random factor in [1 - jitter, 1]. */
  readonly jitter: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { initialDelayMs: 500, maxDelayMs: 30_000, factor: 2, jitter: 0.3 };

export function backoffDelay(policy: BackoffPolicy, attempt: number, random: () => number): number {
  const base = Math.min(policy.maxDelayMs, policy.initialDelayMs * policy.factor ** Math.max(0, attempt - 1));
  return Math.round(base * (1 - policy.jitter * random()));
}

export interface OutageReport {
  readonly attempt: number;
  readonly error: unknown;
  readonly reason: string;
  readonly retryInMs: number;
  /** True when the failure happened before any media arrived in this attempt. */
  readonly beforeMedia: boolean;
}

export interface SuperviseOptions {
  readonly policy?: BackoffPolicy;
  readonly scheduler: SchedulerLike;
  readonly stop$: Observable<void>;
  readonly random?: () => number;
  /** Classifies an error: 'fatal' ends the stream with that error (e.g. an invalid URL). */
  readonly classify?: (error: unknown) => 'retry' | 'fatal';
  readonly onOutage?: (report: OutageReport) => void;
  readonly onRecovered?: (outageMs: number) => void;
  /** Cheap reachability check run during the backoff wait (first value counts). */
  readonly probe?: () => Observable<boolean>;
  /** Period of the probe (default 1000 ms). */
  readonly probeIntervalMs?: number;
}

/**
 * Runs `connect()` until stop$, reconnecting on errors and on completion. The output ends
 * with an End message after stop$. The backoff resets once an attempt has delivered media.
 */
export function supervise(connect: () => Observable<MediaMessage>, options: SuperviseOptions): Observable<MediaMessage> {
  const policy = options.policy ?? DEFAULT_BACKOFF;
  const random = options.random ?? Math.random;
  return new Observable<MediaMessage>((subscriber) => {
    let failures = 0;
    let stopped = false;
    let current: Subscription | undefined;
    let timer: Subscription | undefined;
    let probing: Subscription | undefined;
    let lastMediaWallClockMs: number | undefined;
    let outageStartedAt: number | undefined;

    const finish = () => {
      if (stopped) return;
      stopped = true;
      current?.unsubscribe();
      timer?.unsubscribe();
      probing?.unsubscribe();
      subscriber.next({ kind: 'end' });
      subscriber.complete();
    };

    const start = (): void => {
      if (stopped) return;
      timer?.unsubscribe();
      probing?.unsubscribe();
      let sawMedia = false;
      current = connect().subscribe({
        next: (m) => {
          if (m.kind === 'end') return; // an attempt's own end is a disconnect, handled below
          if (m.kind === 'sample') {
            if (!sawMedia) {
              sawMedia = true;
              failures = 0;
              if (outageStartedAt !== undefined) {
                options.onRecovered?.(options.scheduler.now() - outageStartedAt);
                outageStartedAt = undefined;
              }
            }
            lastMediaWallClockMs = m.wallClockMs;
          }
          subscriber.next(m);
        },
        error: (e: unknown) => retry(e, sawMedia),
        complete: () => retry(new Error('the stream ended'), sawMedia),
      });
    };

    const retry = (error: unknown, sawMedia: boolean): void => {
      if (stopped) return;
      if (options.classify?.(error) === 'fatal') {
        stopped = true;
        subscriber.error(error);
        return;
      }
      failures++;
      const delay = backoffDelay(policy, failures, random);
      outageStartedAt ??= options.scheduler.now();
      const discontinuity: Discontinuity = {
        kind: 'discontinuity',
        reason: 'reconnect',
        atWallClockMs: options.scheduler.now(),
        ...(lastMediaWallClockMs !== undefined ? { lastMediaWallClockMs } : {}),
      };
      // one Discontinuity per outage: only an attempt that had delivered media breaks the stream
      if (sawMedia) subscriber.next(discontinuity);
      options.onOutage?.({
        attempt: failures,
        error,
        reason: error instanceof Error ? error.message : String(error),
        retryInMs: delay,
        beforeMedia: !sawMedia,
      });
      timer = options.scheduler.schedule(start, delay);
      if (options.probe) probeUntilBack(options.probe, options.probeIntervalMs ?? 1000);
    };

    /** Probes while the backoff runs; a peer seen gone and then back ends the wait. */
    const probeUntilBack = (probe: () => Observable<boolean>, intervalMs: number): void => {
      let sawGone = false;
      const loop = new Subscription();
      probing = loop;
      const tick = (): void => {
        if (stopped || loop.closed) return;
        let answered = false;
        const answer = (reachable: boolean): void => {
          if (answered || loop.closed) return;
          answered = true;
          if (!reachable) sawGone = true;
          else if (sawGone) {
            start();
            return;
          }
          loop.add(options.scheduler.schedule(tick, intervalMs));
        };
        loop.add(probe().subscribe({ next: answer, error: () => answer(false), complete: () => answer(false) }));
      };
      loop.add(options.scheduler.schedule(tick, intervalMs));
    };

    const stopSub = options.stop$.subscribe(() => finish());
    start();
    return () => {
      stopped = true;
      stopSub.unsubscribe();
      current?.unsubscribe();
      timer?.unsubscribe();
      probing?.unsubscribe();
    };
  });
}
