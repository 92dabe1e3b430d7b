// A host in fleet mode over the shared store (Azurite): LVA's methods on one host change the
// fleet's desired state, another host takes it in at its next refresh, and activation only
// records the wish (the lease owner runs it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from '../../src/testing/azurite.ts';
import { FleetContainer } from '../../src/fleet/fleet-container.ts';
import { SharedDefinitionStore } from '../../src/fleet/shared-definition-store.ts';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { MediaGraphError } from '../../src/runtime/errors.ts';

const topology = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as unknown;
const instance = { name: 'cam1', properties: { topologyName: 'CVRToAsset', parameters: [{ name: 'rtspUrl', value: 'rtsp://127.0.0.1:1/none' }] } };

test('fleet host: methods on one host change the shared state; another sees them after a refresh; activate stores the wish', async (t) => {
  const az = await startAzurite({ inMemory: true });
  const root = mkdtempSync(join(tmpdir(), 'fleet-host-'));
  const open = async (name: string): Promise<MediaGraphHost> =>
    MediaGraphHost.open({
      dataDirectory: join(root, name),
      registry: createBuiltinRegistry(),
      logLevel: 'silent',
      fleet: { definitions: new SharedDefinitionStore(await FleetContainer.open(az.connectionString, 'fleet-h')) },
    });
  const a = await open('a');
  const b = await open('b');
  t.after(async () => {
    await a.close();
    await b.close();
    await az.close();
    rmSync(root, { recursive: true, force: true });
  });
  await a.topologySet(topology);
  await a.instanceSet(instance);
  await a.instanceActivate('cam1');
  // nothing runs here without the lease
  assert.equal(a.instanceGet('cam1').properties.state, 'Inactive');
  assert.equal(a.instanceStatus('cam1').shouldRecord, false);
  assert.deepEqual(a.desiredActiveInstances(), ['cam1']);
  assert.deepEqual(b.desiredActiveInstances(), []);
  await b.refreshDefinitions();
  assert.deepEqual(b.desiredActiveInstances(), ['cam1']);
  assert.equal(b.topologyList().length, 1);
  // desired active somewhere in the fleet: neither changed nor deleted
  await assert.rejects(
    b.instanceSet({ ...instance, properties: { ...instance.properties, description: 'x' } }),
    (e: unknown) => e instanceof MediaGraphError && e.code === 'OperationNotAllowedInState',
  );
  await assert.rejects(b.instanceDelete('cam1'), (e: unknown) => e instanceof MediaGraphError && e.code === 'OperationNotAllowedInState');
  await b.instanceDeactivate('cam1');
  await a.refreshDefinitions();
  assert.deepEqual(a.desiredActiveInstances(), []);
  assert.equal(await a.instanceDelete('cam1'), true);
  await b.refreshDefinitions();
  assert.deepEqual(b.instanceList(), []);
});
