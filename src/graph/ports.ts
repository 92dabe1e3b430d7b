// Routing a node's topology inputs to its named input ports (docs/architecture.md, "The node
// contract"). A topology lists upstream nodes without saying which port each feeds (LVA has no
// port names), so an input goes to a port by the kind its upstream emits: the most specific port
// that accepts the kind and still has room (fewest accepted kinds first, then declaration order).
// Validation and the compiler use the same function, so what validates is what runs.
import type { InputPort, InputPorts } from '../types/node.ts';

export function acceptedKinds(port: InputPort): readonly string[] {
  return typeof port.kind === 'string' ? [port.kind] : port.kind;
}

export function portBounds(port: InputPort): { readonly min: number; readonly max: number } {
  return { min: port.min ?? 1, max: port.max ?? 1 };
}

/** Fewest and most topology inputs a node with these ports takes. */
export function inputBounds(ports: InputPorts): { readonly min: number; readonly max: number } {
  let min = 0;
  let max = 0;
  for (const port of Object.values(ports)) {
    const b = portBounds(port);
    min += b.min;
    max += b.max;
  }
  return { min, max };
}

export interface InputRouting {
  /** The port of each input, in topology order; undefined where the kind is unknown or no port takes it. */
  readonly ports: readonly (string | undefined)[];
  /** Inputs whose kind a port accepts but every such port is full. */
  readonly overflow: readonly number[];
  /** Inputs whose kind no port accepts. */
  readonly mismatched: readonly number[];
  /** Ports left with fewer inputs than their minimum. */
  readonly unfilled: readonly { readonly port: string; readonly min: number; readonly count: number }[];
}

/** `kinds[i]` is what input i's upstream emits (undefined when unknown: then it is not routed). */
export function routeInputs(ports: InputPorts, kinds: readonly (string | undefined)[]): InputRouting {
  const order = Object.entries(ports)
    .map(([name, port], index) => ({ name, port, index, accepts: acceptedKinds(port) }))
    .sort((a, b) => a.accepts.length - b.accepts.length || a.index - b.index);
  const counts = new Map<string, number>(order.map((p) => [p.name, 0]));
  const routed: (string | undefined)[] = [];
  const overflow: number[] = [];
  const mismatched: number[] = [];
  kinds.forEach((kind, i) => {
    if (kind === undefined) return void routed.push(undefined);
    const candidates = order.filter((p) => p.accepts.includes(kind));
    const port = candidates.find((p) => counts.get(p.name)! < portBounds(p.port).max);
    if (port) counts.set(port.name, counts.get(port.name)! + 1);
    else (candidates.length ? overflow : mismatched).push(i);
    routed.push(port?.name);
  });
  const unfilled = order
    .filter((p) => counts.get(p.name)! < portBounds(p.port).min)
    .sort((a, b) => a.index - b.index)
    .map((p) => ({ port: p.name, min: portBounds(p.port).min, count: counts.get(p.name)! }));
  return { ports: routed, overflow, mismatched, unfilled };
}
