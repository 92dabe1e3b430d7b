// The host's lifecycle rules, one by one (issue #2 §6), through LVA's direct methods, with
// real RxJS pipelines and a real definitions folder (persistence across a restart).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { firstValueFrom, filter, take, toArray, timeout } from 'rxjs';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { invokeMethod } from '../../src/runtime/lva-methods.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { collectNode, received, tickerNode, tickerTopology } from '../helpers/test-nodes.ts';

async function openHost(dir: string, lines: string[] = []): Promise<MediaGraphHost> {
  const registry = createBuiltinRegistry().register(tickerNode).register(collectNode);
  return MediaGraphHost.open({ dataDirectory: dir, registry, logLevel: 'debug', logWrite: (l) => lines.push(l), deactivateTimeoutMs: 5000 });
}

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'mg-host-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const instance = (name: string, topologyName: string, bucket: string, extra: unknown[] = []) => ({
  '@apiVersion': '2.0',
  name,
  properties: { topologyName, parameters: [{ name: 'bucket', value: bucket }, ...extra] },
});

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('host lifecycle through LVA direct methods', () => {
  test('set/get/list/delete status codes; names are case-insensitive', async (t) => {
    const host = await openHost(tempDir(t));
    t.after(() => host.close());
    assert.equal((await invokeMethod(host, 'GraphTopologySet', tickerTopology('T1'))).status, 201);
    assert.equal((await invokeMethod(host, 'graphtopologyset', tickerTopology('T1'))).status, 200, 'update, method name any case');
    const got = await invokeMethod(host, 'GraphTopologyGet', { name: 't1' });
    assert.equal(got.status, 200);
    assert.equal((got.payload as { name: string }).name, 'T1');
    assert.ok((got.payload as { systemData: { createdAt: string } }).systemData.createdAt);
    assert.equal((await invokeMethod(host, 'GraphTopologyGet', { name: 'nope' })).status, 404);
    const list = await invokeMethod(host, 'GraphTopologyList', {});
    assert.deepEqual(
      (list.payload as { value: { name: string }[] }).value.map((v) => v.name),
      ['T1'],
    );
    assert.equal((await invokeMethod(host, 'GraphTopologyDelete', { name: 'T1' })).status, 200);
    assert.equal((await invokeMethod(host, 'GraphTopologyDelete', { name: 'T1' })).status, 204, 'missing delete is 204');
    const bad = await invokeMethod(host, 'GraphTopologySet', { ...tickerTopology('T2'), '@apiVersion': '9.9' });
    assert.equal(bad.status, 400);
    assert.equal((bad.payload as { error: { details: { code: string }[] } }).error.details[0]!.code, 'ApiVersionNotSupported');
    const invalidName = await invokeMethod(host, 'GraphTopologySet', tickerTopology('-bad name-'));
    assert.equal(invalidName.status, 400);
    assert.equal((invalidName.payload as { error: { details: { target: string }[] } }).error.details[0]!.target, '/name');
  });

  test('activate runs the pipeline; deactivate drains the sink before Inactive', async (t) => {
    const host = await openHost(tempDir(t));
    t.after(() => host.close());
    const states: string[] = [];
    const sub = host.events$.pipe(filter((e) => e.type === 'GraphInstanceStateChanged')).subscribe((e) => states.push((e.body as { state: string }).state));
    t.after(() => sub.unsubscribe());
    await host.topologySet(tickerTopology('T'));
    assert.equal((await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'T', 'b-drain'))).status, 201);
    await host.instanceSet({ ...instance('i1', 'T', 'b-drain'), properties: { ...instance('i1', 'T', 'b-drain').properties } });
    assert.equal((await invokeMethod(host, 'GraphInstanceActivate', { name: 'i1' })).status, 200);
    assert.equal(host.instanceGet('i1').properties.state, 'Active');
    assert.equal((await invokeMethod(host, 'GraphInstanceActivate', { name: 'i1' })).status, 200, 'activating an active instance is a no-op');
    await waitFor(() => (received.get('b-drain')?.length ?? 0) > 5);
    const dir = await invokeMethod(host, 'GraphInstanceDeactivate', { name: 'i1' });
    assert.equal(dir.status, 200);
    const list = received.get('b-drain')!;
    assert.equal(list.at(-1)?.kind, 'end', 'the sink finished draining before deactivate returned');
    assert.equal(list.at(-2)?.kind, 'end', 'the source ended with End on stop');
    assert.equal(host.instanceGet('i1').properties.state, 'Inactive');
    assert.deepEqual(states, ['Activating', 'Active', 'Deactivating', 'Inactive']);
  });

  test('a topology in use cannot be deleted or changed while active; an active instance cannot be changed or deleted', async (t) => {
    const host = await openHost(tempDir(t));
    t.after(() => host.close());
    await host.topologySet(tickerTopology('T'));
    await host.instanceSet(instance('i1', 'T', 'b-rules'));
    const del = await invokeMethod(host, 'GraphTopologyDelete', { name: 'T' });
    assert.equal(del.status, 409);
    assert.equal((del.payload as { error: { details: { code: string }[] } }).error.details[0]!.code, 'GraphTopologyInUse');

    // inactive users: a new parameter without a default would break the instance
    const withRequired = tickerTopology('T', {}, [{ name: 'extra', type: 'Int' }]);
    const change = await invokeMethod(host, 'GraphTopologySet', withRequired);
    assert.equal(change.status, 409);
    assert.match(JSON.stringify(change.payload), /TopologyChangeNotAllowed/);
    assert.equal(
      (await invokeMethod(host, 'GraphTopologySet', tickerTopology('T', {}, [{ name: 'extra', type: 'Int', default: '1' }]))).status,
      200,
      'with a default it is allowed',
    );

    await host.instanceActivate('i1');
    const whileActive = await invokeMethod(host, 'GraphTopologySet', tickerTopology('T'));
    assert.equal(whileActive.status, 409);
    assert.match(JSON.stringify(whileActive.payload), /not Inactive/);
    for (const [method, payload] of [
      ['GraphInstanceSet', instance('i1', 'T', 'other')],
      ['GraphInstanceDelete', { name: 'i1' }],
    ] as const) {
      const r = await invokeMethod(host, method, payload);
      assert.equal(r.status, 409, method);
      const err = (r.payload as { error: { details: { code: string; message: string }[] } }).error.details[0]!;
      assert.equal(err.code, 'OperationNotAllowedInState');
      assert.match(err.message, /it is Active; allowed when Inactive/);
    }
    await host.instanceDeactivate('i1');
    assert.equal((await invokeMethod(host, 'GraphInstanceDelete', { name: 'i1' })).status, 200);
    assert.equal((await invokeMethod(host, 'GraphInstanceDelete', { name: 'i1' })).status, 204);
    assert.equal((await invokeMethod(host, 'GraphTopologyDelete', { name: 'T' })).status, 200);
  });

  test('instance validation: unknown topology, bad parameter; quotas', async (t) => {
    const host = await MediaGraphHost.open({
      dataDirectory: tempDir(t),
      registry: createBuiltinRegistry().register(tickerNode).register(collectNode),
      logLevel: 'silent',
      quotas: { topologies: 1 },
    });
    t.after(() => host.close());
    const missing = await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'Nope', 'x'));
    assert.equal(missing.status, 404);
    await host.topologySet(tickerTopology('T'));
    const bad = await invokeMethod(host, 'GraphInstanceSet', instance('i1', 'T', 'x', [{ name: 'nosuch', value: '1' }]));
    assert.equal(bad.status, 400);
    assert.match(JSON.stringify(bad.payload), /"code":"ParameterUnknown","target":"\/properties\/parameters\/1\/name"/);
    const quota = await invokeMethod(host, 'GraphTopologySet', tickerTopology('T2'));
    assert.equal(quota.status, 409);
    assert.match(JSON.stringify(quota.payload), /QuotaExceeded/);
  });

  test('a failing node becomes an event and a restart of its instance (with the error), not a host crash', async (t) => {
    const host = await openHost(tempDir(t));
    t.after(() => host.close());
    await host.topologySet(tickerTopology('T', { failAfter: '3' }));
    await host.instanceSet(instance('i1', 'T', 'b-fail'));
    const events = firstValueFrom(
      host.events$.pipe(
        filter((e) => e.type === 'RuntimeError'),
        timeout(5000),
      ),
    );
    const restarting = firstValueFrom(
      host.events$.pipe(
        filter((e) => e.type === 'InstanceRestarting'),
        timeout(5000),
      ),
    );
    await host.instanceActivate('i1');
    const ev = await events;
    assert.match(JSON.stringify(ev.body), /node \\"collect\\" failed: disk on fire/);
    assert.equal((await restarting).subject, '/graphInstances/i1');
    // supervised: the instance stays Active and is rebuilt after a backoff; the error is kept
    assert.equal(host.instanceStatus('i1').state, 'Active');
    assert.equal(host.instanceStatus('i1').lastError?.code, 'NodeFailed');
    await host.instanceDeactivate('i1');
    assert.equal(host.instanceStatus('i1').state, 'Inactive');
    // the host still works
    await host.topologySet(tickerTopology('T2'));
    await host.instanceSet(instance('i2', 'T2', 'b-after'));
    await host.instanceActivate('i2');
    await waitFor(() => (received.get('b-after')?.length ?? 0) > 2);
    await host.instanceDeactivate('i2');
  });

  test('a type that validates but is not implemented fails activation clearly', async (t) => {
    const host = await openHost(tempDir(t));
    t.after(() => host.close());
    await host.topologySet({
      name: 'Hub',
      properties: {
        sources: [{ '@type': '#Test.Ticker', name: 'ticker' }],
        sinks: [{ '@type': '#Microsoft.Media.MediaGraphIoTHubMessageSink', name: 'hub', hubOutputName: 'out', inputs: [{ nodeName: 'ticker' }] }],
      },
    });
    await host.instanceSet({ name: 'h1', properties: { topologyName: 'Hub' } });
    const r = await invokeMethod(host, 'GraphInstanceActivate', { name: 'h1' });
    assert.equal(r.status, 400);
    const err = (r.payload as { error: { details: { code: string; target: string; message: string }[] } }).error.details[0]!;
    assert.equal(err.code, 'NodeTypeNotSupported');
    assert.equal(err.target, '/properties/sinks/0/@type');
    assert.match(err.message, /not supported yet/);
    assert.equal(host.instanceGet('h1').properties.state, 'Inactive');
  });

  test('definitions persist; a restarted host re-activates what was active', async (t) => {
    const dir = tempDir(t);
    const first = await openHost(dir);
    await first.topologySet(tickerTopology('T'));
    await first.instanceSet(instance('on', 'T', 'b-restart-on'));
    await first.instanceSet(instance('off', 'T', 'b-restart-off'));
    await first.instanceActivate('on');
    await first.close();
    received.delete('b-restart-on');
    const second = await openHost(dir);
    t.after(() => second.close());
    assert.deepEqual(
      second.topologyList().map((x) => x.name),
      ['T'],
    );
    assert.equal(second.instanceGet('on').properties.state, 'Active');
    assert.equal(second.instanceGet('off').properties.state, 'Inactive');
    await waitFor(() => (received.get('b-restart-on')?.length ?? 0) > 2);
    await second.instanceDeactivate('on');
    assert.ok(readdirSync(join(dir, 'definitions', 'instances')).includes('on.json'));
  });

  test('SecretString values never appear in GET, events or logs', async (t) => {
    const lines: string[] = [];
    const host = await openHost(tempDir(t), lines);
    t.after(() => host.close());
    const events: GraphEvent[] = [];
    const sub = host.events$.subscribe((e) => events.push(e));
    t.after(() => sub.unsubscribe());
    const topo = tickerTopology('S', {}, [{ name: 'pw', type: 'SecretString' }]) as { properties: { sources: Record<string, unknown>[] } };
    topo.properties.sources[0]!['secretEcho'] = 'user:${pw}';
    await host.topologySet(topo);
    await host.instanceSet(instance('s1', 'S', 'b-secret', [{ name: 'pw', value: 'Tr0ub4dor&3' }]));
    const got = host.instanceGet('s1');
    assert.ok(!JSON.stringify(got).includes('Tr0ub4dor'), 'masked in GET');
    await host.instanceActivate('s1');
    await waitFor(() => events.some((e) => e.type === 'NetworkError'));
    await host.instanceDeactivate('s1');
    // the masked value sent back keeps the stored secret
    await host.instanceSet(got);
    const stored = readFileSync(join(host.dataDirectory, 'definitions', 'instances', 's1.json'), 'utf8');
    assert.ok(stored.includes('Tr0ub4dor&3'), 'stored secret kept for re-activation');
    const everything = JSON.stringify(events) + lines.join('\n');
    assert.ok(everything.includes('could not log in with user:***'), 'the event is there, redacted');
    assert.ok(!everything.includes('Tr0ub4dor'), 'no secret in events or logs');
  });
});

test('events carry LVA envelope fields', async (t) => {
  const host = await openHost(tempDir(t));
  t.after(() => host.close());
  await host.topologySet(tickerTopology('T'));
  await host.instanceSet(instance('e1', 'T', 'b-ev'));
  const first = firstValueFrom(host.events$.pipe(take(2), toArray()));
  await host.instanceActivate('e1');
  const [a] = await first;
  assert.equal(a!.eventType, 'Microsoft.Media.Graph.Operational.GraphInstanceStateChanged');
  assert.equal(a!.subject, '/graphInstances/e1');
  assert.ok(!Number.isNaN(Date.parse(a!.eventTime)));
  await host.instanceDeactivate('e1');
});
