// The system-variable rule for a name pattern that a parameter brings is judged when an
// instance gives the value (GraphInstanceSet, and again at activation), in 2.0 documents only;
// a 1.0 file sink's filePathPattern is set and read back as written, and records through its
// 2.0 form (real host, real simulated camera over RTSP, real folder).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { invokeMethod } from '../../src/runtime/lva-methods.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { until } from '../helpers/until.ts';
import { ffmpegDecode } from '../helpers/mp4-inspect.ts';
import { hasCommand } from '../helpers/tools.ts';

type Doc = Record<string, any>;
const corpus = (version: string, name: string): Doc => JSON.parse(readFileSync(`test/fixtures/lva-topologies/${version}/${name}.json`, 'utf8')) as Doc;

/** LVA's CVR sample with the asset named by a parameter, as the IoT Central gateway did. */
function namedAssetTopology(version: '1.0' | '2.0'): Doc {
  const t = corpus(version, 'cvr-asset');
  t.name = `NamedAsset${version.replace('.', '')}`;
  t.properties.parameters.push({ name: 'assetName', type: 'String' });
  t.properties.sinks[0].assetNamePattern = '${assetName}';
  return t;
}

function instance(name: string, topologyName: string, assetName: string): Doc {
  return {
    '@apiVersion': '2.0',
    name,
    properties: {
      topologyName,
      parameters: [
        { name: 'rtspUrl', value: 'rtsp://127.0.0.1:8554/camera' },
        { name: 'assetName', value: assetName },
      ],
    },
  };
}

test("GraphInstanceSet judges the asset name a parameter brings, by the topology's @apiVersion", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-lva-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const host = await MediaGraphHost.open({ dataDirectory: dir, registry: createBuiltinRegistry(), logLevel: 'warn', logWrite: () => {} });
  t.after(() => host.close());

  for (const version of ['1.0', '2.0'] as const) {
    const set = await invokeMethod(host, 'GraphTopologySet', namedAssetTopology(version));
    assert.equal(set.status, 201, `${version}: the topology is accepted: the rule cannot be judged on it (${JSON.stringify(set.payload)})`);
  }

  const fixed2 = await invokeMethod(host, 'GraphInstanceSet', instance('cam-2', 'NamedAsset20', 'fixedAssetName'));
  assert.equal(fixed2.status, 400, JSON.stringify(fixed2.payload));
  const details = (fixed2.payload as { error: { details: { code: string; target: string; message: string }[] } }).error.details;
  assert.ok(
    details.some((d) => d.code === 'PropertyValueInvalidPattern' && d.target === '/properties/sinks/0/assetNamePattern' && /system variable/.test(d.message)),
    JSON.stringify(details),
  );

  const dated2 = await invokeMethod(host, 'GraphInstanceSet', instance('cam-2', 'NamedAsset20', 'cam2-${System.GraphInstanceName}'));
  assert.equal(dated2.status, 201, JSON.stringify(dated2.payload));

  // the IoT Central gateway's names (scope, camera, time, no variable) ran on LVA 1.0
  const fixed1 = await invokeMethod(host, 'GraphInstanceSet', instance('cam-1', 'NamedAsset10', 'scope1-camera7-20210125-100000'));
  assert.equal(fixed1.status, 201, JSON.stringify(fixed1.payload));
});

test('a 1.0 file sink topology is stored as written and validated as its 2.0 form', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-lva-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const host = await MediaGraphHost.open({ dataDirectory: dir, registry: createBuiltinRegistry(), logLevel: 'warn', logWrite: () => {} });
  t.after(() => host.close());
  const topology = corpus('1.0', 'evr-hubMessage-files');
  assert.equal((await invokeMethod(host, 'GraphTopologySet', topology)).status, 201);
  const got = await invokeMethod(host, 'GraphTopologyGet', { '@apiVersion': '1.0', name: topology.name });
  assert.equal((got.payload as Doc).properties.sinks[0].filePathPattern, '/var/media/sampleFilesFromEVR-${System.DateTime}');
  const inst = await invokeMethod(host, 'GraphInstanceSet', {
    '@apiVersion': '1.0',
    name: 'evr-1',
    properties: { topologyName: topology.name, parameters: [{ name: 'rtspUrl', value: 'rtsp://127.0.0.1:8554/camera' }] },
  });
  assert.equal(inst.status, 201, JSON.stringify(inst.payload));
  // the signal gate and the IoT Hub source cannot run here: activation says so, by node
  const activate = await invokeMethod(host, 'GraphInstanceActivate', { '@apiVersion': '1.0', name: 'evr-1' });
  assert.equal(activate.status, 400, JSON.stringify(activate.payload));
  assert.match(JSON.stringify(activate.payload), /NodeTypeNotSupported/);
});

test('a 1.0 file sink records MP4 files where its filePathPattern says', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-lva-rules-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  t.after(() => camera.close());
  const host = await MediaGraphHost.open({ dataDirectory: join(dir, 'host'), registry: createBuiltinRegistry(), logLevel: 'warn', logWrite: () => {} });
  t.after(() => host.close());
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(() => sub.unsubscribe());
  // LVA 1.0's file sink, wired straight to the camera (1.0 wanted a signal gate in between,
  // which this host cannot run yet)
  const topology = corpus('1.0', 'evr-motion-files');
  topology.properties.processors = [];
  topology.properties.sinks[0].inputs = [{ nodeName: 'rtspSource' }];
  topology.properties.sinks[0].filePathPattern = `${join(dir, 'clips')}/door-\${fileSinkOutputName}-\${System.GraphInstanceName}`;
  assert.equal((await invokeMethod(host, 'GraphTopologySet', topology)).status, 201);
  const inst = await invokeMethod(host, 'GraphInstanceSet', {
    '@apiVersion': '1.0',
    name: 'door',
    properties: { topologyName: topology.name, parameters: [{ name: 'rtspUrl', value: camera.url }] },
  });
  assert.equal(inst.status, 201, JSON.stringify(inst.payload));
  assert.equal((await invokeMethod(host, 'GraphInstanceActivate', { '@apiVersion': '1.0', name: 'door' })).status, 200);
  await until(() => events.some((e) => e.type === 'RecordingAvailable'), 20_000, 'a file with media in it');
  await invokeMethod(host, 'GraphInstanceDeactivate', { '@apiVersion': '1.0', name: 'door' });
  const started = events.find((e) => e.type === 'RecordingStarted')!.body as { outputType: string; outputLocation: string };
  assert.equal(started.outputType, 'filePath');
  assert.equal(started.outputLocation, join(dir, 'clips', 'door-filesinkOutput-door-1.mp4'));
  assert.deepEqual(readdirSync(join(dir, 'clips')), ['door-filesinkOutput-door-1.mp4']);
  if (hasCommand('ffmpeg')) assert.equal(ffmpegDecode(started.outputLocation).stderr, '');
});
