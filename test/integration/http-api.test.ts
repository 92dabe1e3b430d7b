// The HTTP control plane over a real host: LVA's direct methods with their status codes, the
// REST routes beside them, events as SSE, Prometheus metrics, and the bearer token rules.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { startHttpServer } from '../../src/control/http/server.ts';
import { tickerTopology } from '../helpers/test-nodes.ts';
import { get, instanceDoc, openTestHost, send, serve } from './http-support.ts';

type OData = { error: { code: string; message: string; details: { code: string; target: string; message: string }[] } };

describe('HTTP control plane', () => {
  test('LVA direct methods at POST /api/methods/{methodName}: {status, payload} and HTTP status = status', async (t) => {
    const host = await openTestHost(t);
    const { url } = await serve(t, host);
    const call = async (method: string, payload: unknown): Promise<{ http: number; body: { status: number; payload: unknown } | undefined }> => {
      const r = await send(`${url}/api/methods/${method}`, 'POST', payload);
      const text = await r.text();
      return { http: r.status, body: text ? (JSON.parse(text) as { status: number; payload: unknown }) : undefined };
    };
    let r = await call('GraphTopologySet', tickerTopology('T1'));
    assert.equal(r.http, 201);
    assert.equal(r.body?.status, 201);
    assert.equal((r.body?.payload as { name: string }).name, 'T1');
    r = await call('graphtopologyset', tickerTopology('T1'));
    assert.equal(r.http, 200, 'update; method names are case-insensitive');
    r = await call('GraphTopologyGet', { '@apiVersion': '2.0', name: 'nope' });
    assert.equal(r.http, 404);
    assert.equal((r.body?.payload as OData).error.code, 'NotFound');
    r = await call('GraphTopologyList', {});
    assert.deepEqual(
      (r.body?.payload as { value: { name: string }[] }).value.map((v) => v.name),
      ['T1'],
    );
    r = await call('GraphInstanceSet', instanceDoc('i1', 'T1', 'http-m'));
    assert.equal(r.http, 201);
    r = await call('GraphInstanceActivate', { name: 'i1' });
    assert.equal(r.http, 200);
    assert.equal(r.body?.payload, null);
    r = await call('GraphTopologyDelete', { name: 'T1' });
    assert.equal(r.http, 409);
    assert.equal((r.body?.payload as OData).error.details[0]!.code, 'GraphTopologyInUse');
    r = await call('GraphInstanceDelete', { name: 'i1' });
    assert.equal(r.http, 409);
    assert.match((r.body?.payload as OData).error.details[0]!.message, /it is Active/);
    assert.equal((await call('GraphInstanceDeactivate', { name: 'i1' })).http, 200);
    assert.equal((await call('GraphInstanceDelete', { name: 'i1' })).http, 200);
    const missing = await call('GraphInstanceDelete', { name: 'i1' });
    assert.equal(missing.http, 204, 'deleting what is not there is 204 (no body)');
    assert.equal(missing.body, undefined);
    r = await call('GraphTopologySet', { ...tickerTopology('T2'), '@apiVersion': '9.9' });
    assert.equal(r.http, 400);
    assert.equal((r.body?.payload as OData).error.details[0]!.code, 'ApiVersionNotSupported');
    r = await call('NoSuchMethod', {});
    assert.equal(r.http, 404);
    assert.equal((r.body?.payload as OData).error.details[0]!.code, 'MethodNotFound');
  });

  test('REST routes on the same host methods; OData errors without stack traces', async (t) => {
    const host = await openTestHost(t);
    const { url } = await serve(t, host);
    assert.equal((await send(`${url}/api/topologies/T`, 'PUT', tickerTopology('T'))).status, 201);
    assert.equal((await send(`${url}/api/topologies/T`, 'PUT', { ...tickerTopology('T'), name: undefined })).status, 200, 'the URL names it');
    const mismatch = await send(`${url}/api/topologies/T`, 'PUT', tickerTopology('Other'));
    assert.equal(mismatch.status, 400);
    assert.equal(((await mismatch.json()) as OData).error.details[0]!.code, 'NameMismatch');
    const list = (await (await get(`${url}/api/topologies`)).json()) as { value: { name: string }[] };
    assert.deepEqual(
      list.value.map((x) => x.name),
      ['T'],
    );
    assert.equal(((await (await get(`${url}/api/topologies/t`)).json()) as { name: string }).name, 'T');
    assert.equal((await send(`${url}/api/instances/cam-1`, 'PUT', instanceDoc('cam-1', 'T', 'http-rest'))).status, 201);
    const activated = await send(`${url}/api/instances/cam-1/activate`, 'POST');
    assert.equal(activated.status, 200);
    assert.equal(((await activated.json()) as { state: string }).state, 'Active');
    const status = (await (await get(`${url}/api/instances/cam-1/status`)).json()) as { state: string; activatedAt: string };
    assert.equal(status.state, 'Active');
    assert.ok(!Number.isNaN(Date.parse(status.activatedAt)));
    const insts = (await (await get(`${url}/api/instances`)).json()) as { value: { name: string; properties: { state: string } }[] };
    assert.deepEqual(
      insts.value.map((i) => [i.name, i.properties.state]),
      [['cam-1', 'Active']],
    );
    const inUse = await send(`${url}/api/topologies/T`, 'DELETE');
    assert.equal(inUse.status, 409);
    const deact = await send(`${url}/api/instances/cam-1/deactivate`, 'POST');
    assert.equal(((await deact.json()) as { state: string }).state, 'Inactive');
    assert.equal((await send(`${url}/api/instances/cam-1`, 'DELETE')).status, 200);
    assert.equal((await send(`${url}/api/instances/cam-1`, 'DELETE')).status, 204);
    assert.equal((await get(`${url}/api/instances/cam-1/status`)).status, 404);
    assert.equal((await send(`${url}/api/topologies/T`, 'DELETE')).status, 200);

    const badJson = await send(`${url}/api/topologies/T`, 'PUT', '{"name": "T", secret-ish');
    assert.equal(badJson.status, 400);
    const badBody = (await badJson.json()) as OData;
    assert.equal(badBody.error.details[0]!.code, 'InvalidJson');
    assert.ok(!JSON.stringify(badBody).includes('secret-ish'), 'the body is not echoed');
    assert.ok(!/at \w+ \(|\.ts:\d+/.test(JSON.stringify(badBody)), 'no stack trace');
    const big = await send(`${url}/api/topologies/T`, 'PUT', JSON.stringify({ name: 'T', pad: 'x'.repeat(1024 * 1024 + 10) }));
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as OData).error.details[0]!.code, 'PayloadTooLarge');
    assert.equal((await get(`${url}/api/nowhere`)).status, 404);
    const wrongMethod = await send(`${url}/api/topologies`, 'DELETE');
    assert.equal(wrongMethod.status, 405);
    assert.equal((await get(`${url}/healthz`)).status, 200);
    assert.equal((await get(`${url}/readyz`)).status, 200);
    const noPlayback = await get(`${url}/api/assets`);
    assert.equal(noPlayback.status, 503, 'playback routes say when no storage is configured');
  });

  test('GET /api/events streams a state change as SSE and releases the subscription on disconnect', async (t) => {
    const host = await openTestHost(t);
    const server = await serve(t, host, { sseKeepAliveMs: 100 });
    await host.topologySet(tickerTopology('T'));
    await host.instanceSet(instanceDoc('ev1', 'T', 'http-sse'));
    const controller = new AbortController();
    const deadline = setTimeout(() => controller.abort(), 10_000);
    t.after(() => clearTimeout(deadline));
    const r = await fetch(`${server.url}/api/events`, { signal: controller.signal });
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = r.body!.getReader();
    const decoder = new TextDecoder();
    let text = '';
    await host.instanceSet(instanceDoc('ev2', 'T', 'http-sse-2'));
    const other = await fetch(`${server.url}/api/events?instance=ev2`, { signal: controller.signal });
    void host.instanceActivate('ev1');
    while (!/event: GraphInstanceStateChanged\ndata: .*"state":"Active"/.test(text) || !text.includes(': keep-alive')) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
    }
    const block = text.split('\n\n').find((b) => b.startsWith('event: GraphInstanceStateChanged') && b.includes('"state":"Active"'));
    assert.ok(block, `state change event in the stream:\n${text}`);
    const data = JSON.parse(block.split('\n')[1]!.slice('data: '.length)) as { type: string; subject: string; body: { previousState: string } };
    assert.equal(data.type, 'GraphInstanceStateChanged');
    assert.equal(data.subject, '/graphInstances/ev1');
    assert.equal(data.body.previousState, 'Activating');
    assert.ok(text.includes(': keep-alive'), 'keep-alive comments');
    // the stream filtered on ev2 gets ev2's events, none of ev1's (which came first)
    await host.instanceActivate('ev2');
    const otherReader = other.body!.getReader();
    let otherText = '';
    while (!otherText.includes('"state":"Active"')) {
      const { value, done } = await otherReader.read();
      if (done) break;
      otherText += decoder.decode(value, { stream: true });
    }
    assert.match(otherText, /"subject":"\/graphInstances\/ev2"/);
    assert.ok(!otherText.includes('/graphInstances/ev1'), otherText);
    controller.abort();
    await host.instanceDeactivate('ev2');
    await host.instanceDeactivate('ev1');
    // after the client left, closing the server must not wait for the stream
    const t0 = Date.now();
    await server.close();
    assert.ok(Date.now() - t0 < 900, 'no stream held the server open');
  });

  test('/metrics: Prometheus text from its own registry, active instances per topology, events by type, registerMetrics', async (t) => {
    const host = await openTestHost(t);
    const server = await serve(t, host);
    await host.topologySet(tickerTopology('T'));
    await host.instanceSet(instanceDoc('m1', 'T', 'http-metrics'));
    await host.instanceActivate('m1');
    const { Gauge } = await import('prom-client');
    server.registerMetrics((registry) => {
      new Gauge({ name: 'mediagraph_test_extra', help: 'added by a test', registers: [registry] }).set(42);
    });
    // the event-loop delay monitor samples every 10 ms: let it take a few samples
    await new Promise((r) => setTimeout(r, 50));
    const r = await get(`${server.url}/metrics`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await r.text();
    const samples = new Map<string, number>();
    for (const line of text.split('\n')) {
      if (line === '' || line.startsWith('#')) {
        assert.ok(line === '' || /^# (HELP|TYPE) \w+ /.test(line), `comment line: ${line}`);
        continue;
      }
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*(?:\{[^}]*\})?) (-?[0-9.e+-]+|NaN|[+-]Inf)$/.exec(line);
      assert.ok(m, `sample line parses: ${line}`);
      samples.set(m[1]!, Number(m[2]));
    }
    assert.equal(samples.get('mediagraph_active_graph_instances{graph_topology="T"}'), 1);
    assert.equal(samples.get('mediagraph_graph_instance_state{graph_instance="m1",graph_topology="T",state="Active"}'), 1);
    assert.equal(samples.get('mediagraph_graph_instance_state{graph_instance="m1",graph_topology="T",state="Inactive"}'), 0);
    assert.equal(samples.get('mediagraph_events_total{event_type="GraphInstanceStateChanged"}'), 2);
    assert.equal(samples.get('mediagraph_test_extra'), 42);
    const loopP99 = samples.get('mediagraph_event_loop_delay_seconds{quantile="0.99"}');
    assert.ok(loopP99 !== undefined && loopP99 >= 0 && loopP99 < 10, `event-loop delay p99 ${loopP99}`);
    assert.ok((samples.get('mediagraph_event_loop_delay_seconds{quantile="1"}') ?? -1) >= loopP99);
    assert.ok(!text.includes('process_cpu'), 'not the global registry');
    await host.instanceDeactivate('m1');
    const after = await (await get(`${server.url}/metrics`)).text();
    assert.match(after, /mediagraph_active_graph_instances\{graph_topology="T"\} 0/);
  });

  test('bearer token: required everywhere but /healthz; refusing a non-loopback bind without one', async (t) => {
    const host = await openTestHost(t);
    const token = 'test-token-0123456789abcdef';
    const { url } = await serve(t, host, { token });
    assert.equal((await get(`${url}/healthz`)).status, 200);
    for (const path of ['/api/topologies', '/metrics', '/readyz', '/', '/api/events']) {
      const r = await get(`${url}${path}`);
      assert.equal(r.status, 401, path);
      assert.equal(r.headers.get('www-authenticate'), 'Bearer');
      const body = await r.text();
      assert.ok(!body.includes(token));
    }
    assert.equal((await get(`${url}/api/topologies`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status, 401);
    assert.equal((await get(`${url}/api/topologies`, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    const lva = await send(`${url}/api/methods/GraphTopologyList`, 'POST', {}, { authorization: `Bearer ${token}` });
    assert.equal(lva.status, 200);

    // browsers: /?token= once gives a same-site cookie and a redirect without the token
    const wrongLink = await get(`${url}/?token=nope-nope-nope-nope`, { redirect: 'manual' });
    assert.equal(wrongLink.status, 401);
    const link = await get(`${url}/?token=${token}`, { redirect: 'manual' });
    assert.equal(link.status, 303);
    assert.equal(link.headers.get('location'), '/');
    const cookie = link.headers.get('set-cookie') ?? '';
    assert.match(cookie, /^mediagraph_token=[^;]+; HttpOnly; SameSite=Lax; Path=\/$/);
    const pair = cookie.split(';')[0]!;
    assert.equal((await get(`${url}/`, { headers: { cookie: pair } })).status, 200);
    assert.equal((await get(`${url}/api/instances`, { headers: { cookie: `a=b; ${pair}` } })).status, 200);
    assert.equal((await get(`${url}/api/instances`, { headers: { cookie: 'mediagraph_token=wrong' } })).status, 401);
    assert.equal((await get(`${url}/api/instances?token=${token}`)).status, 401, 'the URL token works only on the page link');

    await assert.rejects(startHttpServer(host, { host: '0.0.0.0' }), /refusing to listen on 0\.0\.0\.0 without a bearer token/);
    await assert.rejects(startHttpServer(host, { host: '0.0.0.0', token: 'short' }), /at least 16 characters/);
    // loopback aliases need no token
    const v4 = await startHttpServer(host, { host: '127.0.0.2' }).catch(() => undefined);
    await v4?.close();
  });

  test('/readyz turns 503 once the host has closed', async (t) => {
    const host = await openTestHost(t);
    const { url } = await serve(t, host);
    assert.equal((await get(`${url}/readyz`)).status, 200);
    await host.close();
    assert.equal((await get(`${url}/readyz`)).status, 503);
    assert.equal((await get(`${url}/healthz`)).status, 200);
  });

  test('browser guards: loopback answers only loopback Host names (DNS rebinding); cross-origin writes are refused', async (t) => {
    const host = await openTestHost(t);
    const { url } = await serve(t, host);
    const u = new URL(url);
    const raw = (method: string, path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> =>
      new Promise((resolve, reject) => {
        const req = request({ host: u.hostname, port: u.port, path, method, headers, timeout: 5000 }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        });
        req.on('error', reject);
        req.end(method === 'POST' ? '{}' : undefined);
      });
    const rebound = await raw('GET', '/api/topologies', { host: `evil.example:${u.port}` });
    assert.equal(rebound.status, 403);
    assert.match(rebound.body, /HostNotAllowed/);
    assert.equal((await raw('GET', '/api/topologies', { host: `localhost:${u.port}` })).status, 200);
    const csrf = await raw('POST', '/api/methods/GraphTopologyList', { host: u.host, origin: 'http://evil.example', 'content-type': 'text/plain' });
    assert.equal(csrf.status, 403);
    assert.match(csrf.body, /CrossOriginRequest/);
    assert.equal((await raw('POST', '/api/methods/GraphTopologyList', { host: u.host, origin: url })).status, 200, "the viewer's own origin");
    assert.equal((await raw('GET', '/healthz', { host: `evil.example:${u.port}` })).status, 403);
  });

  test('a client that sends its body slowly and aborts leaves the server working', async (t) => {
    const host = await openTestHost(t);
    const { url } = await serve(t, host);
    const u = new URL(`${url}/api/methods/GraphTopologyList`);
    await new Promise<void>((resolve) => {
      const req = request({ host: u.hostname, port: u.port, path: u.pathname, method: 'POST', headers: { 'content-length': '100' } });
      req.on('error', () => resolve());
      req.write('{"a":');
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 50);
    });
    assert.equal((await send(`${url}/api/methods/GraphTopologyList`, 'POST', {})).status, 200);
  });
});
