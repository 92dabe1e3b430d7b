// /metrics at many cameras (issue 17): it reports the event-loop delay since the previous
// scrape (a stall delays every camera's packets, so an operator must be able to see one), and
// a scrape itself must not stall the loop.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { get, openTestHost, serve } from './http-support.ts';

async function loopDelay(url: string): Promise<Map<string, number>> {
  const text = await (await get(`${url}/metrics`)).text();
  const out = new Map<string, number>();
  for (const m of text.matchAll(/^mediagraph_event_loop_delay_seconds\{quantile="([^"]+)"\} (\S+)$/gm)) out.set(m[1] as string, Number(m[2]));
  return out;
}

test('mediagraph_event_loop_delay_seconds: a 300 ms stall shows as the max of its scrape window, and the next window starts afresh', async (t) => {
  const host = await openTestHost(t);
  const { url } = await serve(t, host);
  await loopDelay(url); // opens a window
  await new Promise((r) => setTimeout(r, 100));
  const until = Date.now() + 300;
  while (Date.now() < until) {
    // a synchronous stall, as a large synchronous write would cause
  }
  await new Promise((r) => setTimeout(r, 100));
  const stalled = await loopDelay(url);
  assert.deepEqual([...stalled.keys()].sort(), ['0.5', '0.99', '1']);
  assert.ok((stalled.get('1') ?? 0) >= 0.25, `max ${stalled.get('1')} s`);
  assert.ok((stalled.get('0.5') ?? 1) < 0.1, `median ${stalled.get('0.5')} s`);
  await new Promise((r) => setTimeout(r, 200));
  const calm = await loopDelay(url);
  assert.ok((calm.get('1') ?? 1) < 0.25, `the stall is not reported again: max ${calm.get('1')} s`);
});

test('a scrape takes one snapshot of the node metrics, not one per metric name (a 100-camera host blocked its loop for tens of ms per scrape)', async (t) => {
  const host = await openTestHost(t);
  const { url } = await serve(t, host);
  const snapshot = host.metrics.bind(host);
  let calls = 0;
  host.metrics = () => {
    calls++;
    return snapshot();
  };
  await get(`${url}/metrics`);
  assert.equal(calls, 1);
  await get(`${url}/metrics`);
  assert.equal(calls, 2, 'and a fresh one for the next scrape');
});
