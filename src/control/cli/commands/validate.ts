// `mediagraph validate <topology.json> [--instance <instance.json>]`
// Exit 0 and "valid" (after one "warning: …" line per node type this host cannot run, if any);
// exit 1 and one "<json-pointer>: <message>" line per problem;
// exit 2 when a file cannot be read or is not JSON (with line and column).
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseJsonWithPosition, JsonParseError } from '../../../graph/json-document.ts';
import { validateTopology } from '../../../graph/validate.ts';
import type { ValidationIssue } from '../../../graph/model.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import { Redactor } from '../../../runtime/redact.ts';
import type { CliIo } from '../io.ts';
import { validateSiteFile } from '../../../site/validate-site-command.ts';

export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new JsonParseError(`${path}: cannot read file (${code ?? 'error'})`, 0, 0);
  }
  return parseJsonWithPosition(text, path);
}

export async function validateCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { instance: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
  });
  if (values.config !== undefined) return validateSiteFile(values.config, registry, io.out, io.err);
  const file = positionals[0];
  if (!file) {
    io.err('usage: mediagraph validate <topology.json> [--instance <instance.json>] [--json] | validate --config <mediagraph.json>');
    return 2;
  }
  let topology: unknown;
  let instance: unknown;
  try {
    topology = await readJsonFile(file);
    if (values.instance) instance = await readJsonFile(values.instance);
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return 2;
  }
  // LVA's direct methods carried @apiVersion on every document: a file meant for them must too
  const result = validateTopology(topology, registry, { requireApiVersion: true, ...(instance === undefined ? {} : { instance }) });
  // a bad SecretString value must not be printed back
  const redactor = new Redactor();
  for (const s of result.secrets) redactor.add(s);
  const entry = (i: ValidationIssue) => ({ document: i.document, pointer: i.pointer, code: i.code, message: i.message });
  if (values.json) {
    io.out(JSON.stringify(redactor.value({ valid: result.ok, errors: result.issues.map(entry), warnings: result.warnings.map(entry) })));
    return result.ok ? 0 : 1;
  }
  const where = (i: ValidationIssue): string => (i.document === 'instance' ? `${values.instance ?? 'instance'}#${i.pointer}` : i.pointer || '/');
  for (const i of result.issues) io.out(redactor.text(`${where(i)}: ${i.message} [${i.code}]`));
  for (const w of result.warnings) io.out(redactor.text(`warning: ${where(w)}: ${w.message} [${w.code}]`));
  if (!result.ok) return 1;
  const runnable = result.warnings.length === 0 ? '' : `, but ${result.warnings.length} node(s) cannot run on this host: activation would fail`;
  io.out(`valid${runnable}`);
  return 0;
}
