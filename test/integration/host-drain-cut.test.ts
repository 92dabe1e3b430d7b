// Deactivating while the uplink is dead waits for the drain timeout; stopDrainNow (a second
// Ctrl-C in `mediagraph run`) ends it at once, and what was not uploaded stays in the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import type { GraphEvent } from '../../src/types/events.ts';

test('a drain stuck on a dead uplink is cut short by stopDrainNow; the segments stay cached', { timeout: 60_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-drain-cut-'));
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  proxy.mode('blackhole');
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 120_000,
    services: { blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) },
  });
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(async () => {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await proxy.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
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
  assert.equal(host.stopDrainNow('cam1'), false, 'nothing to cut while Inactive');
  await host.instanceActivate('cam1');
  // 30 s segments at 20×: one every ~1.5 s; wait for two in the cache
  const deadline = Date.now() + 30_000;
  while (events.filter((e) => e.type === 'SegmentWritten').length < 2) {
    assert.ok(Date.now() < deadline, `events: ${events.map((e) => e.type).join(',')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const t0 = Date.now();
  const deactivated = host.instanceDeactivate('cam1');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal(host.instanceStatus('cam1').state, 'Deactivating', 'the drain waits on the dead uplink');
  assert.equal(host.stopDrainNow('cam1'), true);
  await deactivated;
  const took = Date.now() - t0;
  assert.ok(took < 5_000, `deactivation took ${took} ms after the cut`);
  assert.equal(host.instanceStatus('cam1').state, 'Inactive');
  assert.equal(events.filter((e) => e.type === 'SegmentUploaded').length, 0);
  const cached = readdirSync(join(dir, 'cache'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.m4s'));
  assert.ok(cached.length >= 2, `cached: ${cached.join()}`);
});
