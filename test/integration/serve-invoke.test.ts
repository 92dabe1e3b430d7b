// `mediagraph serve` in a child process and `mediagraph invoke` against it, as a user
// porting LVA operations scripts would: set a topology and an instance, get them back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/control/cli/main.ts';

test('serve prints its URL once listening; invoke drives LVA methods', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'mg-serve-'));
  const child = spawn(process.execPath, ['bin/mediagraph.js', 'serve', '--port', '0', '--data', data], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 20_000;
  while (!/listening on (\S+)/.test(out)) {
    assert.ok(Date.now() < deadline, 'serve did not print its URL');
    await new Promise((r) => setTimeout(r, 50));
  }
  const url = /listening on (\S+)/.exec(out)![1]!;
  const lines: string[] = [];
  const io = { out: (l: string) => void lines.push(l), err: (l: string) => void lines.push(l) };
  assert.equal(await main(['invoke', 'GraphTopologySet', 'examples/cvr-asset/topology.json', '--host', url], io), 0, lines.join('\n'));
  assert.equal(JSON.parse(lines.at(-1)!).payload.name, 'CVRToAsset');
  assert.equal(await main(['invoke', 'GraphInstanceSet', 'examples/cvr-asset/instance.json', '--host', url], io), 0, lines.join('\n'));
  assert.equal(await main(['invoke', 'graphinstanceget', '{"name":"Sample-Graph-1"}', '--host', url], io), 0);
  assert.equal(JSON.parse(lines.at(-1)!).payload.properties.state, 'Inactive');
  assert.equal(await main(['invoke', 'GraphTopologyDelete', '{"name":"CVRToAsset"}', '--host', url], io), 1, 'in use: 409');
  assert.match(lines.at(-1)!, /GraphTopologyInUse/);
});
