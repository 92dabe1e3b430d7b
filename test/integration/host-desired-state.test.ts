// Restart semantics of the host itself: setting the stored documents again is a no-op in any
// state, instances that were active come back active after a clean or unclean stop, and
// apply() converges to given documents (what `mediagraph run` does with its files).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { MediaGraphError } from '../../src/runtime/errors.ts';
import { invokeMethod } from '../../src/runtime/lva-methods.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { collectNode, received, tickerNode, tickerTopology } from '../helpers/test-nodes.ts';

function openHost(dir: string, resumeActiveInstances?: boolean): Promise<MediaGraphHost> {
  const registry = createBuiltinRegistry().register(tickerNode).register(collectNode);
  return MediaGraphHost.open({
    dataDirectory: dir,
    registry,
    logLevel: 'silent',
    deactivateTimeoutMs: 5000,
    ...(resumeActiveInstances === undefined ? {} : { resumeActiveInstances }),
  });
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-desired-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const instance = (name: string, topologyName: string, bucket: string, extra: { name: string; value: string }[] = []) => ({
  '@apiVersion': '2.0',
  name,
  properties: { topologyName, parameters: [{ name: 'bucket', value: bucket }, ...extra] },
});

test('the identical topology and instance set again while Active: 200, nothing restarts, nothing rewritten', async (t) => {
  const host = await openHost(tempDir(t));
  t.after(() => host.close());
  const secret = [{ name: 'token', type: 'SecretString', default: 'x' }];
  assert.equal((await invokeMethod(host, 'GraphTopologySet', tickerTopology('T', {}, secret))).status, 201);
  assert.equal((await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'T', 'same-1', [{ name: 'token', value: 's3cret' }]))).status, 201);
  await host.instanceActivate('i1');
  const list = received.get('same-1');
  const stamp = host.topologyGet('T').systemData?.lastModifiedAt;
  // keys in another order and other letter case are the same document (LVA matched names case-insensitively)
  const reordered = { name: 'T', '@apiVersion': '2.0', properties: { ...(tickerTopology('T', {}, secret)['properties'] as object) } };
  const again = await invokeMethod(host, 'GraphTopologySet', reordered);
  assert.equal(again.status, 200, JSON.stringify(again.payload));
  assert.equal(host.topologyGet('T').systemData?.lastModifiedAt, stamp, 'not rewritten');
  assert.equal((await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'T', 'same-1', [{ name: 'token', value: 's3cret' }]))).status, 200);
  // what a client read back (the secret masked) and sends again is the same instance too
  assert.equal((await invokeMethod(host, 'GraphInstanceSet', host.instanceGet('i1'))).status, 200);
  assert.equal(host.instanceStatus('i1').state, 'Active');
  assert.equal(received.get('same-1'), list, 'the pipeline was not rebuilt');
  // a genuinely changed document keeps LVA's rules
  assert.equal((await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'T', 'other'))).status, 409);
  assert.equal((await invokeMethod(host, 'GraphTopologySet', tickerTopology('T'))).status, 409);
});

test('active instances come back Active after a clean stop; resumeActiveInstances: false leaves them to their owner', async (t) => {
  const dir = tempDir(t);
  const first = await openHost(dir);
  await first.topologySet(tickerTopology('T'));
  await first.instanceSet(instance('a', 'T', 'resume-a'));
  await first.instanceSet(instance('b', 'T', 'resume-b'));
  await first.instanceActivate('a');
  await first.close();
  const second = await openHost(dir);
  assert.equal(second.instanceStatus('a').state, 'Active');
  assert.equal(second.instanceStatus('b').state, 'Inactive');
  assert.equal((await second.topologySet(tickerTopology('T'))).created, false);
  await second.close();
  const owner = await openHost(dir, false);
  t.after(() => owner.close());
  assert.equal(owner.instanceStatus('a').state, 'Inactive');
});

test('apply: identical documents change nothing; a changed topology and instance replace the running instance; a change that breaks another instance is refused whole', async (t) => {
  const host = await openHost(tempDir(t));
  t.after(() => host.close());
  assert.deepEqual(await host.apply(tickerTopology('T'), instance('i1', 'T', 'apply-1')), { topology: 'created', instance: 'created' });
  await host.instanceActivate('i1');
  const list = received.get('apply-1');
  assert.deepEqual(await host.apply(tickerTopology('T'), instance('i1', 'T', 'apply-1')), { topology: 'unchanged', instance: 'unchanged' });
  assert.equal(received.get('apply-1'), list, 'still the same pipeline');

  // a new required parameter, given by the new instance: LVA's API refuses this while Active
  const withExtra = tickerTopology('T', {}, [{ name: 'extra', type: 'Int' }]);
  await assert.rejects(host.topologySet(withExtra), (e: unknown) => e instanceof MediaGraphError && e.code === 'TopologyChangeNotAllowed');
  const states: string[] = [];
  const sub = host.events$.subscribe((e) => {
    if (e.type === 'GraphInstanceStateChanged') states.push((e.body as { state: string }).state);
  });
  t.after(() => sub.unsubscribe());
  assert.deepEqual(await host.apply(withExtra, instance('i1', 'T', 'apply-2', [{ name: 'extra', value: '7' }])), { topology: 'updated', instance: 'updated' });
  assert.deepEqual(states, ['Deactivating', 'Inactive', 'Activating', 'Active']);
  assert.equal(host.instanceStatus('i1').state, 'Active');
  assert.ok(received.get('apply-2'), 'the new instance runs');
  assert.equal(host.instanceGet('i1').properties.parameters?.find((p) => p.name === 'extra')?.value, '7');

  // another stored instance lacks the next required parameter: refused, nothing changed or stopped
  await host.instanceSet(instance('other', 'T', 'apply-other', [{ name: 'extra', value: '1' }]));
  const withMore = tickerTopology('T', {}, [
    { name: 'extra', type: 'Int' },
    { name: 'more', type: 'Int' },
  ]);
  await assert.rejects(
    host.apply(
      withMore,
      instance('i1', 'T', 'apply-3', [
        { name: 'extra', value: '7' },
        { name: 'more', value: '1' },
      ]),
    ),
    (e: unknown) => e instanceof MediaGraphError && e.code === 'TopologyChangeNotAllowed' && /"other"/.test(e.message),
  );
  assert.equal(host.instanceStatus('i1').state, 'Active');
  assert.equal(host.topologyGet('T').properties.parameters?.length, 2);
});
