// A NodeContext for tests of the segmenter and file sink: real scheduler (or a given one),
// recorded events and log lines, data directory in a temp folder.
import { asyncScheduler, NEVER, type SchedulerLike } from 'rxjs';
import type { EventBodies, EventType } from '../../src/types/events.ts';
import type { Logger } from '../../src/types/logger.ts';
import type { NodeContext } from '../../src/types/node.ts';

export interface RecordingContext extends NodeContext {
  readonly recorded: { type: EventType; body: EventBodies[EventType] }[];
  readonly logs: { level: string; message: string }[];
}

export function testContext(dataDirectory: string, scheduler: SchedulerLike = asyncScheduler, nodeName = 'segmenter'): RecordingContext {
  const recorded: RecordingContext['recorded'] = [];
  const logs: RecordingContext['logs'] = [];
  const logger: Logger = {
    debug: (message) => void logs.push({ level: 'debug', message }),
    info: (message) => void logs.push({ level: 'info', message }),
    warn: (message) => void logs.push({ level: 'warn', message }),
    error: (message) => void logs.push({ level: 'error', message }),
    child: () => logger,
  };
  return {
    instanceName: 'inst', topologyName: 'topo', nodeName, logger, scheduler, stop$: NEVER,
    events: { emit: (type, body) => void recorded.push({ type, body: body as EventBodies[EventType] }) },
    services: { dataDirectory },
    metrics: { set: () => undefined, add: () => undefined },
    recorded, logs,
  };
}
