// Guardrail for the layering in docs/architecture.md (Layers): imports flow one way.
//   media, storage  → types only (and never rxjs: protocol and container code stays push-driven)
//   nodes           → media, storage, types
//   graph           → types (the registry interface and the error catalog live there)
//   site            → runtime, graph, types (a site file as documents for the host)
//   fleet           → runtime and below (leases and shared definitions drive the host)
//   control         → runtime and below, site, fleet
// Prints one line per violation and exits 1 if any.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, resolve, dirname, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

/** Which top-level src folders each folder may import from (besides itself). */
const allowed: Record<string, readonly string[]> = {
  types: [],
  media: ['types'],
  storage: ['types'],
  nodes: ['types', 'media', 'storage'],
  graph: ['types'],
  runtime: ['types', 'graph', 'nodes', 'media', 'storage'],
  testing: ['types', 'media', 'storage', 'nodes', 'runtime', 'graph'],
  site: ['types', 'runtime', 'graph'],
  fleet: ['types', 'runtime', 'graph', 'nodes', 'media', 'storage'],
  control: ['types', 'runtime', 'graph', 'nodes', 'media', 'storage', 'testing', 'site', 'fleet'],
};
const noRxjs = new Set(['media', 'storage', 'types']);
/** Protocol and container code does no I/O of its own: callers hand it bytes. */
const noIo = new Set(['media']);
const ioModules = /^(node:)?(fs|fs\/promises|net|dgram|tls|http|https)$/;

function files(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) files(p, out);
    else if (name.endsWith('.ts')) out.push(p);
  }
  return out;
}

const importRe = /(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;
const problems: string[] = [];
for (const file of files(src)) {
  const rel = relative(src, file);
  const layer = rel.split(sep)[0] ?? '';
  if (!rel.includes(sep)) continue; // src/index.ts re-exports everything
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2] ?? '';
    if (spec === 'rxjs' || spec.startsWith('rxjs/')) {
      if (noRxjs.has(layer) && !/^\s*import type\b/m.test(m[0].trim())) {
        problems.push(`src/${rel}: imports ${spec}; ${layer}/ code must stay free of RxJS`);
      }
      continue;
    }
    if (noIo.has(layer) && ioModules.test(spec) && !rel.includes(`${sep}io${sep}`)) {
      problems.push(`src/${rel}: imports ${spec}; ${layer}/ code takes bytes from its caller (put I/O in a folder named io/ or in a node)`);
    }
    if (!spec.startsWith('.')) continue;
    const target = relative(src, resolve(dirname(file), spec));
    if (target.startsWith('..')) continue;
    const targetLayer = target.split(sep)[0] ?? '';
    if (targetLayer === layer || !target.includes(sep)) continue;
    const ok = allowed[layer];
    if (ok && !ok.includes(targetLayer)) problems.push(`src/${rel}: imports src/${target}; ${layer}/ may import only ${[layer, ...ok].join(', ')}`);
  }
}
for (const p of problems) console.log(p);
if (problems.length) process.exit(1);
console.log(`imports ok (${files(src).length} files)`);
