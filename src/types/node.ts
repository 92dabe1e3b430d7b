// The contract between the graph compiler and node implementations (docs/architecture.md,
// Nodes and Conventions). A node gets a narrow NodeContext, never the host.
import type { Observable, SchedulerLike } from 'rxjs';
import type { EventBus } from './events.ts';
import type { Logger } from './logger.ts';
import type { RetentionService } from './retention.ts';
import type { CacheQuotaService } from './cache-quota.ts';
import type { NodeMetrics } from './metrics.ts';
import type { InputPorts, NodeOperator, OutputPort } from './ports.ts';

export type * from './ports.ts';

export type NodeRole = 'source' | 'processor' | 'sink';

/** A JSON Schema object (draft 2020-12 subset understood by ajv). */
export type JsonSchema = { readonly [key: string]: unknown };

/** A rule violation found while checking a node's configuration. */
export interface ConfigIssue {
  /** JSON pointer relative to the node object, e.g. `/segmentLength`. */
  readonly pointer: string;
  readonly code: string;
  readonly message: string;
}

/**
 * Coordinates a full disk inside one instance: nodes that hold reclaimable data (the durable
 * cache) register a reclaimer; a node whose write failed with ENOSPC (the segmenter) asks
 * for space before giving up, so the oldest cached data goes before the newest is dropped.
 */
export interface DiskSpaceBroker {
  /** `reclaim` frees some space (e.g. evicts the oldest segment) and says whether it did. */
  register(reclaim: () => Promise<boolean>): () => void;
  /** Asks each reclaimer in turn; true as soon as one freed something. */
  reclaim(): Promise<boolean>;
}

/**
 * Fleet mode (docs/fleet.md, Fencing): whether media recorded at a wall-clock time may still be
 * kept by this host, i.e. was recorded while it surely held the instance's lease.
 */
export interface RecordingFence {
  allows(wallClockMs: number): boolean;
}

/** Services an instance offers its nodes. Optional ones are present when the host has them. */
export interface NodeServices {
  /** Directory where node types may keep per-instance state (caches, temp files). */
  readonly dataDirectory: string;
  /** Blob store connection for asset sinks (connection string, SAS URL or account URL). */
  readonly blobConnection?: string;
  /** One per activation; absent when a node runs on its own (then a full disk drops the segment). */
  readonly diskSpace?: DiskSpaceBroker;
  /** The host's retention sweep; absent when a node runs on its own (then nothing is deleted). */
  readonly retention?: RetentionService;
  /** The host's quota over all local caches; absent when the host has none. */
  readonly cacheQuota?: CacheQuotaService;
  /** Fleet mode: the instance's lease fence; absent outside a fleet (everything is kept). */
  readonly recordingFence?: RecordingFence;
  readonly [name: string]: unknown;
}

export interface NodeContext {
  readonly instanceName: string;
  readonly topologyName: string;
  readonly nodeName: string;
  readonly logger: Logger;
  /** Publishes typed events; the subject (`/graphInstances/i/sinks/n`) is filled in for the node. */
  readonly events: EventBus;
  /** Gauges and counters for `/metrics` and the status line, labelled with instance and node. */
  readonly metrics: NodeMetrics;
  /** Scheduler for everything time-based, so marble tests run in virtual time. */
  readonly scheduler: SchedulerLike;
  /** Emits once when the instance is asked to deactivate: sources end, sinks drain. */
  readonly stop$: Observable<void>;
  readonly services: NodeServices;
}

/** A node as written in a topology, after parameter substitution and key normalisation. */
export interface NodeSpec {
  readonly '@type': string;
  readonly name: string;
  readonly inputs?: readonly NodeInputSpec[];
  readonly [property: string]: unknown;
}

export interface OutputSelector {
  readonly property: 'mediaType';
  readonly operator: 'is' | 'isNot';
  readonly value: 'video' | 'audio' | 'application';
}

export interface NodeInputSpec {
  readonly nodeName: string;
  readonly outputSelectors?: readonly OutputSelector[];
}

/** What a node's `check` is told besides its configuration (see NodeDefinition.check). */
export interface CheckContext {
  readonly raw: NodeSpec;
  readonly unresolved: ReadonlySet<string>;
  readonly apiVersion?: '1.0' | '2.0';
  readonly patterns?: NodeSpec;
}

/**
 * A node type. `I` names its input ports and `O` is its output port (null for a sink), so `create`
 * gets typed streams (`inputs.media: Observable<MediaMessage>`) and must return its port's
 * messages. Write one with `defineNode`, which infers both from the literal. The functions are
 * methods so that a definition with a specific configuration and ports is still a plain
 * `NodeDefinition` in a registry.
 */
export interface NodeDefinition<Config extends NodeSpec = NodeSpec, I extends InputPorts = InputPorts, O extends OutputPort | null = OutputPort | null> {
  /** The `@type` discriminator, e.g. `#Microsoft.Media.MediaGraphRtspSource`. */
  readonly type: string;
  readonly role: NodeRole;
  readonly description: string;
  /** JSON Schema of the node object's own properties (besides `@type`, `name`, `inputs`). */
  readonly configSchema: JsonSchema;
  /** Named input ports (`{}` for sources); a topology's inputs are routed to them by kind. */
  readonly inputs: I;
  /** The output port, or null for sinks that emit nothing downstream. */
  readonly output: O;
  /**
   * Rules beyond the schema (ranges, patterns that depend on other properties), run on the
   * configuration after parameter substitution. `raw` is the node as written, before
   * substitution (e.g. to require a `${System.*}` variable in a name pattern); `unresolved`
   * lists pointers (relative to the node) whose value still holds a reference because the
   * topology is validated without an instance: skip value checks there. `apiVersion` is the
   * document's (rules only one LVA version had); `patterns` is the node after parameter
   * substitution with `${System.*}` kept, present only when an instance is validated with the
   * topology (instance set, activation): a rule about what a parameter brings is judged on it.
   */
  check?(config: Config, context: CheckContext): readonly ConfigIssue[];
  /**
   * Composite nodes expand into native nodes instead of running themselves. The last node
   * of the returned chain takes the composite's name so downstream references still work.
   */
  expand?(config: Config): readonly NodeSpec[];
  /**
   * Checks, before the instance becomes Active, that what the node needs outside the process
   * is usable (e.g. a cache folder no other live process holds). Throwing fails the
   * activation with LVA's 409 ResourceValidationError and the thrown message.
   */
  prepare?(config: Config, context: Pick<NodeContext, 'instanceName' | 'nodeName' | 'services'>): void | Promise<void>;
  /** Set when the type validates but cannot run yet: activation fails with this reason. */
  readonly notSupportedYet?: string;
  /**
   * Builds the node for one activation. Inputs arrive already routed to their ports and
   * counted; errors are labelled with the node's name and tear the instance down; a sink's
   * output is only awaited. What is left to the node is its own work and its own teardown.
   */
  create?(config: Config, context: NodeContext): NodeOperator<I, O>;
}

/** Where validation and planning look node types up (a registry); read-only. */
export interface NodeTypeLookup {
  /** Finds a type case-insensitively (LVA accepted any casing). */
  get(type: string): NodeDefinition | undefined;
  list(): readonly NodeDefinition[];
}
