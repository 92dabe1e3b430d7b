// `--plugin <module>`: node types from a user's module, registered beside the built-ins, so
// the CLI validates, runs, serves and describes (JSON Schema) topologies that use them. A
// plugin is a path (`./my-nodes.mjs`, `/abs/nodes.js`) or a package name whose default export,
// or `nodes` export, is an array of node definitions (what `defineNode` returns).
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { NodeDefinition } from '../../types/node.ts';
import type { NodeRegistry } from '../../runtime/registry.ts';

/** A plugin that cannot be loaded or registered; the message is one line for the user. */
export class PluginError extends Error {
  override readonly name = 'PluginError';
}

export const PLUGIN_NOTE = `plugins: --plugin <module> (repeatable) adds the node types of a module: a path (./my-nodes.mjs)
or a package name whose default export, or \`nodes\` export, is an array of node definitions.`;

/** The commands that build a registry, so take `--plugin`. */
export const PLUGIN_COMMANDS: ReadonlySet<string> = new Set(['validate', 'run', 'serve', 'demo', 'schema']);

/**
 * Takes `--plugin X` and `--plugin=X` out of a command's arguments (before a `--` separator),
 * so each command's own option parser never sees them.
 */
export function takePluginArgs(args: readonly string[]): { readonly plugins: string[]; readonly rest: string[] } {
  const plugins: string[] = [];
  const rest: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--') {
      rest.push(...args.slice(i));
      break;
    }
    if (a === '--plugin') {
      const value = args[i + 1];
      if (value === undefined || value.startsWith('-')) throw new PluginError('--plugin expects a module: a path or a package name');
      plugins.push(value);
      i++;
    } else if (a.startsWith('--plugin=')) {
      const value = a.slice('--plugin='.length);
      if (!value) throw new PluginError('--plugin expects a module: a path or a package name');
      plugins.push(value);
    } else {
      rest.push(a);
    }
  }
  return { plugins, rest };
}

function isPath(spec: string): boolean {
  return spec.startsWith('./') || spec.startsWith('../') || spec === '.' || spec === '..' || isAbsolute(spec) || /\.[cm]?[jt]s$/.test(spec);
}

/** The module's URL: paths from the working folder, package names as the working folder's code would find them. */
function moduleUrl(spec: string, cwd: string): string {
  if (isPath(spec)) return pathToFileURL(resolve(cwd, spec)).href;
  try {
    return pathToFileURL(createRequire(join(cwd, 'package.json')).resolve(spec)).href;
  } catch {
    // An import-only package (no `require`/`default` export) or one installed beside mediagraph:
    // let import() resolve it from here.
    return spec;
  }
}

function definitionsOf(module: Record<string, unknown>): unknown[] | undefined {
  if (Array.isArray(module['default'])) return module['default'];
  if (Array.isArray(module['nodes'])) return module['nodes'];
  return undefined;
}

/** Imports each plugin and registers its node types; throws PluginError naming the plugin at fault. */
export async function loadPlugins(specs: readonly string[], registry: NodeRegistry, cwd: string = process.cwd()): Promise<void> {
  for (const spec of specs) {
    let module: Record<string, unknown>;
    try {
      module = (await import(moduleUrl(spec, cwd))) as Record<string, unknown>;
    } catch (e) {
      const why = e instanceof Error ? (e.message.split('\n')[0] ?? e.message) : String(e);
      throw new PluginError(`--plugin ${spec}: cannot load it: ${why}`);
    }
    const definitions = definitionsOf(module);
    if (!definitions) throw new PluginError(`--plugin ${spec}: exports no node definitions: expected a default export or a \`nodes\` export that is an array`);
    for (const definition of definitions) {
      try {
        registry.register(definition as NodeDefinition);
      } catch (e) {
        throw new PluginError(`--plugin ${spec}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
  }
}
