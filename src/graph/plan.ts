// Plan: expand composite nodes into native ones, then order nodes so every node comes after
// its inputs. Runs on a validated, frozen graph.
import type { NodeDefinition, NodeSpec, NodeTypeLookup } from '../types/node.ts';
import { MediaGraphError } from '../types/errors.ts';
import type { ValidatedNode } from './model.ts';

export interface PlannedNode {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly definition: NodeDefinition;
  /** The node as the user wrote it (a composite's parts point at the composite). */
  readonly origin: { readonly pointer: string; readonly section: ValidatedNode['section']; readonly name: string };
}

export interface Plan {
  /** Topological order: sources first. */
  readonly nodes: readonly PlannedNode[];
}

const MAX_EXPANSION_DEPTH = 8;

export function planGraph(nodes: readonly ValidatedNode[], registry: NodeTypeLookup): Plan {
  const expanded: PlannedNode[] = [];
  const expand = (spec: NodeSpec, origin: PlannedNode['origin'], depth: number): void => {
    const definition = registry.get(spec['@type']);
    if (!definition) throw new MediaGraphError('ModuleValidationError', `unknown node type "${spec['@type']}" (from ${origin.pointer})`);
    if (!definition.expand) {
      expanded.push({ name: spec.name, spec, definition, origin });
      return;
    }
    if (depth >= MAX_EXPANSION_DEPTH)
      throw new MediaGraphError('ModuleValidationError', `composite ${definition.type} expands more than ${MAX_EXPANSION_DEPTH} levels deep`);
    const parts = definition.expand(spec);
    if (parts.length === 0 || parts[parts.length - 1]?.name !== spec.name) {
      throw new MediaGraphError('InternalError', `composite ${definition.type} must end its expansion with a node named "${spec.name}"`);
    }
    for (const part of parts) expand(part, origin, depth + 1);
  };
  for (const n of nodes) expand(n.spec, { pointer: n.pointer, section: n.section, name: n.spec.name }, 0);
  return { nodes: topologicalOrder(expanded) };
}

function topologicalOrder(nodes: readonly PlannedNode[]): PlannedNode[] {
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const done = new Set<string>();
  const out: PlannedNode[] = [];
  const visit = (n: PlannedNode, path: readonly string[]): void => {
    if (done.has(n.name)) return;
    if (path.includes(n.name)) throw new MediaGraphError('GraphValidationError', `cycle: ${[...path, n.name].join(' → ')}`);
    for (const input of n.spec.inputs ?? []) {
      const up = byName.get(input.nodeName);
      if (!up) throw new MediaGraphError('GraphValidationError', `node "${n.name}" names missing input "${input.nodeName}"`);
      visit(up, [...path, n.name]);
    }
    done.add(n.name);
    out.push(n);
  };
  for (const n of nodes) visit(n, []);
  return out;
}
