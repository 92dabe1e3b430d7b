// Node types are registered explicitly into a registry instance, never a module global
// (docs/architecture.md, Nodes), so hosts and tests each have their own.
import type { NodeDefinition, NodeSpec, NodeTypeLookup } from '../types/node.ts';
import { MediaGraphError } from '../types/errors.ts';

export type { NodeTypeLookup } from '../types/node.ts';

/** `#Vendor.Namespace.TypeName`: a leading `#`, dot-separated identifiers, at least two. */
const TYPE_PATTERN = /^#[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

export class NodeRegistry implements NodeTypeLookup {
  readonly #byLowerType = new Map<string, NodeDefinition>();

  register<C extends NodeSpec>(definition: NodeDefinition<C>): this {
    const problem = describeProblem(definition as unknown as NodeDefinition);
    if (problem) throw new MediaGraphError('RegistrationInvalid', problem);
    const key = definition.type.toLowerCase();
    if (this.#byLowerType.has(key)) {
      throw new MediaGraphError('RegistrationInvalid', `node type ${definition.type} is already registered`);
    }
    this.#byLowerType.set(key, definition as unknown as NodeDefinition);
    return this;
  }

  get(type: string): NodeDefinition | undefined {
    return this.#byLowerType.get(type.toLowerCase());
  }

  list(): readonly NodeDefinition[] {
    return [...this.#byLowerType.values()];
  }
}

function describeProblem(d: NodeDefinition): string | undefined {
  if (typeof d !== 'object' || d === null) return 'a node definition must be an object';
  if (typeof d.type !== 'string' || !TYPE_PATTERN.test(d.type)) {
    return `node type ${JSON.stringify(d.type)} is malformed: expected "#Vendor.Name" (a leading #, dot-separated identifiers)`;
  }
  if (!['source', 'processor', 'sink'].includes(d.role)) return `node type ${d.type}: role must be source, processor or sink`;
  if (typeof d.configSchema !== 'object' || d.configSchema === null) return `node type ${d.type}: configSchema must be a JSON Schema object`;
  if (d.role === 'source' && d.inputs.length > 0) return `node type ${d.type}: a source takes no inputs`;
  if (d.role !== 'source' && d.inputs.length === 0) return `node type ${d.type}: a ${d.role} needs at least one input port kind`;
  if (!d.create && !d.expand && !d.notSupportedYet) return `node type ${d.type}: needs create, expand or notSupportedYet`;
  return undefined;
}
