// Item 5 of the "deploy and forget" issue: a node that fails does not stay failed. A real I/O
// fault: the folder the segmenter writes its open segment in is replaced by a plain file, so
// every write there fails (ENOTDIR/EEXIST; the tests run as root, so permissions would not
// stop a write). The instance must restart with backoff, say so in events, readiness and
// /metrics while it cannot record, and record again by itself once the folder is back.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import type { EventBodies, GraphEvent } from '../../src/types/events.ts';
import { serve, get } from './http-support.ts';
import { until } from '../helpers/until.ts';

/** The folder holding the segmenter's open segment (`…_000001[_<init id>].m4s.part`; with a cache after it, the cache's `open/`), searched under `root`. */
function openSegmentFolder(root: string): string | undefined {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    if (/_\d{6}(_[0-9a-f]+)?\.m4s\.part$/.test(name)) return root;
    if (statSync(path).isDirectory()) {
      const found = openSegmentFolder(path);
      if (found) return found;
    }
  }
  return undefined;
}

test('a node failing on an I/O error restarts its instance, reported while down, recording again after', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-supervise-'));
  const azurite = await startAzurite();
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 5000,
    services: { blobConnection: azurite.connectionString },
  });
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  const of = <K extends keyof EventBodies>(type: K): EventBodies[K][] => events.filter((e) => e.type === type).map((e) => e.body as EventBodies[K]);
  t.after(async () => {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const server = await serve(t, host);

  await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
  await host.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: join(dir, 'cache') },
      ],
    },
  });
  await host.instanceActivate('cam1');
  await until(() => of('SegmentWritten').length >= 1, 20_000, 'the first segment');
  let folder: string | undefined;
  await until(() => (folder = openSegmentFolder(dir)) !== undefined, 5000, 'an open segment');

  // The fault: the folder becomes a file.
  renameSync(folder!, `${folder}.away`);
  writeFileSync(folder!, 'not a folder');
  await until(() => of('InstanceRestarting').length >= 2, 20_000, 'two restart attempts while the fault lasts');
  assert.equal(host.instanceStatus('cam1').state, 'Active', 'the instance stays Active while it restarts');
  const status = host.instanceStatus('cam1');
  assert.equal(status.recording, false);
  assert.equal(status.notRecordingReason, 'restarting');
  assert.ok(status.notRecordingSince && Date.parse(status.notRecordingSince) <= Date.now());
  const attempts = of('InstanceRestarting');
  assert.ok(attempts[1]!.retryInMs > attempts[0]!.retryInMs, `backoff grows: ${attempts.map((a) => a.retryInMs).join(', ')}`);
  assert.equal(attempts[0]!.error.code, 'NodeFailed');

  // Liveness stays up; readiness and /metrics name the instance and since when.
  assert.equal((await get(`${server.url}/healthz`)).status, 200);
  const ready = await get(`${server.url}/readyz`);
  assert.equal(ready.status, 503);
  const body = (await ready.json()) as { notRecording: { instance: string; since: string; reason: string }[] };
  assert.deepEqual(
    body.notRecording.map((i) => [i.instance, i.reason]),
    [['cam1', 'restarting']],
  );
  assert.equal(body.notRecording[0]!.since, status.notRecordingSince);
  const metrics = await (await get(`${server.url}/metrics`)).text();
  assert.match(metrics, /mediagraph_instance_recording\{graph_instance="cam1"\} 0/);
  assert.match(metrics, /mediagraph_instance_not_recording_since_seconds\{graph_instance="cam1",reason="restarting"\} \d+/);

  // The fault ends: the instance comes back by itself and records new segments.
  rmSync(folder!);
  renameSync(`${folder}.away`, folder!);
  const restartedBefore = of('InstanceRestarted').length;
  const writtenBefore = of('SegmentWritten').length;
  await until(
    () => of('InstanceRestarted').length > restartedBefore && host.instanceStatus('cam1').recording && of('SegmentWritten').length > writtenBefore,
    45_000,
    'recording again',
  );
  assert.equal((await get(`${server.url}/readyz`)).status, 200);
  assert.match(await (await get(`${server.url}/metrics`)).text(), /mediagraph_instance_recording\{graph_instance="cam1"\} 1/);
  assert.ok(of('InstanceRestarted').at(-1)!.downMs > 0);
});
