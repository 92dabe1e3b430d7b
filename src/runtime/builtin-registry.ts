// A registry pre-filled with the built-in node types; each call gives a fresh instance.
import { builtinNodes } from '../nodes/index.ts';
import { NodeRegistry } from './registry.ts';

export function createBuiltinRegistry(): NodeRegistry {
  const registry = new NodeRegistry();
  for (const d of builtinNodes) registry.register(d);
  return registry;
}
