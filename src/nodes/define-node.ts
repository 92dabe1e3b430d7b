// One shape for built-in and user node types (docs/architecture.md, "The node contract"). defineNode
// infers the configuration type (from `create`'s or `check`'s annotated parameter) and the ports
// from the literal, so `create` gets typed input streams and must return its output port's
// messages. The registry checks the definition at run time; the compiler owns routing inputs to
// ports, arity, error labelling and teardown (src/graph/compile.ts), so no node repeats them.
import type { InputPorts, NodeDefinition, NodeSpec, OutputPort } from '../types/node.ts';

export function defineNode<C extends NodeSpec, const I extends InputPorts = {}, const O extends OutputPort | null = null>(
  definition: NodeDefinition<C, I, O>,
): NodeDefinition<C, I, O> {
  return Object.freeze(definition);
}
