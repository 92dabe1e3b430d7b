// Compile a plan into one RxJS pipeline. Every node output is a connectable hot stream, so
// a node feeding two consumers runs once; connections are made downstream-first so no
// consumer misses the first message. This is where every node's lifecycle is handled, so no
// node repeats it: inputs routed to named ports (several merged, none empty), a start failure
// reported as ActivationFailed, a run-time error labelled with the node's name, sinks awaited.
import { connectable, merge, EMPTY, Observable, Subject, ignoreElements, catchError, throwError, type Connectable, type Subscription } from 'rxjs';
import type { NodeContext, NodeInputs, NodeOperator, InputPorts, PortMessages, PortKind } from '../types/node.ts';
import { MediaGraphError } from '../types/errors.ts';
import type { Plan, PlannedNode } from './plan.ts';
import { selectMediaTypes } from './operators/select-media-types.ts';
import { routeInputs } from './ports.ts';

/** A message on some edge: the compiler moves them without looking inside. */
type AnyMessage = PortMessages[PortKind];

export class NodeFailure extends Error {
  constructor(
    readonly nodeName: string,
    override readonly cause: unknown,
  ) {
    super(`node "${nodeName}" failed: ${cause instanceof Error ? cause.message : String(cause)}`);
    this.name = 'NodeFailure';
  }
}

export interface CompiledGraph {
  /** Subscribing starts every node; completes when every sink has completed. */
  readonly run$: Observable<never>;
}

export function compileGraph(plan: Plan, contextFor: (node: PlannedNode) => NodeContext): CompiledGraph {
  const unsupported = plan.nodes.filter((n) => n.definition.notSupportedYet || !n.definition.create);
  if (unsupported.length) {
    throw new MediaGraphError(
      'NodeTypeNotSupported',
      unsupported
        .map((n) => `node "${n.origin.name}" (${n.definition.type}) is not supported yet: ${n.definition.notSupportedYet ?? 'no implementation'}`)
        .join('; '),
      unsupported.map((n) => ({
        code: 'NodeTypeNotSupported' as const,
        target: `${n.origin.pointer}/@type`,
        message: `${n.definition.type} is not supported yet: ${n.definition.notSupportedYet ?? 'no implementation'}`,
      })),
    );
  }

  const outputs = new Map<string, { readonly kind: string; readonly stream: Connectable<AnyMessage> }>();
  const sinks: Observable<unknown>[] = [];
  for (const node of plan.nodes) {
    let operator: NodeOperator;
    try {
      operator = node.definition.create!(node.spec, contextFor(node));
    } catch (e) {
      if (e instanceof MediaGraphError) throw e;
      throw new MediaGraphError(
        'ActivationFailed',
        `node "${node.origin.name}" (${node.definition.type}) could not start: ${e instanceof Error ? e.message : String(e)}`,
      );
    }
    const edges = (node.spec.inputs ?? []).map((input) => {
      const upstream = outputs.get(input.nodeName);
      if (!upstream) throw new MediaGraphError('InternalError', `input "${input.nodeName}" of "${node.name}" was not compiled first`);
      // selectors apply to media only (validation refuses them elsewhere)
      const stream: Observable<AnyMessage> = input.outputSelectors?.length
        ? (upstream.stream as Observable<PortMessages['media']>).pipe(selectMediaTypes(input.outputSelectors))
        : upstream.stream;
      return { kind: upstream.kind, stream };
    });
    const started: Observable<unknown> = operator(bindPorts(node, edges));
    const out$ = started.pipe(
      catchError((e: unknown) =>
        throwError(() => (e instanceof NodeFailure ? e : new NodeFailure(node.origin.name === node.name ? node.name : `${node.origin.name}/${node.name}`, e))),
      ),
    );
    const output = node.definition.output;
    if (node.definition.role === 'sink' || output === null) sinks.push(out$);
    // what a node with an output port emits is that port's kind: its create() was typed so (defineNode)
    else
      outputs.set(node.name, {
        kind: output.kind,
        stream: connectable(out$ as Observable<AnyMessage>, { connector: () => new Subject<AnyMessage>(), resetOnDisconnect: false }),
      });
  }
  const order = plan.nodes.filter((n) => outputs.has(n.name)).reverse();
  const run$ = new Observable<never>((subscriber) => {
    const sub = merge(...sinks)
      .pipe(ignoreElements())
      .subscribe(subscriber);
    const connections: Subscription[] = [];
    for (const n of order) {
      if (sub.closed) break;
      connections.push(outputs.get(n.name)!.stream.connect());
    }
    return () => {
      sub.unsubscribe();
      for (const c of connections) c.unsubscribe();
    };
  });
  return { run$ };
}

/** Routes a node's incoming edges to its named ports: one edge as is, several merged, none empty. */
function bindPorts(node: PlannedNode, edges: readonly { readonly kind: string; readonly stream: Observable<AnyMessage> }[]): NodeInputs<InputPorts> {
  const ports = node.definition.inputs;
  const routing = routeInputs(
    ports,
    edges.map((e) => e.kind),
  );
  const problem =
    routing.mismatched.length || routing.overflow.length
      ? `its inputs do not fit its ports (${edges.map((e) => e.kind).join(', ')})`
      : routing.unfilled.map((u) => `port "${u.port}" needs ${u.min} input(s), got ${u.count}`).join('; ');
  if (problem) throw new MediaGraphError('ActivationFailed', `node "${node.origin.name}" (${node.definition.type}) could not start: ${problem}`);
  const bound: Record<string, Observable<AnyMessage>> = {};
  for (const name of Object.keys(ports)) {
    const streams = edges.filter((_, i) => routing.ports[i] === name).map((e) => e.stream);
    bound[name] = streams.length === 0 ? EMPTY : streams.length === 1 ? streams[0]! : merge(...streams);
  }
  return bound;
}
