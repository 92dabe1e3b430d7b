// One shape for built-in and user node types (docs/architecture.md, Nodes). defineNode only fixes the
// types; the registry checks the definition, the compiler owns wiring, errors and teardown.
import type { NodeDefinition, NodeSpec } from '../types/node.ts';

export function defineNode<C extends NodeSpec>(definition: NodeDefinition<C>): NodeDefinition<C> {
  return Object.freeze(definition);
}
