// `mediagraph validate` through the real bin script: exit codes and line format.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function cli(...args: string[]) {
  const r = spawnSync(process.execPath, ['bin/mediagraph.js', 'validate', ...args], { encoding: 'utf8', timeout: 30_000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

test('validate: valid topology and instance → "valid", exit 0', () => {
  const r = cli('examples/cvr-asset/topology.json', '--instance', 'examples/cvr-asset/instance.json');
  assert.equal(r.out.trim(), 'valid');
  assert.equal(r.code, 0);
});

test('validate: errors → one "<pointer>: <message>" line each, exit 1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const topo = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'));
  topo.properties.sinks[0].segmentLength = 'PT10S';
  topo.properties.sinks[0].inputs[0].nodeName = 'camera';
  const file = join(dir, 't.json');
  writeFileSync(file, JSON.stringify(topo));
  const r = cli(file);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.equal(lines.length, 2, r.out);
  assert.ok(lines.every((l) => /^\/properties\/[^ ]+: .+/.test(l)), r.out);
  assert.ok(lines.some((l) => l.startsWith('/properties/sinks/0/segmentLength: ')));
  assert.ok(lines.some((l) => l.startsWith('/properties/sinks/0/inputs/0/nodeName: ')));
});

test('validate: non-JSON → exit 2 with line and column; missing file → exit 2', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'bad.json');
  writeFileSync(file, '{\n  "name": "x",\n  "properties": { oops }\n}\n');
  const r = cli(file);
  assert.equal(r.code, 2);
  assert.match(r.err, /bad\.json:3:\d+: invalid JSON/);
  const missing = cli(join(dir, 'nope.json'));
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read file \(ENOENT\)/);
});
