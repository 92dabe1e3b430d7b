// Marble-test helpers for node types, built-in or a user's own (`mediagraph/testing`), in
// the way `rxjs/testing` is used: TestScheduler with node's deep equality, a NodeContext
// whose scheduler is virtual time, and a record of the events a node emitted.
import { deepStrictEqual } from 'node:assert/strict';
import { NEVER, type Observable, type SchedulerLike } from 'rxjs';
import { TestScheduler, type RunHelpers } from 'rxjs/testing';
import type { EventBodies, EventBus, EventType } from '../types/events.ts';
import type { Logger } from '../types/logger.ts';
import type { MetricSample } from '../types/metrics.ts';
import { MetricStore } from '../runtime/metric-store.ts';
import type { InputPorts, NodeContext, NodeDefinition, NodeOperator, NodeServices, NodeSpec, OutputPort } from '../types/node.ts';
import { nodeSchemaFor } from '../graph/document-schemas.ts';
import { normalizeBySchema } from '../graph/normalize.ts';
import { schemaIssues } from '../graph/schema-check.ts';

export interface RecordedEvent<K extends EventType = EventType> {
  readonly type: K;
  readonly body: EventBodies[K];
  /** Virtual (or real) time at which the node emitted it. */
  readonly time: number;
}

export interface TestNodeContext extends NodeContext {
  readonly recordedEvents: RecordedEvent[];
  readonly logLines: { level: string; message: string; fields?: Record<string, unknown> }[];
  /** Gauges and counters the node reported. */
  metricValues(): MetricSample[];
}

export interface TestContextOptions {
  readonly scheduler: SchedulerLike;
  readonly stop$?: Observable<void>;
  readonly services?: Partial<NodeServices>;
  readonly nodeName?: string;
  readonly instanceName?: string;
  readonly topologyName?: string;
}

export function createTestContext(options: TestContextOptions): TestNodeContext {
  const recordedEvents: RecordedEvent[] = [];
  const logLines: TestNodeContext['logLines'] = [];
  const metricStore = new MetricStore();
  const logger: Logger = {
    debug: (message, fields) => void logLines.push({ level: 'debug', message, fields }),
    info: (message, fields) => void logLines.push({ level: 'info', message, fields }),
    warn: (message, fields) => void logLines.push({ level: 'warn', message, fields }),
    error: (message, fields) => void logLines.push({ level: 'error', message, fields }),
    child: () => logger,
  };
  const events: EventBus = {
    emit: (type, body) => void recordedEvents.push({ type, body, time: options.scheduler.now() } as RecordedEvent),
  };
  return {
    instanceName: options.instanceName ?? 'test-instance',
    topologyName: options.topologyName ?? 'test-topology',
    nodeName: options.nodeName ?? 'node',
    logger,
    events,
    metrics: metricStore.bind({ node: options.nodeName ?? 'node' }),
    metricValues: () => metricStore.snapshot(),
    scheduler: options.scheduler,
    stop$: options.stop$ ?? NEVER,
    services: { dataDirectory: options.services?.dataDirectory ?? '/nonexistent-mediagraph-test-dir', ...options.services },
    recordedEvents,
    logLines,
  };
}

/**
 * Builds a node from its definition and properties the way a topology would: the
 * properties are checked against the type's schema and rules first (a test of a bad
 * configuration fails here with the same message a user would see). The result takes one
 * typed stream per input port, as in the graph: `node({ media: cold('a-b|', values) })`.
 */
export function instantiateNode<C extends NodeSpec, I extends InputPorts, O extends OutputPort | null>(
  definition: NodeDefinition<C, I, O>,
  properties: Omit<C, '@type' | 'name' | 'inputs'> & Record<string, unknown>,
  context: NodeContext,
): NodeOperator<I, O> {
  // one upstream per port, named after it, so that a node reading `inputs` of its own spec finds them
  const raw = {
    '@type': definition.type,
    name: context.nodeName,
    ...(definition.role === 'source' ? {} : { inputs: Object.keys(definition.inputs).map((port) => ({ nodeName: port })) }),
    ...properties,
  } as Record<string, unknown>;
  const schema = nodeSchemaFor(definition);
  const spec = normalizeBySchema(raw, schema) as C;
  const problems = [...schemaIssues(schema, spec, '', 'topology', definition.type), ...(definition.check?.(spec, { raw: spec, unresolved: new Set() }) ?? [])];
  if (problems.length) throw new Error(`invalid properties for ${definition.type}: ${problems.map((p) => `${p.pointer}: ${p.message}`).join('; ')}`);
  if (!definition.create) throw new Error(`${definition.type} has no create(): ${definition.notSupportedYet ?? 'composite types expand into other nodes'}`);
  return definition.create(spec, context);
}

/** Runs a marble test with node:assert's deep equality (works under node:test and any runner). */
export function marbleTest(body: (helpers: RunHelpers & { scheduler: TestScheduler }) => void): void {
  const scheduler = new TestScheduler((actual, expected) => deepStrictEqual(actual, expected));
  scheduler.run((helpers) => body({ ...helpers, scheduler }));
}
