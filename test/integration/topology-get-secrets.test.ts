// GraphTopologyGet answers the topology as it was set: `${parameter}` references intact, a
// SecretString default masked. Setting that answer back keeps the stored secret and bakes no
// default in, so an instance's own credentials still reach the camera (real camera, real
// Azurite, LVA's CVR example).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { invokeMethod } from '../../src/runtime/lva-methods.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { until } from '../helpers/until.ts';

const DEFAULT_SECRET = 'Topology-Default-9d2f61';
const CAMERA_PASSWORD = 'Camera-Pw-3a7c55e1';

interface Declaration {
  name: string;
  type: string;
  default?: string;
}
interface TopologyDoc {
  name: string;
  properties: { parameters: Declaration[]; sources: { endpoint: { url: string; credentials: { password: string } } }[] };
}

function cvrTopology(): TopologyDoc {
  const t = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as TopologyDoc;
  for (const p of t.properties.parameters) if (p.name === 'rtspPassword') p.default = DEFAULT_SECRET;
  return t;
}

test("Get returns the topology as set with SecretString defaults masked; setting it back keeps the secret and the instance's credentials", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-topology-get-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const azurite = await startAzurite();
  t.after(() => azurite.close());
  const camera = await startSimulatedCamera({
    file: 'test/fixtures/media/h264-main-aac.mp4',
    speed: 10,
    auth: { username: 'viewer', password: CAMERA_PASSWORD, scheme: 'digest' },
  });
  t.after(() => camera.close());
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'warn',
    logWrite: () => {},
    services: { blobConnection: azurite.connectionString },
  });
  t.after(() => host.close());
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(() => sub.unsubscribe());

  const set = await invokeMethod(host, 'GraphTopologySet', cvrTopology());
  assert.equal(set.status, 201);
  assert.ok(!JSON.stringify(set.payload).includes(DEFAULT_SECRET), 'the Set answer echoes the secret default');

  const got = await invokeMethod(host, 'GraphTopologyGet', { name: 'CVRToAsset' });
  const view = got.payload as TopologyDoc;
  const text = JSON.stringify(view);
  assert.ok(!text.includes(DEFAULT_SECRET), 'the SecretString default left the host');
  assert.equal(view.properties.parameters.find((p) => p.name === 'rtspPassword')?.default, '***');
  assert.equal(view.properties.parameters.find((p) => p.name === 'rtspUserName')?.default, 'dummyUserName', 'other defaults as set');
  assert.equal(view.properties.sources[0]!.endpoint.credentials.password, '${rtspPassword}', 'parameter references not substituted');
  assert.equal(view.properties.sources[0]!.endpoint.url, '${rtspUrl}');
  const listed = (await invokeMethod(host, 'GraphTopologyList', {})).payload as { value: TopologyDoc[] };
  assert.ok(!JSON.stringify(listed).includes(DEFAULT_SECRET), 'List leaks the default');

  // A client edits what it read and sets it back.
  view.properties.parameters.find((p) => p.name === 'segmentLength')!.default = 'PT30S';
  assert.equal((await invokeMethod(host, 'GraphTopologySet', view)).status, 200);
  const stored = readdirSync(join(dir, 'host', 'definitions'), { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.json'))
    .map((f) => readFileSync(join(dir, 'host', 'definitions', f), 'utf8'))
    .join('\n');
  assert.ok(stored.includes(DEFAULT_SECRET), 'the stored secret default was kept');
  assert.ok(!stored.includes('"***"'), 'the mask was stored as a value');

  // The instance's own password is used, not a baked-in default.
  await host.instanceSet({
    name: 'cam',
    properties: {
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'rtspUserName', value: 'viewer' },
        { name: 'rtspPassword', value: CAMERA_PASSWORD },
        { name: 'cachePath', value: join(dir, 'cache') },
      ],
    },
  });
  await host.instanceActivate('cam');
  await until(() => events.some((e) => e.type === 'SegmentUploaded' || e.type === 'AuthenticationError'), 20_000, 'an upload or an auth error');
  assert.ok(!events.some((e) => e.type === 'AuthenticationError'), 'the camera refused the credentials');
  await host.instanceDeactivate('cam');

  // A mask with nothing stored behind it is refused, not kept as a password.
  const fresh = { ...view, name: 'Other' };
  const refused = await invokeMethod(host, 'GraphTopologySet', fresh);
  assert.equal(refused.status, 400);
  assert.match(JSON.stringify(refused.payload), /ParameterDeclarationInvalid/);
});
