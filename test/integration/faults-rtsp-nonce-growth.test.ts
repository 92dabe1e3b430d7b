// Regression test (fixed: nonces are now stateless, an HMAC of their issue time), found by faults/fuzz-rtsp.ts (RSS grew 163 MiB over
// 124 000 hostile connections): the RTSP server with Digest auth remembers every nonce it
// ever issued. `nonces` (src/media/rtsp/io/rtsp-server.ts:131) gains an entry per unauthorized
// request (line 369) and nothing removes one, so unauthenticated clients — a scanner, a camera
// viewer with a wrong password retrying — grow the server's memory without bound.
// Control: the same 60 000 requests against Basic auth (no nonces) grow the heap by 0.2 MiB;
// against Digest by 5.8 MiB (~100 bytes a request). The test sends 40 000 and allows 2 MiB.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

async function unauthorizedRequests(port: number, url: string, n: number): Promise<number> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    let answers = 0;
    let tail = '';
    c.on('data', (d: Buffer) => {
      const text = tail + d.toString('latin1');
      answers += text.split('RTSP/1.0 401').length - 1;
      tail = text.slice(-16);
      if (answers >= n) c.destroy();
    });
    c.on('error', () => {});
    c.on('close', () => resolve(answers));
    c.once('connect', () => {
      const req = Buffer.from(`DESCRIBE ${url} RTSP/1.0\r\nCSeq: 1\r\n\r\n`, 'latin1');
      for (let i = 0; i < n; i += 1000) c.write(Buffer.concat(Array.from({ length: Math.min(1000, n - i) }, () => req)));
    });
    setTimeout(() => c.destroy(), 15_000).unref();
  });
}

test('digest auth: unauthorized requests do not grow the server without bound', async (t) => {
  const cam = await startSimulatedCamera({
    file: 'test/fixtures/media/h264-main-aac.mp4',
    speed: 1,
    auth: { username: 'u', password: 'p-Secret-1', scheme: 'digest' },
  });
  t.after(() => cam.close());
  await unauthorizedRequests(cam.port, cam.url, 2000); // warm-up
  gc();
  const before = process.memoryUsage().heapUsed;
  let answered = 0;
  for (let i = 0; i < 4; i++) answered += await unauthorizedRequests(cam.port, cam.url, 10_000);
  gc();
  const growth = process.memoryUsage().heapUsed - before;
  console.log(`# ${answered} 401 answers; heap grew ${(growth / 1048576).toFixed(1)} MiB`);
  assert.ok(answered >= 38_000, `only ${answered} answers`);
  assert.ok(growth < 2 * 1048576, `heap grew ${(growth / 1048576).toFixed(1)} MiB after ${answered} unauthorized requests`);
});
