// /api/events under clients that never read: real TCP sockets, paused, while a node floods
// the host with events. The server must keep a bounded buffer per client (and drop the
// client with a final `event: dropped`), while a client that reads gets every event.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { Observable } from 'rxjs';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { defineNode } from '../../src/nodes/define-node.ts';
import { startHttpServer } from '../../src/control/http/server.ts';
import { collectNode } from '../helpers/test-nodes.ts';
import { until } from '../helpers/until.ts';
import type { MediaMessage } from '../../src/types/media.ts';

const EVENTS = 6000;
const EVENT_TEXT = 'x'.repeat(2000);
const STALLED_CLIENTS = 20;
const BATCH = 100;

let flooded = 0;
const floodNode = defineNode({
  type: '#Test.EventFlood',
  role: 'source',
  description: 'publishes EVENTS events of about 2 KB, BATCH per turn of the event loop, then idles until stopped',
  configSchema: { type: 'object', properties: {} },
  inputs: {},
  output: { kind: 'media' },
  create: (_config, ctx) => () =>
    new Observable<MediaMessage>((subscriber) => {
      let stopped = false;
      const sub = ctx.stop$.subscribe(() => {
        stopped = true;
        subscriber.next({ kind: 'end' });
        subscriber.complete();
      });
      const batch = (): void => {
        for (let i = 0; i < BATCH && flooded < EVENTS && !stopped; i++, flooded++)
          ctx.events.emit('NetworkError', { errorCode: 'flood', message: `${flooded} ${EVENT_TEXT}` });
        if (flooded < EVENTS && !stopped) setImmediate(batch);
      };
      setImmediate(batch);
      return () => sub.unsubscribe();
    }),
});

function gc(): void {
  setFlagsFromString('--expose_gc');
  (runInNewContext('gc') as () => void)();
}

/** Heap and buffers of this process (server and clients live in it). */
function memoryBytes(): number {
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

test('SSE: 20 clients that never read stay bounded and are dropped with a final event; a reading client gets everything', { timeout: 90_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-sse-'));
  const registry = createBuiltinRegistry().register(floodNode).register(collectNode);
  const host = await MediaGraphHost.open({ dataDirectory: dir, registry, logLevel: 'silent', deactivateTimeoutMs: 5000 });
  // The stalled clients resume only once the reading client has everything, which on a busy
  // machine can be many seconds after they were dropped: give them that long to read the final event.
  const server = await startHttpServer(host, { sseDropGraceMs: 60_000 });
  const sockets: Socket[] = [];
  t.after(async () => {
    for (const s of sockets) s.destroy();
    await server.close();
    await host.instanceDeactivate('f1').catch(() => undefined);
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const { port } = new URL(server.url);
  await host.topologySet({
    name: 'flood',
    properties: {
      sources: [{ '@type': '#Test.EventFlood', name: 'flood' }],
      sinks: [{ '@type': '#Test.Collect', name: 'collect', bucket: 'sse-flood', inputs: [{ nodeName: 'flood' }] }],
    },
  });
  await host.instanceSet({ name: 'f1', properties: { topologyName: 'flood' } });

  const stalled: { socket: Socket; chunks: Buffer[]; ended: boolean }[] = [];
  for (let i = 0; i < STALLED_CLIENTS; i++) {
    const socket = connect(Number(port), '127.0.0.1');
    sockets.push(socket);
    const client = { socket, chunks: [] as Buffer[], ended: false };
    socket.on('data', (c: Buffer) => client.chunks.push(c));
    socket.on('close', () => (client.ended = true));
    socket.on('error', () => undefined);
    await new Promise<void>((r) => socket.once('connect', () => r()));
    socket.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
    await until(() => Buffer.concat(client.chunks).includes(': connected'), 5000, 'the stream to open');
    socket.pause(); // from now on this client reads nothing
    stalled.push(client);
  }
  // one client that reads everything, as a browser does
  const reader = connect(Number(port), '127.0.0.1');
  sockets.push(reader);
  let readerEvents = 0;
  let readerText = '';
  reader.setEncoding('utf8');
  const marker = 'event: NetworkError\n';
  reader.on('data', (c: string) => {
    // the body is chunked: count event lines, keeping a tail in case one is split
    readerText += c;
    readerEvents += readerText.split(marker).length - 1;
    readerText = readerText.slice(readerText.lastIndexOf(marker) >= 0 ? readerText.lastIndexOf(marker) + marker.length : 0).slice(-marker.length);
  });
  await new Promise<void>((r) => reader.once('connect', () => r()));
  let readerOpen = false;
  reader.once('data', () => (readerOpen = true));
  reader.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`);
  await until(() => readerOpen, 5000, 'the reading stream to open');

  const before = memoryBytes();
  let peak = before;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().heapUsed + process.memoryUsage().arrayBuffers)), 20);
  await host.instanceActivate('f1');
  await until(() => flooded >= EVENTS, 60_000, 'the flood to be published');
  await until(() => readerEvents >= EVENTS, 20_000, `the reading client to get all ${EVENTS} events (has ${readerEvents})`);
  clearInterval(sampler);
  const after = memoryBytes();
  const totalEventBytes = EVENTS * EVENT_TEXT.length;
  const growth = after - before;
  t.diagnostic(
    `published ${EVENTS} events (${(totalEventBytes / 2 ** 20).toFixed(1)} MiB per client) to ${STALLED_CLIENTS} stalled clients: heap+buffers ${(before / 2 ** 20).toFixed(1)} → ${(after / 2 ** 20).toFixed(1)} MiB (peak ${(peak / 2 ** 20).toFixed(1)} MiB)`,
  );
  // Unbounded, the stalled clients hold 20 × ~12 MiB minus what the kernel took.
  assert.ok(growth < 40 * 2 ** 20, `memory grew by ${(growth / 2 ** 20).toFixed(1)} MiB with ${STALLED_CLIENTS} stalled clients`);

  // the stalled clients were dropped: once they read, the stream ends with `event: dropped`
  for (const c of stalled) c.socket.resume();
  await until(() => stalled.every((c) => c.ended), 20_000, 'the stalled clients to be disconnected');
  const withFinalEvent = stalled.filter((c) => Buffer.concat(c.chunks).includes('event: dropped\ndata: '));
  assert.equal(withFinalEvent.length, STALLED_CLIENTS, 'each dropped client got the final event');
  await host.instanceDeactivate('f1');
});
