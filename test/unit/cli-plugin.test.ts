// `--plugin <module>`: the CLI validates, runs, serves and describes topologies that use a
// user's node types; a module that is missing or exports no definitions is one line, exit 2.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/control/cli/main.ts';
import { takePluginArgs } from '../../src/control/cli/plugins.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const topology = 'examples/custom-node/topology.json';
const examplePlugin = './examples/custom-node/nodes.ts';

test('validate: the example topology is valid with the example plugin (a `nodes` export), refused without it', async () => {
  const without = await cli('validate', topology);
  assert.equal(without.code, 1);
  assert.match(without.out, /unknown node type "#Contoso\.KeyframeSampler"/);
  const withPlugin = await cli('validate', topology, '--plugin', examplePlugin);
  assert.equal(withPlugin.code, 0, withPlugin.out + withPlugin.err);
  assert.equal(withPlugin.out, 'valid');
  assert.equal((await cli('validate', `--plugin=${examplePlugin}`, topology)).code, 0, '--plugin=<module> too');
});

test('a JavaScript plugin with a default export; several plugins at once; schema lists their types', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-plugin-'));
  try {
    const out = join(dir, 'topology.schema.json');
    const r = await cli('schema', '--plugin', './test/fixtures/plugins/default-export.mjs', '--plugin', examplePlugin, '--out', out);
    assert.equal(r.code, 0, r.err);
    const schema = readFileSync(out, 'utf8');
    assert.match(schema, /#Contoso\.PassThrough/);
    assert.match(schema, /#Contoso\.KeyframeSampler/);
    assert.match(schema, /#Microsoft\.Media\.MediaGraphRtspSource/, 'and the built-ins');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('run, serve and demo take --plugin (a bad one stops them before anything starts)', async () => {
  for (const command of ['run', 'serve', 'demo']) {
    const r = await cli(command, ...(command === 'run' ? [topology] : []), '--plugin', './test/fixtures/plugins/not-a-plugin.mjs');
    assert.equal(r.code, 2, `${command}: ${r.err}`);
    assert.equal(
      r.err,
      `mediagraph ${command}: --plugin ./test/fixtures/plugins/not-a-plugin.mjs: exports no node definitions: expected a default export or a \`nodes\` export that is an array`,
    );
  }
});

test('a missing module, a missing value and a duplicate type are one line each, exit 2', async () => {
  const missing = await cli('validate', topology, '--plugin', './no-such-plugin.mjs');
  assert.equal(missing.code, 2);
  assert.match(missing.err, /^mediagraph validate: --plugin \.\/no-such-plugin\.mjs: cannot load it: /);
  assert.equal(missing.err.split('\n').length, 1);
  const noValue = await cli('validate', topology, '--plugin');
  assert.equal(noValue.code, 2);
  assert.match(noValue.err, /--plugin expects a module/);
  const twice = await cli('validate', topology, '--plugin', examplePlugin, '--plugin', examplePlugin);
  assert.equal(twice.code, 2);
  assert.match(twice.err, /node type #Contoso\.KeyframeSampler is already registered/);
});

test('takePluginArgs leaves everything after `--` alone', () => {
  assert.deepEqual(takePluginArgs(['a', '--plugin', 'p1', '--plugin=p2', '--', '--plugin', 'x']), {
    plugins: ['p1', 'p2'],
    rest: ['a', '--', '--plugin', 'x'],
  });
});
