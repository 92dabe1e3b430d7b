// A NodeContext for running the cache and sink nodes directly (what the host gives a node).
import { Subject, asyncScheduler } from 'rxjs';
import type { NodeContext } from '../../src/types/node.ts';
import type { EventBodies, EventType } from '../../src/types/events.ts';
import type { Logger } from '../../src/types/logger.ts';

export interface RecordedEvent { readonly type: EventType; readonly body: unknown; readonly node: string; readonly at: number }

export interface TestContext {
  readonly ctx: (nodeName: string) => NodeContext;
  readonly events: RecordedEvent[];
  readonly stop$: Subject<void>;
  of<K extends EventType>(type: K): EventBodies[K][];
}

const quiet: Logger = { debug() {}, info() {}, warn() {}, error() {}, child() { return quiet; } };

export function testContext(services: { dataDirectory: string; blobConnection?: string }, instanceName = 'cam-1'): TestContext {
  const events: RecordedEvent[] = [];
  const stop$ = new Subject<void>();
  return {
    events,
    stop$,
    of: <K extends EventType>(type: K) => events.filter((e) => e.type === type).map((e) => e.body as EventBodies[K]),
    ctx: (nodeName) => ({
      instanceName,
      topologyName: 'CVR',
      nodeName,
      logger: quiet,
      events: { emit: (type, body) => { events.push({ type, body, node: nodeName, at: Date.now() }); } },
      scheduler: asyncScheduler,
      stop$: stop$.asObservable(),
      services,
    }),
  };
}

/** Polls `cond` until true or the deadline passes (then throws with `what`). */
export async function until(cond: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
