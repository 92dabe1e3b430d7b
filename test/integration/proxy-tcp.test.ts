import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type AddressInfo, type Socket } from 'node:net';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';

async function echoServer(t: { after(fn: () => unknown): void }): Promise<number> {
  const sockets = new Set<Socket>();
  const server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => {});
    s.pipe(s);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  return (server.address() as AddressInfo).port;
}

function roundTrip(port: number, payload: Buffer, timeoutMs: number): Promise<{ ok: true; ms: number } | { ok: false; reason: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const s = connect(port, '127.0.0.1');
    let got = 0;
    const done = (r: { ok: true } | { ok: false; reason: string }): void => {
      clearTimeout(timer);
      s.destroy();
      resolve({ ...r, ms: performance.now() - t0 });
    };
    const timer = setTimeout(() => done({ ok: false, reason: 'timeout' }), timeoutMs);
    s.on('error', (e: NodeJS.ErrnoException) => done({ ok: false, reason: e.code ?? 'error' }));
    s.on('close', () => {
      if (got < payload.length) done({ ok: false, reason: 'closed' });
    });
    s.on('data', (d) => {
      got += d.length;
      if (got >= payload.length) done({ ok: true });
    });
    s.write(payload);
  });
}

test('proxy passes, blackholes, resets and slows a TCP line', async (t) => {
  const echoPort = await echoServer(t);
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: echoPort });
  t.after(() => proxy.close());
  const small = Buffer.alloc(1000, 7);

  const pass = await roundTrip(proxy.port, small, 2000);
  assert.equal(pass.ok, true);

  proxy.mode('blackhole');
  const hole = await roundTrip(proxy.port, small, 300);
  assert.deepEqual([hole.ok, hole.ok ? '' : hole.reason], [false, 'timeout']);

  proxy.mode('reset');
  const reset = await roundTrip(proxy.port, small, 2000);
  assert.equal(reset.ok, false);
  assert.ok(reset.ms < 1000, `reset took ${reset.ms} ms`);

  proxy.mode('slow', { bytesPerSecond: 20_000 });
  const big = Buffer.alloc(10_000, 1);
  const slow = await roundTrip(proxy.port, big, 5000);
  assert.equal(slow.ok, true);
  // 10 kB each way at 20 kB/s: about 0.5 s per direction, never instant.
  assert.ok(slow.ms > 400, `slow mode took only ${slow.ms} ms`);

  proxy.mode('pass');
  const again = await roundTrip(proxy.port, big, 2000);
  assert.equal(again.ok, true);
  assert.ok(again.ms < 400, `pass took ${again.ms} ms`);
});
