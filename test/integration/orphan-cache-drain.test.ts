// Issue 18: a cache left behind drains without its instance. A host records LVA's CVR topology
// while the uplink is dead (a TCP proxy resetting every connection), so everything stays in the
// cache; the instance is then removed from the desired state and the host stops. A host started
// on the same data folder does not run that instance, yet uploads what the cache holds: oldest
// first, each segment once (the stored blobs hash to exactly the cached files), and removes the cache.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { until } from '../helpers/until.ts';
import { startRecorder } from '../helpers/restart-harness.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const ASSET = 'sampleAsset-CVRToAsset-cam1';

/** Cached segment files (`…/seg/*`, or the segment being written: `…/open/*`) under a folder, with the sha256 of each. */
function cachedSegments(root: string, folder = '/seg'): { path: string; sha: string }[] {
  const out: { path: string; sha: string }[] = [];
  const walk = (dir: string): void => {
    if (!existsSync(dir)) return;
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (dir.endsWith(folder)) out.push({ path: p, sha: createHash('sha256').update(readFileSync(p)).digest('hex') });
    }
  };
  walk(root);
  return out;
}

test('a cache whose instance no longer runs here is uploaded at start-up, oldest first, once, then removed', async (t) => {
  const dir = tempDir(t, 'orphan-drain-');
  const cachePath = join(dir, 'cache');
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  proxy.mode('reset');
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  t.after(async () => {
    await camera.close();
    await proxy.close();
    await azurite.close();
  });

  const first = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 2000,
    services: { blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) },
  });
  await first.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as unknown);
  await first.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: cachePath },
        { name: 'segmentLength', value: 'PT30S' },
      ],
    },
  });
  await first.instanceActivate('cam1');
  await until(() => cachedSegments(cachePath).length >= 4, 60_000, '4 segments cached behind the dead uplink');
  await first.instanceDeactivate('cam1').catch(() => undefined); // the drain is cut short: the uplink is dead
  await first.instanceDelete('cam1'); // no longer desired here (a fleet moved it, or a user deleted it)
  await first.close();
  const cached = cachedSegments(cachePath);
  assert.ok(cached.length >= 4, `segments left in the cache: ${cached.length}`);
  const cacheFolders = readdirSync(cachePath);
  assert.deepEqual(cacheFolders, ['cam1']);

  // The uplink is back; a host on the same data folder does not run cam1.
  const events: GraphEvent[] = [];
  const second = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: azurite.connectionString },
    onEvent: (e) => events.push(e),
  });
  t.after(() => second.close());
  assert.equal(second.instanceList().length, 0);
  await until(() => !existsSync(join(cachePath, 'cam1')), 60_000, 'the orphan cache drained and removed');

  const uploaded = events.filter((e) => e.type === 'SegmentUploaded').map((e) => (e.body as { blobName: string }).blobName);
  assert.equal(uploaded.length, cached.length, 'each cached segment uploaded once');
  assert.deepEqual(uploaded, [...uploaded].sort(), 'oldest first');
  assert.ok(
    events.every((e) => e.type !== 'SegmentUploaded' || e.subject === '/graphInstances/cam1'),
    'events name the instance the cache was recorded by',
  );
  const store = await BlobAssetStore.create(azurite.connectionString, ASSET);
  const names = await store.listNames('segments/');
  assert.equal(names.length, cached.length, 'no segment stored twice');
  const storedShas = await Promise.all(
    names.map(async (n) =>
      createHash('sha256')
        .update(await store.download(n))
        .digest('hex'),
    ),
  );
  assert.deepEqual(storedShas.sort(), cached.map((c) => c.sha).sort(), 'the stored blobs are exactly the cached files');
  // Indexed: the day index lists what is stored.
  const days = await store.listIndexDays();
  assert.ok(days.length >= 1, 'the drain wrote the day index');
  const spans = await store.listSegmentSpans('segments/');
  const indexed = (await Promise.all(days.map((d) => store.readIndex(d)))).flatMap((i) => i?.ranges ?? []);
  for (const s of spans)
    assert.ok(
      indexed.some((r) => r.startMs <= s.startMs && r.endMs >= s.endMs),
      `segment ${JSON.stringify(s)} is indexed`,
    );
});

