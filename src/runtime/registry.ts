// Node types are registered explicitly into a registry instance, never a module global
// (docs/architecture.md, Nodes), so hosts and tests each have their own.
import type { NodeDefinition, NodeTypeLookup } from '../types/node.ts';
import { MediaGraphError } from '../types/errors.ts';

export type { NodeTypeLookup } from '../types/node.ts';

/** `#Vendor.Namespace.TypeName`: a leading `#`, dot-separated identifiers, at least two. */
const TYPE_PATTERN = /^#[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z][A-Za-z0-9_]*)+$/;

export class NodeRegistry implements NodeTypeLookup {
  readonly #byLowerType = new Map<string, NodeDefinition>();

  register(definition: NodeDefinition): this {
    const problem = describeProblem(definition);
    if (problem) throw new MediaGraphError('RegistrationInvalid', problem);
    const key = definition.type.toLowerCase();
    if (this.#byLowerType.has(key)) {
      throw new MediaGraphError('RegistrationInvalid', `node type ${definition.type} is already registered`);
    }
    this.#byLowerType.set(key, definition);
    return this;
  }

  get(type: string): NodeDefinition | undefined {
    return this.#byLowerType.get(type.toLowerCase());
  }

  list(): readonly NodeDefinition[] {
    return [...this.#byLowerType.values()];
  }
}

/** A plugin's definition is checked here, not by the compiler: it may come from plain JavaScript. */
function describeProblem(d: NodeDefinition): string | undefined {
  if (typeof d !== 'object' || d === null) return 'a node definition must be an object';
  if (typeof d.type !== 'string' || !TYPE_PATTERN.test(d.type)) {
    return `node type ${JSON.stringify(d.type)} is malformed: expected "#Vendor.Name" (a leading #, dot-separated identifiers)`;
  }
  if (!['source', 'processor', 'sink'].includes(d.role)) return `node type ${d.type}: role must be source, processor or sink`;
  if (typeof d.configSchema !== 'object' || d.configSchema === null) return `node type ${d.type}: configSchema must be a JSON Schema object`;
  const ports = portsProblem(d);
  if (ports) return `node type ${d.type}: ${ports}`;
  if (!d.create && !d.expand && !d.notSupportedYet) return `node type ${d.type}: needs create, expand or notSupportedYet`;
  return undefined;
}

function isKind(k: unknown): boolean {
  return typeof k === 'string' && k !== '';
}

function portsProblem(d: NodeDefinition): string | undefined {
  const inputs: unknown = d.inputs;
  if (typeof inputs !== 'object' || inputs === null || Array.isArray(inputs)) {
    return `inputs must name its ports, e.g. { media: { kind: 'media' } } (a source: {}), not ${JSON.stringify(inputs)}`;
  }
  const ports = Object.entries(inputs as Record<string, unknown>);
  if (d.role === 'source' && ports.length > 0) return 'a source takes no inputs';
  if (d.role !== 'source' && ports.length === 0) return `a ${d.role} needs at least one input port`;
  for (const [name, port] of ports) {
    const p = port as { kind?: unknown; min?: unknown; max?: unknown } | null;
    const kinds = Array.isArray(p?.kind) ? p.kind : [p?.kind];
    if (kinds.length === 0 || !kinds.every(isKind)) return `input port "${name}" needs a kind (a port kind name, or a list of them)`;
    const min = p?.min ?? 1;
    const max = p?.max ?? 1;
    if (
      typeof min !== 'number' ||
      typeof max !== 'number' ||
      !(Number.isInteger(min) && min >= 0) ||
      !(max === Infinity || Number.isInteger(max)) ||
      max < Math.max(1, min)
    ) {
      return `input port "${name}": min and max count its inputs (integers, 0 ≤ min ≤ max, max ≥ 1 or Infinity)`;
    }
  }
  const output: unknown = d.output;
  if (output !== null && (typeof output !== 'object' || !isKind((output as { kind?: unknown }).kind))) {
    return `output must be null (a sink) or a port such as { kind: 'media' }, not ${JSON.stringify(output)}`;
  }
  return undefined;
}
