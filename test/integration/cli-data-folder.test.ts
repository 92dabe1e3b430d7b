// One data folder for every command, as a user meets it: two cameras recorded with `run` (no
// --name, no --data) land in two instances and two assets, their definitions and caches under
// ./.data; `export` of a mistyped asset lists the assets it does know; data an earlier version
// left in .data/run is pointed at in one line. (The store is one Azurite for both runs, given
// as AZURE_STORAGE_CONNECTION_STRING, so the two run at once.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';

const BIN = resolve('bin/mediagraph.js');

function cli(cwd: string, args: readonly string[], limitMs: number, blob: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((res) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: blob },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      res({ code, out, err });
    });
  });
}

test('run without --name or --data: one instance and asset per camera, all under ./.data; export lists the known assets', { timeout: 90_000 }, async (t) => {
  const cwd = mkdtempSync(join(tmpdir(), 'mg-datafolder-'));
  const front = await startSimulatedCamera({ file: resolve('test/fixtures/media/h264-main-aac.mp4'), speed: 10, path: '/front' });
  const yard = await startSimulatedCamera({ file: resolve('test/fixtures/media/h265-main.mp4'), speed: 10, path: '/yard' });
  const azurite = await startAzurite();
  t.after(async () => {
    await azurite.close();
    await front.close();
    await yard.close();
    rmSync(cwd, { recursive: true, force: true });
  });
  mkdirSync(join(cwd, '.data', 'run', 'azurite'), { recursive: true }); // as an earlier version left it
  const topology = resolve('examples/cvr-asset/topology.json');
  const [first, second] = await Promise.all([
    cli(cwd, ['run', topology, '--param', `rtspUrl=${front.url}`, '--for', '4'], 40_000, azurite.connectionString),
    cli(cwd, ['run', topology, '--param', `rtspUrl=${yard.url}`, '--for', '4'], 40_000, azurite.connectionString),
  ]);
  assert.equal(first.code, 0, first.err);
  assert.equal(second.code, 0, second.err);
  assert.match(first.err, /note: data of an earlier version .* is in \.data\/run; read it with --data \.data\/run/); // outside-path-ok: a pattern of the note, not a path
  const frontName = `127-0-0-1-${front.port}-front`;
  const yardName = `127-0-0-1-${yard.port}-yard`;
  assert.match(first.err, new RegExp(`instance ${frontName} is Active`));
  assert.match(second.err, new RegExp(`instance ${yardName} is Active`));
  // the cache lives in the data folder, not in the working folder's .data/cache by accident of the topology's default
  assert.deepEqual(readdirSync(join(cwd, '.data', 'cache')).sort(), [frontName, yardName].sort());
  assert.ok(existsSync(join(cwd, '.data', 'definitions', 'instances', `${frontName}.json`)));
  const exported = await cli(
    cwd,
    [
      'export',
      '--asset',
      'sampleasset-cvrtoasset-run-1',
      '--from',
      new Date(Date.now() - 3_600_000).toISOString(),
      '--to',
      new Date(Date.now() + 3_600_000).toISOString(),
      '--out',
      'x.mp4',
    ],
    30_000,
    azurite.connectionString,
  );
  assert.equal(exported.code, 1);
  assert.match(
    exported.err,
    new RegExp(
      `asset "sampleasset-cvrtoasset-run-1" does not exist in .*; assets there: (sampleasset-cvrtoasset-${frontName}, sampleasset-cvrtoasset-${yardName}|sampleasset-cvrtoasset-${yardName}, sampleasset-cvrtoasset-${frontName})$`,
      'm',
    ),
  );
});
