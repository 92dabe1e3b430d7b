// The committed schemas and reference docs are what the code generates: nothing stale,
// every error code and event type documented.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Ajv } from 'ajv';
import { generatedFiles } from '../../scripts/generate.ts';
import { ERROR_CATALOG } from '../../src/runtime/errors.ts';

test('schemas/ and docs/ match the code', () => {
  for (const [path, text] of Object.entries(generatedFiles())) {
    assert.equal(readFileSync(path, 'utf8'), text, `${path} is stale: run npm run generate`);
  }
});

test('every error code is documented with its status', () => {
  const doc = readFileSync('docs/errors.md', 'utf8');
  for (const [code, e] of Object.entries(ERROR_CATALOG)) assert.match(doc, new RegExp(`\\| \`${code}\` \\| ${e.status} \\|`));
});

test('the published topology schema accepts the examples and rejects a broken one', () => {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  const schema = JSON.parse(readFileSync('schemas/topology.schema.json', 'utf8'));
  delete schema.$schema;
  const validate = ajv.compile(schema);
  const cvr = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as { properties: { sinks: Record<string, unknown>[] } };
  assert.ok(validate(cvr), JSON.stringify(validate.errors));
  cvr.properties.sinks[0]!['segmentLenght'] = 'PT30S';
  assert.equal(validate(cvr), false);
});
