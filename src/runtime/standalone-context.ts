// A NodeContext for running node types outside a host (the `record` command, benchmarks):
// a redacting logger, events to a callback, the real clock.
import { asyncScheduler, type Observable } from 'rxjs';
import type { NodeContext, NodeServices } from '../types/node.ts';
import type { EventBodies, EventType } from '../types/events.ts';
import type { LogLevel } from '../types/logger.ts';
import { createLogger } from './logger.ts';
import type { Redactor } from './redact.ts';
import { MetricStore } from './metric-store.ts';

export interface StandaloneContextOptions {
  readonly nodeName: string;
  readonly instanceName?: string;
  readonly stop$: Observable<void>;
  readonly services: NodeServices;
  readonly redactor: Redactor;
  readonly logLevel?: LogLevel | 'silent';
  readonly onEvent?: <K extends EventType>(type: K, body: EventBodies[K]) => void;
}

export function standaloneContext(o: StandaloneContextOptions): NodeContext {
  return {
    instanceName: o.instanceName ?? 'standalone',
    topologyName: 'standalone',
    nodeName: o.nodeName,
    logger: createLogger({ level: o.logLevel ?? 'warn', redactor: o.redactor, bindings: { node: o.nodeName } }),
    events: { emit: (type, body) => o.onEvent?.(type, o.redactor.value(body)) },
    metrics: new MetricStore().bind({ node: o.nodeName }),
    scheduler: asyncScheduler,
    stop$: o.stop$,
    services: o.services,
  };
}
