// Rules about the graph as a whole (LVA's graph-level validation): unique names,
// inputs that exist, sources without inputs, everything else with some, matching port
// kinds, one consumer on a single-consumer port, no cycles, no dangling outputs.
import type { ValidatedNode, ValidationIssue } from './model.ts';
import { suggest } from './schema-check.ts';
import { acceptedKinds, inputBounds, routeInputs } from './ports.ts';

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
    if (prior)
      out.push(issue('GraphValidationError', `${n.pointer}/name`, `node name "${shown(name)}" is already used at ${prior.pointer}; node names must be unique`));
    else byName.set(name, n);
  }

  const consumers = new Map<string, number>();
  /** The first consumer of each single-consumer output, by upstream name. */
  const soleConsumer = new Map<string, string>();
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
    const count = n.definition ? inputBounds(n.definition.inputs) : undefined;
    const countOk = !count || (inputs.length >= count.min && inputs.length <= count.max);
    if (count && !countOk) {
      const range = count.min === count.max ? `${count.min}` : count.max === Infinity ? `at least ${count.min}` : `${count.min} to ${count.max}`;
      out.push(issue('ModuleValidationError', `${n.pointer}/inputs`, `${n.definition?.type} takes ${range} input(s), not ${inputs.length}`));
    }
    /** What each input's upstream emits, where known. */
    const kinds: (string | undefined)[] = [];
    inputs.forEach((input, i) => {
      kinds.push(undefined);
      const at = `${n.pointer}/inputs/${i}`;
      if (typeof input?.nodeName !== 'string') return;
      const upstream = byName.get(input.nodeName);
      if (!upstream) {
        out.push(
          issue(
            'GraphValidationError',
            `${at}/nodeName`,
            `input names node "${shown(input.nodeName)}", which does not exist${suggest(input.nodeName, [...byName.keys()])}`,
          ),
        );
        return;
      }
      consumers.set(input.nodeName, (consumers.get(input.nodeName) ?? 0) + 1);
      const up = upstream.definition;
      if (up?.output?.singleConsumer) {
        const first = soleConsumer.get(input.nodeName);
        if (first === undefined) soleConsumer.set(input.nodeName, String(n.spec.name));
        else {
          out.push(
            issue(
              'GraphValidationError',
              `${at}/nodeName`,
              `"${shown(input.nodeName)}" (${up.type}) has a single-consumer output: its "${up.output.kind}" stream goes to one node only, and "${shown(first)}" already takes it; give "${shown(n.spec.name)}" its own ${up.type}`,
            ),
          );
          return;
        }
      }
      const down = n.definition;
      if (!up || !down) return;
      if (up.output === null) {
        out.push(issue('GraphValidationError', `${at}/nodeName`, `"${shown(input.nodeName)}" is a ${up.role} with no output; nothing can be wired after it`));
        return;
      }
      kinds[i] = up.output.kind;
      if (input.outputSelectors?.length && up.output.kind !== 'media') {
        out.push(
          issue('ModuleValidationError', `${at}/outputSelectors`, `outputSelectors select media types; "${shown(input.nodeName)}" emits "${up.output.kind}"`),
        );
      }
    });
    const down = n.definition;
    if (!down) continue;
    const routing = routeInputs(down.inputs, kinds);
    const accepted = [...new Set(Object.values(down.inputs).flatMap(acceptedKinds))];
    for (const i of routing.mismatched) {
      const input = inputs[i]!;
      const up = byName.get(input.nodeName)?.definition;
      out.push(
        issue(
          'ModuleValidationError',
          `${n.pointer}/inputs/${i}/nodeName`,
          `port kinds do not match: "${shown(input.nodeName)}" (${up?.type}) emits "${kinds[i]}", but "${shown(n.spec.name)}" (${down.type}) accepts ${accepted.map((k) => `"${k}"`).join(' or ')}`,
        ),
      );
    }
    // with the wrong number of inputs, which port is short or full is an echo of that
    if (!countOk || routing.mismatched.length || kinds.includes(undefined)) continue;
    for (const i of routing.overflow) {
      out.push(
        issue(
          'ModuleValidationError',
          `${n.pointer}/inputs/${i}/nodeName`,
          `"${shown(n.spec.name)}" (${down.type}) has no room for another "${kinds[i]}" input: ${describePorts(down.inputs)}`,
        ),
      );
    }
    for (const u of routing.unfilled) {
      out.push(
        issue(
          'ModuleValidationError',
          `${n.pointer}/inputs`,
          `"${shown(n.spec.name)}" (${down.type}) needs ${u.min} input(s) on its port "${u.port}" (${acceptedKinds(down.inputs[u.port]!)
            .map((k) => `"${k}"`)
            .join(' or ')}), got ${u.count}: ${describePorts(down.inputs)}`,
        ),
      );
    }
  }

  // a misspelt input already explains an unconsumed node: report the cause, not the echo
  const danglingInputs = out.some((i) => /which does not exist/.test(i.message));
  for (const n of nodes) {
    const role = n.definition?.role;
    if (!danglingInputs && (role === 'source' || role === 'processor') && !consumers.has(n.spec.name)) {
      out.push(
        issue(
          'GraphValidationError',
          `${n.pointer}/name`,
          `${role} "${shown(n.spec.name)}" feeds no node: its output goes nowhere (a partitioned or unfinished graph)`,
        ),
      );
    }
  }

  const cycle = findCycle(nodes, byName);
  if (cycle) {
    const first = byName.get(cycle[0]!);
    out.push(issue('GraphValidationError', first ? `${first.pointer}/inputs` : '/properties', `cycle: ${cycle.join(' → ')}; a media graph must be acyclic`));
  }
  return out;
}

/** `media ("media"), trigger ("signal" or "media")`: what a node's ports take, for messages. */
function describePorts(ports: NonNullable<ValidatedNode['definition']>['inputs']): string {
  return `its ports are ${Object.entries(ports)
    .map(
      ([name, port]) =>
        `${name} (${acceptedKinds(port)
          .map((k) => `"${k}"`)
          .join(' or ')}${(port.max ?? 1) > 1 ? `, up to ${port.max === Infinity ? 'any number' : port.max}` : ''})`,
    )
    .join(', ')}`;
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
