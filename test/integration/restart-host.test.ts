// The library host and `serve` after a SIGKILL: the stored instance comes back Active by
// itself, and setting the identical topology and instance again (what every deployment
// script and LVA operations file does at start) succeeds instead of failing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { AzuriteHandle } from '../../src/testing/azurite.ts';
import { useRecorderBench } from '../helpers/recorder-bench.ts';
import { eventually, moreSegmentsThan, startRecorder, type Recorder } from '../helpers/restart-harness.ts';

let root: string;
let azurite: AzuriteHandle;
let camera: SimulatedCamera;

useRecorderBench('mg-restart-host-', (b) => ({ root, azurite, camera } = b));

test('library host: open after SIGKILL re-activates the instance; the identical topologySet and instanceSet succeed; recording resumes', async () => {
  const data = join(root, 'lib');
  const args = ['--import', 'tsx', 'test/helpers/library-host-child.ts', data, join(data, 'cache'), camera.url, azurite.connectionString];
  const asset = 'sampleAsset-CVRToAsset-lib-1';
  const first = startRecorder(process.execPath, args);
  try {
    const n = await moreSegmentsThan(azurite.connectionString, asset, 0, 30_000, first);
    await first.kill();
    const again = startRecorder(process.execPath, args);
    try {
      await eventually(async () => /ready Active/.test(again.output()), 20_000, 'the restarted host to set and activate', again);
      await moreSegmentsThan(azurite.connectionString, asset, n + 1, 30_000, again);
    } finally {
      await again.kill();
    }
  } finally {
    await first.kill();
  }
});

async function method(base: string, name: string, payload: unknown): Promise<{ status: number; body: string }> {
  const r = await fetch(`${base}/api/methods/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(payload) });
  return { status: r.status, body: await r.text() };
}

async function serve(data: string): Promise<{ recorder: Recorder; base: string }> {
  const recorder = startRecorder(process.execPath, ['bin/mediagraph.js', 'serve', '--port', '0', '--data', data, '--blob', azurite.connectionString]);
  const base = await eventually(async () => /listening on (\S+)/.exec(recorder.output())?.[1], 20_000, 'serve to listen', recorder);
  return { recorder, base };
}

test('serve: after SIGKILL the instance is Active again; GraphTopologySet and GraphInstanceSet of the identical documents answer 200; recording resumes', async () => {
  const data = join(root, 'serve');
  const topology = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as unknown;
  const instance = {
    '@apiVersion': '2.0',
    name: 'cam-s',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: join(data, 'cache') },
      ],
    },
  };
  const asset = 'sampleAsset-CVRToAsset-cam-s';
  const first = await serve(data);
  try {
    assert.equal((await method(first.base, 'GraphTopologySet', topology)).status, 201);
    assert.equal((await method(first.base, 'GraphInstanceSet', instance)).status, 201);
    assert.equal((await method(first.base, 'GraphInstanceActivate', { name: 'cam-s' })).status, 200);
    // the same documents again while Active: no-ops
    assert.equal((await method(first.base, 'GraphTopologySet', topology)).status, 200);
    assert.equal((await method(first.base, 'GraphInstanceSet', instance)).status, 200);
    const n = await moreSegmentsThan(azurite.connectionString, asset, 0, 30_000, first.recorder);
    await first.recorder.kill();
    const again = await serve(data);
    try {
      const status = await eventually(
        async () => {
          const s = (await (await fetch(`${again.base}/api/instances/cam-s/status`)).json()) as { state: string };
          return s.state === 'Active' ? s.state : undefined;
        },
        20_000,
        'the instance to be Active again',
        again.recorder,
      );
      assert.equal(status, 'Active');
      const t = await method(again.base, 'GraphTopologySet', topology);
      assert.equal(t.status, 200, t.body);
      const i = await method(again.base, 'GraphInstanceSet', instance);
      assert.equal(i.status, 200, i.body);
      // a genuinely changed topology while its instance is active keeps LVA's rule
      const changed = JSON.parse(JSON.stringify(topology)) as { properties: { description: string } };
      changed.properties.description = 'changed';
      assert.equal((await method(again.base, 'GraphTopologySet', changed)).status, 409);
      assert.equal((await method(again.base, 'GraphInstanceActivate', { name: 'cam-s' })).status, 200);
      await moreSegmentsThan(azurite.connectionString, asset, n + 1, 30_000, again.recorder);
    } finally {
      await again.recorder.kill();
    }
  } finally {
    await first.recorder.kill();
  }
});
