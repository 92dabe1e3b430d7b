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
  assert.ok(
    lines.every((l) => /^\/properties\/[^ ]+: .+/.test(l)),
    r.out,
  );
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

test('validate: a topology with node types this host cannot run → warning lines, "valid, but …", exit 0; --json lists them', () => {
  const r = cli('examples/evr-motion/topology.json');
  assert.equal(r.code, 0, r.out + r.err);
  const lines = r.out.trim().split('\n');
  assert.deepEqual(
    lines.slice(0, 2).map((l) => l.split(':')[0]),
    ['warning', 'warning'],
    r.out,
  );
  assert.match(
    lines[0]!,
    /^warning: \/properties\/processors\/0\/@type: #Microsoft\.Media\.MediaGraphMotionDetectionProcessor cannot run on this host .*\[NodeTypeNotSupported\]$/,
  );
  assert.match(lines.at(-1)!, /^valid, but 2 node\(s\) cannot run on this host/);
  const json = JSON.parse(cli('examples/evr-motion/topology.json', '--json').out) as {
    valid: boolean;
    errors: unknown[];
    warnings: { pointer: string; code: string }[];
  };
  assert.equal(json.valid, true);
  assert.deepEqual(
    json.warnings.map((w) => [w.pointer, w.code]),
    [
      ['/properties/processors/0/@type', 'NodeTypeNotSupported'],
      ['/properties/processors/1/@type', 'NodeTypeNotSupported'],
    ],
  );
});

test('validate: missing @apiVersion, a mistyped @type and an undeclared parameter each get a line that says what to fix', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-validate-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const topo = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'));
  delete topo['@apiVersion'];
  topo.properties.sinks[0]['@type'] = '#Microsoft.Media.MediaGraphAsetSink';
  topo.properties.sources[0].endpoint.url = '${cameraUrl}';
  const file = join(dir, 't.json');
  writeFileSync(file, JSON.stringify(topo));
  const r = cli(file);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.ok(
    lines.includes(
      '/@apiVersion: the topology has no "@apiVersion": LVA required one on every document ("1.0" or "2.0"; 1.0 documents are read with 1.0\'s rules) [PropertyRequired]',
    ),
    r.out,
  );
  assert.ok(
    lines.some((l) =>
      /^\/properties\/sinks\/0\/@type: unknown node type "#Microsoft\.Media\.MediaGraphAsetSink" \(did you mean "#Microsoft\.Media\.MediaGraphAssetSink"\?\) \[ModuleValidationError\]$/.test(
        l,
      ),
    ),
    r.out,
  );
  assert.ok(
    lines.some((l) => /^\/properties\/sources\/0\/endpoint\/url: parameter "cameraUrl" is not declared/.test(l)),
    r.out,
  );
  assert.ok(!/URL scheme|RtspEndpointUrlInvalidScheme/.test(r.out), r.out);
});

test('validate: the published LVA 1.0 samples with filePathPattern and ${assetName} are valid', () => {
  // one of each kind (the whole corpus is checked in-process by lva-samples.test.ts)
  for (const f of ['evr-motion-files', 'iot-central-motion']) {
    const r = cli(`test/fixtures/lva-topologies/1.0/${f}.json`);
    assert.equal(r.code, 0, `${f}: ${r.out}${r.err}`);
    assert.match(r.out.trim().split('\n').at(-1)!, /^valid/, f);
  }
});