test('SIGKILL behind a dead uplink: the next host drains the cache, the segment left open included, each once', async (t) => {
  const dir = tempDir(t, 'orphan-kill-');
  const data = join(dir, 'host');
  const cachePath = join(dir, 'cache');
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  proxy.mode('reset');
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  t.after(async () => {
    await camera.close();
    await proxy.close();
    await azurite.close();
  });
  // A program on the library records `lib-1` in a child process, then dies by SIGKILL mid-segment.
  const child = startRecorder(process.execPath, [
    '--import',
    'tsx',
    'test/helpers/library-host-child.ts',
    data,
    cachePath,
    camera.url,
    azuriteConnectionString(`http://127.0.0.1:${proxy.port}`),
  ]);
  t.after(() => child.kill());
  await until(
    () => cachedSegments(cachePath).length >= 3 && cachedSegments(cachePath, '/open').some((o) => o.path.endsWith('.m4s.part')),
    60_000,
    '3 segments cached and one open',
  );
  await child.kill();
  const cached = cachedSegments(cachePath);
  const open = cachedSegments(cachePath, '/open').filter((o) => o.path.endsWith('.m4s.part'));

  // The instance leaves this host's desired state (the fleet gave it to another host).
  const editor = await MediaGraphHost.open({
    dataDirectory: data,
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    resumeActiveInstances: false,
    orphanCaches: false,
  });
  await editor.instanceDelete('lib-1');
  await editor.close();

  const events: GraphEvent[] = [];
  const host = await MediaGraphHost.open({
    dataDirectory: data,
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: azurite.connectionString },
    onEvent: (e) => events.push(e),
  });
  t.after(() => host.close());
  await until(() => !existsSync(join(cachePath, 'lib-1')), 60_000, 'the orphan cache drained and removed');
  const uploaded = events.filter((e) => e.type === 'SegmentUploaded').map((e) => (e.body as { blobName: string }).blobName);
  assert.deepEqual(uploaded, [...uploaded].sort(), 'oldest first');
  assert.equal(new Set(uploaded).size, uploaded.length, 'each once');
  const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-lib-1');
  const names = await store.listNames('segments/');
  assert.deepEqual(names, [...uploaded].sort(), 'stored: exactly what the drain uploaded');
  const shas = await Promise.all(
    names.map(async (n) =>
      createHash('sha256')
        .update(await store.download(n))
        .digest('hex'),
    ),
  );
  for (const c of cached) assert.ok(shas.includes(c.sha), `cached segment ${c.path} stored intact`);
  // What was being written at the kill is salvaged (its whole fragments, if any) and stored after the rest.
  const salvaged = names.length - cached.length;
  assert.ok(salvaged >= 0 && salvaged <= open.length, `${cached.length} cached + ${salvaged} salvaged of ${open.length} open segment files`);
  console.log(`# SIGKILL drain: ${cached.length} cached + ${salvaged} salvaged from ${open.length} open segment files, ${names.length} stored`);
});

test('a fleet takes an instance away: drainLeftCaches uploads what its drain left, at once, and removes the cache', async (t) => {
  const dir = tempDir(t, 'orphan-rescan-');
  const cachePath = join(dir, 'cache');
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  proxy.mode('reset');
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  t.after(async () => {
    await camera.close();
    await proxy.close();
    await azurite.close();
  });
  // What this host holds leases for, as a fleet would say.
  const leasedHere = new Set(['cam1']);
  const events: GraphEvent[] = [];
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 2000,
    services: { blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) },
    orphanCaches: { runsHere: (name) => leasedHere.has(name) },
    onEvent: (e) => events.push(e),
  });
  t.after(() => host.close());
  await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as unknown);
  await host.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: cachePath },
      ],
    },
  });
  await host.instanceActivate('cam1');
  await until(() => cachedSegments(cachePath).length >= 3, 60_000, '3 segments cached behind the dead uplink');
  // The lease is lost: the instance stops here; its drain is cut short by the dead uplink.
  leasedHere.delete('cam1');
  await host.instanceDeactivate('cam1').catch(() => undefined);
  const cached = cachedSegments(cachePath);
  assert.ok(cached.length >= 3);
  // Asked while the uplink is still dead: it keeps trying, and the cache stays meanwhile.
  const draining = host.drainLeftCaches();
  await new Promise((r) => setTimeout(r, 1500));
  assert.ok(existsSync(join(cachePath, 'cam1')), 'the cache stays while nothing can upload');
  assert.equal(events.filter((e) => e.type === 'SegmentUploaded').length, 0);

  proxy.mode('pass');
  const before = Date.now();
  const uploaded = await draining;
  const tookMs = Date.now() - before;
  assert.equal(uploaded, cached.length, 'every cached segment, once');
  assert.ok(!existsSync(join(cachePath, 'cam1')), 'the cache folder is gone');
  const store = await BlobAssetStore.create(azurite.connectionString, ASSET);
  const names = await store.listNames('segments/');
  const shas = await Promise.all(
    names.map(async (n) =>
      createHash('sha256')
        .update(await store.download(n))
        .digest('hex'),
    ),
  );
  assert.deepEqual(shas.sort(), cached.map((c) => c.sha).sort());
  console.log(`# drainLeftCaches: ${uploaded} segments in ${tookMs} ms`);
});
