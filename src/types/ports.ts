// The typed node contract (docs/architecture.md, "The node contract"): every port kind names the
// message type that travels on its edges, so a node's inputs and output are typed Observables and
// a wrong wiring in code fails to compile; graph validation checks the same kinds at run time.
import type { Observable } from 'rxjs';
import type { SegmentQueueMessage } from './cache.ts';
import type { MediaMessage } from './media.ts';
import type { SegmentStreamMessage } from './segment.ts';
import type { SignalMessage } from './signal.ts';

/**
 * Port kind → message type. A plugin adds a kind of its own by augmenting this interface
 * (`declare module 'mediagraph' { interface PortMessages { 'my-kind': MyMessage } }`).
 */
export interface PortMessages {
  /** Tracks, samples, discontinuities: what a source delivers (src/types/media.ts). */
  media: MediaMessage;
  /** Finished segment files and gaps: what a segmenter delivers (src/types/segment.ts). */
  segment: SegmentStreamMessage;
  /** The durable cache's pull-queue handle, emitted once (src/types/cache.ts). One consumer only. */
  'cached-segment': SegmentQueueMessage;
  /** Triggers for a signal gate (src/types/signal.ts). */
  signal: SignalMessage;
}

/** What travels on an edge. Validation checks that connected ports agree. */
export type PortKind = keyof PortMessages & string;

/** A named input of a node type. Topology inputs are routed to ports by the kind their upstream emits. */
export interface InputPort<K extends PortKind = PortKind> {
  /** The kind, or kinds, of upstream output this port accepts. */
  readonly kind: K | readonly K[];
  /** Fewest topology inputs (edges) on this port; default 1. 0 makes it optional (an empty stream). */
  readonly min?: number;
  /** Most topology inputs on this port; default 1. Several edges arrive merged into one stream. */
  readonly max?: number;
}

/** The one output of a processor or source. */
export interface OutputPort<K extends PortKind = PortKind> {
  readonly kind: K;
  /**
   * Set when what the port emits can be used by one consumer only (a pull-queue handle that
   * hands each segment out once): validation rejects a second input wired to this node.
   */
  readonly singleConsumer?: boolean;
}

export type InputPorts = { readonly [name: string]: InputPort };

/** The kinds an input port accepts, as a union. */
export type AcceptedKinds<P extends InputPort> = P['kind'] extends readonly (infer K)[] ? K : P['kind'];

/** The message type arriving on an input port (a union when it accepts several kinds). */
export type InputMessage<P extends InputPort> = PortMessages[AcceptedKinds<P> & PortKind];

/** What `create` gets: one typed stream per named input port. */
export type NodeInputs<I extends InputPorts> = { readonly [N in keyof I]: Observable<InputMessage<I[N]>> };

/** What a node returns: its output port's messages; a sink's stream completes when it has drained (its values are ignored). */
export type NodeOutput<O extends OutputPort | null> = O extends OutputPort<infer K> ? Observable<PortMessages[K]> : Observable<unknown>;

/**
 * A node at run time: turns its named input streams into its output stream. Written as a method
 * type so that a definition with specific ports is still a plain `NodeDefinition` in a registry
 * (parameters compare bivariantly there); a call such as `operator({ media: segments$ })` is
 * still checked exactly.
 */
export type NodeOperator<I extends InputPorts = InputPorts, O extends OutputPort | null = OutputPort | null> = {
  operator(inputs: NodeInputs<I>): NodeOutput<O>;
}['operator'];
