// A NodeContext for running the cache and sink nodes directly (what the host gives a node).
import { Subject, asyncScheduler } from 'rxjs';
import type { NodeContext } from '../../src/types/node.ts';
import type { EventBodies, EventType } from '../../src/types/events.ts';
import type { Logger } from '../../src/types/logger.ts';
import { until as waitUntil } from '../helpers/until.ts';

export interface RecordedEvent {
  readonly type: EventType;
  readonly body: unknown;
  readonly node: string;
  readonly at: number;
}

export interface TestContext {
  readonly ctx: (nodeName: string) => NodeContext;
  readonly events: RecordedEvent[];
  /** Last value of each gauge and total of each counter, by metric name. */
  readonly metrics: Map<string, number>;
  readonly stop$: Subject<void>;
  of<K extends EventType>(type: K): EventBodies[K][];
}

const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quiet;
  },
};

export function testContext(services: { dataDirectory: string; blobConnection?: string }, instanceName = 'cam-1'): TestContext {
  const events: RecordedEvent[] = [];
  const metrics = new Map<string, number>();
  const stop$ = new Subject<void>();
  return {
    events,
    metrics,
    stop$,
    of: <K extends EventType>(type: K) => events.filter((e) => e.type === type).map((e) => e.body as EventBodies[K]),
    ctx: (nodeName) => {
      // Built first, then returned: hosts that predate `metrics` in NodeContext still type-check.
      const ctx = {
        instanceName,
        topologyName: 'CVR',
        nodeName,
        logger: quiet,
        events: {
          emit: <K extends EventType>(type: K, body: EventBodies[K]) => {
            events.push({ type, body, node: nodeName, at: Date.now() });
          },
        },
        metrics: {
          set: (name: string, value: number) => {
            metrics.set(name, value);
          },
          add: (name: string, delta = 1) => {
            metrics.set(name, (metrics.get(name) ?? 0) + delta);
          },
        },
        scheduler: asyncScheduler,
        stop$: stop$.asObservable(),
        services,
      };
      return ctx;
    },
  };
}

/** Polls `cond` until true or the deadline passes (then throws with `what`). */
export function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  return waitUntil(cond, timeoutMs, what);
}
