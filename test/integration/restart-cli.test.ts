// A recorder killed at any moment starts again with the same command and records on
// (issue: the second start failed with TopologyChangeNotAllowed, forever). Real CLI in a child
// process, real SIGKILL, a simulated camera at 10× (a 30 s segment every 3 s), Azurite here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { AzuriteHandle } from '../../src/testing/azurite.ts';
import { useRecorderBench } from '../helpers/recorder-bench.ts';
import { cvrRunArgs, startRecorder, moreSegmentsThan, segmentBlobs } from '../helpers/restart-harness.ts';

let root: string;
let azurite: AzuriteHandle;
let camera: SimulatedCamera;

useRecorderBench('mg-restart-cli-', (b) => ({ root, azurite, camera } = b));

async function killAndRestart(args: readonly string[], asset: string, whileRecording?: () => void): Promise<void> {
  const first = startRecorder(process.execPath, ['bin/mediagraph.js', ...args]);
  try {
    const before = await moreSegmentsThan(
      azurite.connectionString,
      asset,
      (await segmentBlobs(azurite.connectionString, asset).catch(() => [])).length,
      30_000,
      first,
    );
    await first.kill();
    const again = startRecorder(process.execPath, ['bin/mediagraph.js', ...args]);
    try {
      // recording resumes: new segments arrive from the restarted process
      await moreSegmentsThan(azurite.connectionString, asset, before + 1, 30_000, again);
      assert.doesNotMatch(again.output(), /run failed|TopologyChangeNotAllowed/);
      whileRecording?.();
    } finally {
      await again.kill();
    }
  } finally {
    await first.kill();
  }
}

test('run: SIGKILL, then the same command records again', async () => {
  const data = join(root, 'params');
  await killAndRestart(cvrRunArgs({ cameraUrl: camera.url, blob: azurite.connectionString, data }), 'sampleAsset-CVRToAsset-run-1');
});

test('run --instance: SIGKILL, then the same command records again, and only its own instance runs', async () => {
  const data = join(root, 'instance');
  const instanceFile = join(root, 'instance.json');
  writeFileSync(
    instanceFile,
    JSON.stringify({
      name: 'cam-a',
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'cachePath', value: join(data, 'cache') },
        ],
      },
    }),
  );
  // another camera's run left its instance Active in the same data folder (killed, never
  // deactivated), pointing at a camera that is gone: `run --instance` must not touch it
  const other = startRecorder(process.execPath, [
    'bin/mediagraph.js',
    ...cvrRunArgs({ cameraUrl: 'rtsp://127.0.0.1:9/none', blob: azurite.connectionString, data, name: 'cam-b' }),
  ]);
  await new Promise((r) => setTimeout(r, 100));
  const deadline = Date.now() + 20_000;
  while (!/is Active/.test(other.output()) && other.ended() === undefined && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  assert.match(other.output(), /is Active/);
  await other.kill();
  const otherLock = join(data, 'cache', 'cam-b', 'assetSink.cache', 'lock');
  assert.ok(existsSync(otherLock), 'cam-b had opened its cache');
  await killAndRestart(
    ['run', 'examples/cvr-asset/topology.json', '--instance', instanceFile, '--blob', azurite.connectionString, '--data', data],
    'sampleAsset-CVRToAsset-cam-a',
    () => {
      // cam-b's cache is not open (its stale claim is only cleared when cam-b itself opens it)
      const claims = readdirSync(otherLock).map((n) => JSON.parse(readFileSync(join(otherLock, n), 'utf8')) as { pid: number });
      assert.ok(
        claims.every((c) => c.pid === other.child.pid),
        `cam-b's cache was opened by ${JSON.stringify(claims)}`,
      );
    },
  );
});

test('run with changed files after a SIGKILL: the stored topology and instance are replaced and it records', async () => {
  const data = join(root, 'changed');
  const asset = 'sampleAsset-CVRToAsset-run-1';
  const base = [
    '--name',
    'run-1',
    '--param',
    `rtspUrl=${camera.url}`,
    '--param',
    `cachePath=${join(data, 'cache')}`,
    '--blob',
    azurite.connectionString,
    '--data',
    data,
  ];
  const first = startRecorder(process.execPath, ['bin/mediagraph.js', 'run', 'examples/cvr-asset/topology.json', ...base]);
  try {
    const n = await moreSegmentsThan(
      azurite.connectionString,
      asset,
      (await segmentBlobs(azurite.connectionString, asset).catch(() => [])).length,
      30_000,
      first,
    );
    await first.kill();
    // a new required parameter the old instance lacks, given by the new command
    const topology = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as { properties: { description: string; parameters: unknown[] } };
    topology.properties.description = 'changed after the crash';
    topology.properties.parameters.push({ name: 'site', type: 'String' });
    const file = join(root, 'changed-topology.json');
    writeFileSync(file, JSON.stringify(topology));
    const again = startRecorder(process.execPath, ['bin/mediagraph.js', 'run', file, ...base, '--param', 'site=north']);
    try {
      await moreSegmentsThan(azurite.connectionString, asset, n + 1, 30_000, again);
      assert.match(again.output(), /updated the stored topology CVRToAsset and instance run-1/);
      const stored = JSON.parse(readFileSync(join(data, 'definitions', 'topologies', 'cvrtoasset.json'), 'utf8')) as { properties: { description: string } };
      assert.equal(stored.properties.description, 'changed after the crash');
    } finally {
      await again.kill();
    }
  } finally {
    await first.kill();
  }
});
