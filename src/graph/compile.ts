// Compile a plan into one RxJS pipeline. Every node output is a connectable hot stream, so
// a node feeding two consumers runs once; connections are made downstream-first so no
// consumer misses the first message. A node error carries the node's name.
import { connectable, merge, Observable, Subject, ignoreElements, catchError, throwError, type Connectable, type Subscription } from 'rxjs';
import type { NodeContext, NodeOperator } from '../types/node.ts';
import { MediaGraphError } from '../types/errors.ts';
import type { Plan, PlannedNode } from './plan.ts';
import { selectMediaTypes } from './operators/select-media-types.ts';

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
      unsupported.map((n) => `node "${n.origin.name}" (${n.definition.type}) is not supported yet: ${n.definition.notSupportedYet ?? 'no implementation'}`).join('; '),
      unsupported.map((n) => ({ code: 'NodeTypeNotSupported' as const, target: `${n.origin.pointer}/@type`, message: `${n.definition.type} is not supported yet: ${n.definition.notSupportedYet ?? 'no implementation'}` })),
    );
  }

  const outputs = new Map<string, Connectable<unknown>>();
  const sinks: Observable<unknown>[] = [];
  for (const node of plan.nodes) {
    let operator: NodeOperator;
    try {
      operator = node.definition.create!(node.spec, contextFor(node));
    } catch (e) {
      if (e instanceof MediaGraphError) throw e;
      throw new MediaGraphError('ActivationFailed', `node "${node.origin.name}" (${node.definition.type}) could not start: ${e instanceof Error ? e.message : String(e)}`);
    }
    const inputs = (node.spec.inputs ?? []).map((input) => {
      const upstream = outputs.get(input.nodeName);
      if (!upstream) throw new MediaGraphError('InternalError', `input "${input.nodeName}" of "${node.name}" was not compiled first`);
      return input.outputSelectors?.length ? upstream.pipe(selectMediaTypes(input.outputSelectors)) : upstream;
    });
    const out$ = operator(inputs).pipe(catchError((e: unknown) => throwError(() => (e instanceof NodeFailure ? e : new NodeFailure(node.origin.name === node.name ? node.name : `${node.origin.name}/${node.name}`, e)))));
    if (node.definition.role === 'sink' || node.definition.output === null) sinks.push(out$);
    else outputs.set(node.name, connectable(out$, { connector: () => new Subject<unknown>(), resetOnDisconnect: false }));
  }
  const order = plan.nodes.filter((n) => outputs.has(n.name)).reverse();
  const run$ = new Observable<never>((subscriber) => {
    const sub = merge(...sinks).pipe(ignoreElements()).subscribe(subscriber);
    const connections: Subscription[] = [];
    for (const n of order) {
      if (sub.closed) break;
      connections.push(outputs.get(n.name)!.connect());
    }
    return () => {
      sub.unsubscribe();
      for (const c of connections) c.unsubscribe();
    };
  });
  return { run$ };
}
