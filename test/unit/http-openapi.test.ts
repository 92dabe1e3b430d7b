// docs/openapi.json documents exactly the routes the server registers, and is internally sound
// (path parameters declared, references resolve, every operation answers something).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ROUTES } from '../../src/control/http/server.ts';

const docsDir = resolve(import.meta.dirname, '..', '..', 'docs');
const doc = JSON.parse(readFileSync(join(docsDir, 'openapi.json'), 'utf8')) as {
  openapi: string;
  paths: Record<string, Record<string, unknown>>;
  components: { schemas: Record<string, unknown> };
};
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options'];

test('OpenAPI 3.1 document lists the same (method, path) pairs as the server route table', () => {
  assert.match(doc.openapi, /^3\.1\./);
  const documented = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const m of Object.keys(item)) if (METHODS.includes(m)) documented.add(`${m.toUpperCase()} ${path}`);
  }
  const served = new Set(ROUTES.map((r) => `${r.method} ${r.path}`));
  assert.equal(served.size, ROUTES.length, 'no duplicate routes');
  assert.deepEqual([...served].filter((r) => !documented.has(r)).sort(), [], 'served but not documented');
  assert.deepEqual([...documented].filter((r) => !served.has(r)).sort(), [], 'documented but not served');
});

test('every path parameter is declared, every operation has responses and a unique operationId, every $ref resolves', () => {
  const ids = new Set<string>();
  for (const [path, item] of Object.entries(doc.paths)) {
    const templated = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]!);
    const shared = (item['parameters'] as { name: string; in: string }[] | undefined) ?? [];
    for (const m of Object.keys(item).filter((k) => METHODS.includes(k))) {
      const op = item[m] as { parameters?: { name: string; in: string }[]; responses?: Record<string, unknown>; operationId?: string };
      const declared = [...shared, ...(op.parameters ?? [])].filter((p) => p.in === 'path').map((p) => p.name);
      assert.deepEqual(declared.sort(), [...templated].sort(), `${m} ${path}: path parameters`);
      assert.ok(op.responses && Object.keys(op.responses).length > 0, `${m} ${path}: responses`);
      assert.ok(op.operationId && !ids.has(op.operationId), `${m} ${path}: unique operationId`);
      ids.add(op.operationId);
    }
  }
  const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map((m) => m[1]!);
  assert.ok(refs.length > 10);
  for (const ref of refs) {
    if (ref.startsWith('#/components/schemas/')) assert.ok(doc.components.schemas[ref.slice('#/components/schemas/'.length)], ref);
    else assert.ok(existsSync(resolve(docsDir, ref)), `${ref} exists next to the doc`);
  }
});
