// One instance whose cache cannot be opened fails alone: `serve` keeps answering and the
// good camera beside it keeps recording (issue: an unhandled rejection ended the process,
// and a cache path under /proc spun mkdir at 100 % CPU). Real `serve` child, real disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { join } from 'node:path';
import type { SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { AzuriteHandle } from '../../src/testing/azurite.ts';
import { useRecorderBench } from '../helpers/recorder-bench.ts';
import { eventually, moreSegmentsThan, startRecorder } from '../helpers/restart-harness.ts';

let root: string;
let azurite: AzuriteHandle;
let camera: SimulatedCamera;

useRecorderBench('mg-cache-open-', (b) => ({ root, azurite, camera } = b));

test('caches that cannot be opened (a file in the path, /proc, held by another live process) fail their instance only', async (t) => {
  const data = join(root, 'data');
  const server = startRecorder(process.execPath, ['bin/mediagraph.js', 'serve', '--port', '0', '--data', data, '--blob', azurite.connectionString]);
  t.after(() => server.kill());
  const base = await eventually(async () => /listening on (\S+)/.exec(server.output())?.[1], 20_000, 'serve to listen', server);
  const call = async (name: string, payload: unknown): Promise<number> =>
    (await fetch(`${base}/api/methods/${name}`, { method: 'POST', body: JSON.stringify(payload), signal: AbortSignal.timeout(10_000) })).status;
  assert.equal(await call('GraphTopologySet', JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'))), 201);
  const instance = async (name: string, cachePath: string): Promise<void> => {
    assert.equal(
      await call('GraphInstanceSet', {
        name,
        properties: {
          topologyName: 'CVRToAsset',
          parameters: [
            { name: 'rtspUrl', value: camera.url },
            { name: 'cachePath', value: cachePath },
          ],
        },
      }),
      201,
    );
  };
  await instance('good', join(root, 'good-cache'));
  assert.equal(await call('GraphInstanceActivate', { name: 'good' }), 200);
  const n = await moreSegmentsThan(azurite.connectionString, 'sampleAsset-CVRToAsset-good', 0, 30_000, server);

  const file = join(root, 'a-file');
  writeFileSync(file, 'not a folder');
  // a cache folder held by another live process
  const heldRoot = join(root, 'held-cache');
  const heldLock = join(heldRoot, 'held', 'assetSink.cache', 'lock');
  mkdirSync(join(heldRoot, 'held', 'assetSink.cache'), { recursive: true });
  const holder = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/lock-racer.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  t.after(() => holder.kill('SIGKILL'));
  holder.stdin.write(`try ${heldLock} 0\n`);
  const [answer] = await Promise.race([
    new Promise<string[]>((r) => createInterface({ input: holder.stdout }).once('line', (l) => r([l]))),
    new Promise<string[]>((_, reject) => setTimeout(() => reject(new Error('holder did not answer')), 15_000)),
  ]);
  assert.equal(answer, 'won');

  const bad = { notdir: join(file, 'cache'), proc: '/proc/1/x', held: heldRoot };
  for (const [name, path] of Object.entries(bad)) {
    await instance(name, path);
    // refused at activation with LVA's 409 ResourceValidationError, not Active then failed
    assert.equal(await call('GraphInstanceActivate', { name }), 409, name);
  }
  for (const [name] of Object.entries(bad)) {
    const status = await eventually(
      async () => {
        const s = (await (await fetch(`${base}/api/instances/${name}/status`, { signal: AbortSignal.timeout(5000) })).json()) as {
          state: string;
          lastError?: { code: string; message: string };
        };
        return s.state === 'Inactive' && s.lastError ? s : undefined;
      },
      15_000,
      `instance ${name} to fail`,
      server,
    );
    assert.equal(status.lastError!.code, 'ResourceValidationError', name);
    assert.match(status.lastError!.message, /cannot open the media cache/, name);
    assert.doesNotMatch(status.lastError!.message, /\n/, 'one line');
  }
  const held = (await (await fetch(`${base}/api/instances/held/status`)).json()) as { lastError: { message: string } };
  assert.match(held.lastError.message, new RegExp(`in use by process ${holder.pid}`));
  // the host answers at once and the good camera records on
  const t0 = Date.now();
  assert.equal((await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(5000) })).status, 200);
  assert.ok(Date.now() - t0 < 1000, 'healthz within 1 s');
  await moreSegmentsThan(azurite.connectionString, 'sampleAsset-CVRToAsset-good', n + 1, 30_000, server);
  assert.equal(((await (await fetch(`${base}/api/instances/good/status`)).json()) as { state: string }).state, 'Active');
  assert.equal(server.ended(), undefined, 'serve still runs');
});
