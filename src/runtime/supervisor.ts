// Keeps an active instance recording: when a node fails (an I/O error in the segmenter, a
// cache that cannot be opened, a storage client that threw), the whole pipeline is torn down
// and built again after a capped exponential backoff, the way MediaMTX restarts a source. A
// recorder that someone deployed and forgot must come back by itself; the host never sees the
// failure as the end of the run, so the instance stays Active.
//
// The supervisor also knows whether the instance is recording now: not while it waits to
// restart, and not while its camera is lost (StreamDisconnected until StreamReconnected).
// Readiness and /metrics report that, with the time it stopped.
import type { Subscription } from 'rxjs';
import { GraphRun, type GraphRunOptions, type GraphRunOutcome } from './graph-run.ts';
import { subjectFor } from './event-hub.ts';
import type { EventBodies } from '../types/events.ts';

export interface RestartPolicy {
  /** Wait before the first restart (default 1 s). */
  readonly initialDelayMs: number;
  /** Cap of the doubling wait (default 30 s). */
  readonly maxDelayMs: number;
  /** A run that lasted this long before failing counts as healthy: the backoff starts over (default 60 s). */
  readonly stableAfterMs: number;
}

export const DEFAULT_RESTART_POLICY: RestartPolicy = { initialDelayMs: 1000, maxDelayMs: 30_000, stableAfterMs: 60_000 };

export interface SupervisedRunOptions extends GraphRunOptions {
  readonly restartPolicy?: RestartPolicy;
  readonly now?: () => number;
}

export type NotRecordingReason = 'restarting' | 'camera-lost';

export interface RecordingState {
  readonly recording: boolean;
  /** Unix ms since when it is not recording. */
  readonly notRecordingSinceMs?: number;
  readonly reason?: NotRecordingReason;
  /** Restarts after node failures since activation. */
  readonly restarts: number;
  readonly lastFailure?: { readonly message: string; readonly atMs: number };
}

/** What the supervisor needs of one run of the pipeline. */
type Run = Pick<GraphRun, 'done' | 'stop' | 'forceStop'>;

/** A GraphRun that restarts itself after a node failure until it is stopped. */
export class SupervisedRun {
  readonly done: Promise<GraphRunOutcome>;
  readonly #opts: SupervisedRunOptions;
  readonly #policy: RestartPolicy;
  readonly #now: () => number;
  readonly #subject: string;
  #current: Run;
  #startedAtMs: number;
  #stopping = false;
  #attempt = 0;
  #restarts = 0;
  #timer: NodeJS.Timeout | undefined;
  #wakeFromBackoff: (() => void) | undefined;
  #downSinceMs: number | undefined;
  #cameraLostSinceMs: number | undefined;
  #lastFailure: RecordingState['lastFailure'];
  readonly #events: Subscription;

  /** Builds and starts the first run; throws (like GraphRun) when the graph cannot be compiled. */
  constructor(options: SupervisedRunOptions) {
    this.#opts = options;
    this.#policy = options.restartPolicy ?? DEFAULT_RESTART_POLICY;
    this.#now = options.now ?? Date.now;
    this.#subject = subjectFor(options.instanceName);
    this.#current = new GraphRun(options);
    this.#startedAtMs = this.#now();
    this.#events = options.hub.events$.subscribe((e) => {
      if (e.subject !== this.#subject && !e.subject.startsWith(`${this.#subject}/`)) return;
      if (e.type === 'StreamDisconnected') this.#cameraLostSinceMs ??= this.#now();
      else if (e.type === 'StreamReconnected' || e.type === 'MediaSessionEstablished') this.#cameraLostSinceMs = undefined;
    });
    this.done = this.#supervise().finally(() => this.#events.unsubscribe());
  }

  recordingState(): RecordingState {
    const base = { restarts: this.#restarts, ...(this.#lastFailure ? { lastFailure: this.#lastFailure } : {}) };
    if (this.#downSinceMs !== undefined) return { ...base, recording: false, notRecordingSinceMs: this.#downSinceMs, reason: 'restarting' };
    if (this.#cameraLostSinceMs !== undefined) return { ...base, recording: false, notRecordingSinceMs: this.#cameraLostSinceMs, reason: 'camera-lost' };
    return { ...base, recording: true };
  }

  /** Tears everything down now, without waiting for the drain. */
  forceStop(): void {
    this.#stopping = true;
    this.#endBackoff();
    this.#current.forceStop();
  }

  /** Asks the current run to drain and stop; no restart follows. */
  async stop(timeoutMs: number): Promise<GraphRunOutcome> {
    this.#stopping = true;
    if (this.#endBackoff()) return this.done;
    await this.#current.stop(timeoutMs);
    return this.done;
  }

  async #supervise(): Promise<GraphRunOutcome> {
    for (;;) {
      const outcome = await this.#current.done;
      // A clean end (drained, sources ended) or a stop: the run is over for good.
      if (outcome.error === undefined || this.#stopping) return outcome;
      const failedAt = this.#now();
      if (failedAt - this.#startedAtMs >= this.#policy.stableAfterMs) this.#attempt = 0;
      this.#attempt++;
      this.#downSinceMs ??= failedAt;
      this.#cameraLostSinceMs = undefined;
      const message = this.#opts.redactor.text(outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
      this.#lastFailure = { message, atMs: failedAt };
      const retryInMs = Math.min(this.#policy.maxDelayMs, this.#policy.initialDelayMs * 2 ** (this.#attempt - 1));
      this.#publish('RuntimeError', { code: 'NodeFailed', message });
      this.#publish('InstanceRestarting', { attempt: this.#attempt, retryInMs, error: { code: 'NodeFailed', message } });
      this.#opts.logger.error('a node failed; restarting the instance', { error: message, attempt: this.#attempt, retryInMs });
      await this.#backoff(retryInMs);
      if (this.#stopping) return { stoppedByTimeout: false };
      try {
        this.#current = new GraphRun(this.#opts);
      } catch (e) {
        // Compiling failed this time (it worked before): treat it like a node failure.
        this.#current = failedRun(e);
        continue;
      }
      this.#startedAtMs = this.#now();
      this.#restarts++;
      const downMs = this.#now() - (this.#downSinceMs ?? failedAt);
      this.#downSinceMs = undefined;
      this.#publish('InstanceRestarted', { attempt: this.#attempt, downMs });
      this.#opts.logger.info('instance restarted', { attempt: this.#attempt, downMs });
    }
  }

  #publish<K extends 'RuntimeError' | 'InstanceRestarting' | 'InstanceRestarted'>(type: K, body: EventBodies[K]): void {
    this.#opts.hub.publish(type, this.#subject, this.#opts.redactor.value(body));
  }

  #backoff(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      this.#wakeFromBackoff = resolve;
      this.#timer = setTimeout(() => {
        this.#wakeFromBackoff = undefined;
        resolve();
      }, ms);
    });
  }

  /** Ends a backoff wait early (a stop); true when one was running. */
  #endBackoff(): boolean {
    const wake = this.#wakeFromBackoff;
    if (!wake) return false;
    clearTimeout(this.#timer);
    this.#wakeFromBackoff = undefined;
    wake();
    return true;
  }
}

/** A run that has already failed: lets a restart whose compile threw go round the loop again. */
function failedRun(error: unknown): Run {
  const done = Promise.resolve<GraphRunOutcome>({ error, stoppedByTimeout: false });
  return { done, forceStop: () => {}, stop: () => done };
}
