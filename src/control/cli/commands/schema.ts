// `mediagraph schema [--plugin <module> ...] [--out <file>]`
// The topology JSON Schema with every node type the CLI knows, the --plugin ones included, so
// an editor completes and checks a user's node types as it does the built-ins (point a
// topology's "$schema" at the file).
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { fullTopologySchema } from '../../../graph/document-schemas.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import type { CliIo } from '../io.ts';

export async function schemaCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values } = parseArgs({ args: [...argv], options: { out: { type: 'string' } } });
  const text = `${JSON.stringify(fullTopologySchema(registry.list()), null, 2)}\n`;
  if (values.out === undefined) {
    io.out(text.trimEnd());
    return 0;
  }
  await writeFile(values.out, text);
  io.err(`wrote ${values.out} (${registry.list().length} node types)`);
  return 0;
}
