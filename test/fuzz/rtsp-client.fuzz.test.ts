// A hostile server: whatever bytes it answers, the client rejects with a typed RtspError
// before its deadline, and never with a password in the message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Socket } from 'node:net';
import fc from 'fast-check';
import { RtspClient } from '../../src/media/rtsp/io/rtsp-client.ts';
import { RtspError } from '../../src/media/rtsp/errors.ts';

test('random and mutated answers → typed error, bounded time', async (t) => {
  let answer: Uint8Array = new Uint8Array(0);
  const sockets = new Set<Socket>();
  const srv = createServer((sock) => {
    sockets.add(sock);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    sock.once('data', () => {
      sock.write(answer);
    });
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => {
    for (const s of sockets) s.destroy();
    srv.close();
  });
  const port = (srv.address() as { port: number }).port;
  const valid = 'RTSP/1.0 200 OK\r\nCSeq: 1\r\nPublic: OPTIONS, DESCRIBE\r\n\r\n';
  const bytes = fc.oneof(
    fc.uint8Array({ maxLength: 300 }),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }).map((muts) => {
      const b = new TextEncoder().encode(valid);
      for (const [i, v] of muts) b[i % b.length] = v;
      return b;
    }),
  );
  await fc.assert(
    fc.asyncProperty(bytes, async (b) => {
      answer = b;
      const c = new RtspClient({ url: `rtsp://admin:hunter2@127.0.0.1:${port}/x`, requestTimeoutMs: 150 });
      const t0 = Date.now();
      try {
        await c.start();
        assert.fail('a hostile server cannot complete a session');
      } catch (e) {
        assert.ok(e instanceof RtspError, String(e));
        assert.ok(!e.message.includes('hunter2'));
      } finally {
        await c.stop();
      }
      assert.ok(Date.now() - t0 < 1500);
    }),
    { numRuns: 40 },
  );
});
