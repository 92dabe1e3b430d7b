// Rules about the graph as a whole (LVA's graph-level validation): unique names,
// inputs that exist, sources without inputs, everything else with some, matching port
// kinds, no cycles, no dangling outputs.
import type { ValidatedNode, ValidationIssue } from './model.ts';
import { suggest } from './schema-check.ts';

/** A name as quoted in a message: a hostile 500 KB name must not become a 500 KB answer. */
function shown(name: unknown): string {
  const s = String(name);
  return s.length > 64 ? `${s.slice(0, 64)}…` : s;
}

function issue(code: ValidationIssue['code'], pointer: string, message: string): ValidationIssue {
  return { code, pointer, message, document: 'topology' };
}

export function graphIssues(nodes: readonly ValidatedNode[]): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const byName = new Map<string, ValidatedNode>();
  for (const n of nodes) {
    const name = n.spec.name;
    if (typeof name !== 'string') continue;
    const prior = byName.get(name);
    if (prior) out.push(issue('GraphValidationError', `${n.pointer}/name`, `node name "${shown(name)}" is already used at ${prior.pointer}; node names must be unique`));
    else byName.set(name, n);
  }

  const consumers = new Map<string, number>();
  for (const n of nodes) {
    const inputs = Array.isArray(n.spec.inputs) ? n.spec.inputs : [];
    const role = n.definition?.role ?? (n.section === 'sources' ? 'source' : n.section === 'sinks' ? 'sink' : 'processor');
    if (role === 'source' && inputs.length > 0) {
      out.push(issue('GraphValidationError', `${n.pointer}/inputs`, `source "${shown(n.spec.name)}" cannot have inputs`));
      continue;
    }
    if (role !== 'source' && inputs.length === 0) {
      out.push(issue('GraphValidationError', `${n.pointer}/inputs`, `${role} "${shown(n.spec.name)}" needs at least one input`));
      continue;
    }
    const count = n.definition?.inputCount;
    if (count && (inputs.length < count.min || inputs.length > count.max)) {
      out.push(issue('ModuleValidationError', `${n.pointer}/inputs`, `${n.definition?.type} takes ${count.min === count.max ? count.min : `${count.min} to ${count.max}`} input(s), not ${inputs.length}`));
    }
    inputs.forEach((input, i) => {
      const at = `${n.pointer}/inputs/${i}`;
      if (typeof input?.nodeName !== 'string') return;
      const upstream = byName.get(input.nodeName);
      if (!upstream) {
        out.push(issue('GraphValidationError', `${at}/nodeName`, `input names node "${shown(input.nodeName)}", which does not exist${suggest(input.nodeName, [...byName.keys()])}`));
        return;
      }
      consumers.set(input.nodeName, (consumers.get(input.nodeName) ?? 0) + 1);
      const up = upstream.definition;
      const down = n.definition;
      if (!up || !down) return;
      if (up.output === null) {
        out.push(issue('GraphValidationError', `${at}/nodeName`, `"${shown(input.nodeName)}" is a ${up.role} with no output; nothing can be wired after it`));
        return;
      }
      if (!down.inputs.includes(up.output)) {
        out.push(issue('ModuleValidationError', `${at}/nodeName`, `port kinds do not match: "${shown(input.nodeName)}" (${up.type}) emits "${up.output}", but "${shown(n.spec.name)}" (${down.type}) accepts ${down.inputs.map((k) => `"${k}"`).join(' or ')}`));
      }
      if (input.outputSelectors?.length && up.output !== 'media') {
        out.push(issue('ModuleValidationError', `${at}/outputSelectors`, `outputSelectors select media types; "${shown(input.nodeName)}" emits "${up.output}"`));
      }
    });
  }

  // a misspelt input already explains an unconsumed node: report the cause, not the echo
  const danglingInputs = out.some((i) => /which does not exist/.test(i.message));
  for (const n of nodes) {
    const role = n.definition?.role;
    if (!danglingInputs && (role === 'source' || role === 'processor') && !consumers.has(n.spec.name)) {
      out.push(issue('GraphValidationError', `${n.pointer}/name`, `${role} "${shown(n.spec.name)}" feeds no node: its output goes nowhere (a partitioned or unfinished graph)`));
    }
  }

  const cycle = findCycle(nodes, byName);
  if (cycle) {
    const first = byName.get(cycle[0]!);
    out.push(issue('GraphValidationError', first ? `${first.pointer}/inputs` : '/properties', `cycle: ${cycle.join(' → ')}; a media graph must be acyclic`));
  }
  return out;
}

function findCycle(nodes: readonly ValidatedNode[], byName: ReadonlyMap<string, ValidatedNode>): string[] | undefined {
  const state = new Map<string, 'visiting' | 'done'>();
  const stack: string[] = [];
  const visit = (name: string): string[] | undefined => {
    const s = state.get(name);
    if (s === 'done') return undefined;
    if (s === 'visiting') return [...stack.slice(stack.indexOf(name)), name];
    state.set(name, 'visiting');
    stack.push(name);
    const n = byName.get(name);
    for (const input of Array.isArray(n?.spec.inputs) ? n.spec.inputs : []) {
      if (typeof input?.nodeName === 'string' && byName.has(input.nodeName)) {
        const c = visit(input.nodeName);
        if (c) return c;
      }
    }
    stack.pop();
    state.set(name, 'done');
    return undefined;
  };
  for (const n of nodes) {
    if (typeof n.spec.name !== 'string') continue;
    const c = visit(n.spec.name);
    if (c) return c.reverse();
  }
  return undefined;
}
