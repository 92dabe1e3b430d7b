// Reading an RTSP socket into slabs, paced: chunk bytes are never overwritten by later reads
// (RTP payloads are kept as views until their access unit is written), a frame cut by a read
// is joined without a copy when the reads are adjacent, and pacing bounds the reads.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { connectRtsp } from '../../src/media/rtsp/io/connection.ts';
import { MIN_READ_BYTES, ReadPacer, ReadSlab, SLAB_BYTES } from '../../src/media/rtsp/io/read-pacing.ts';
import { RtspStreamParser } from '../../src/media/rtsp/parser.ts';
import { serializeInterleaved } from '../../src/media/rtsp/serialize.ts';

/** Deterministic payload bytes for frame i (so any overwrite shows). */
function payload(i: number): Uint8Array {
  const n = 1 + ((i * 7919) % 1400);
  const p = new Uint8Array(n);
  for (let k = 0; k < n; k++) p[k] = (i * 31 + k * 17) & 0xff;
  return p;
}

describe('RTSP socket reads: slabs and pacing', () => {
  test('ReadSlab: chunks follow each other in one slab, are never handed out again, and a short slab is retired', () => {
    const slab = new ReadSlab(1024, 256);
    const room1 = slab.room();
    assert.equal(room1.length, 1024);
    room1.set([1, 2, 3]);
    const c1 = slab.commit(3);
    assert.deepEqual([...c1], [1, 2, 3]);
    const room2 = slab.room();
    assert.equal(room2.byteOffset, c1.byteOffset + 3, 'the next read lands right after the last chunk');
    assert.equal(room2.buffer, c1.buffer);
    room2.fill(9);
    const c2 = slab.commit(800);
    assert.deepEqual([...c1], [1, 2, 3], 'an earlier chunk is not overwritten');
    const room3 = slab.room(); // 221 bytes left < 256: a fresh slab
    assert.notEqual(room3.buffer, c2.buffer);
    assert.equal(room3.length, 1024);
    room3.fill(5);
    assert.ok(c2.every((b) => b === 9));
  });

  test('ReadPacer: one timer releases every waiter once; cancel removes a waiter', async () => {
    const pacer = new ReadPacer(20);
    const calls: string[] = [];
    const a = () => calls.push('a');
    const b = () => calls.push('b');
    const c = () => calls.push('c');
    pacer.hold(a);
    pacer.hold(b);
    pacer.hold(c);
    pacer.cancel(b);
    await new Promise((r) => setTimeout(r, 60));
    assert.deepEqual(calls.sort(), ['a', 'c']);
  });

  test('over loopback: many small writes, paced reads; every frame payload kept as a view keeps its bytes', async (t) => {
    const frames = 4000;
    const wire: Uint8Array[] = [];
    for (let i = 0; i < frames; i++) wire.push(serializeInterleaved(i % 4, payload(i)));
    const all = Buffer.concat(wire);
    let peer: Socket | undefined;
    const server: Server = createServer((s) => { peer = s; });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => { peer?.destroy(); server.close(); });
    const port = (server.address() as { port: number }).port;

    const conn = await connectRtsp({ host: '127.0.0.1', port, secure: false, timeoutMs: 5000 });
    t.after(() => conn.close());
    const intervalMs = 25;
    conn.paceReads(intervalMs);
    const parser = new RtspStreamParser();
    const got: { channel: number; payload: Uint8Array }[] = [];
    let reads = 0;
    let slabs = 1;
    let lastChunk: Uint8Array | undefined;
    const closed = new Promise<void>((resolve) => {
      conn.start((chunk) => {
        reads++;
        if (lastChunk && !(lastChunk.buffer === chunk.buffer && lastChunk.byteOffset + lastChunk.length === chunk.byteOffset)) slabs++;
        lastChunk = chunk;
        parser.feed(chunk, {
          onInterleaved: (channel, p) => got.push({ channel, payload: p }),
          onMessage: () => assert.fail('no RTSP message was sent'),
        });
      }, () => resolve());
    });
    while (!peer) await new Promise((r) => setTimeout(r, 5));
    // Writes of odd sizes cut frames anywhere, 1 ms apart, so reads straddle frames all the time.
    const started = Date.now();
    let at = 0;
    let writes = 0;
    while (at < all.length) {
      const n = 97 + ((writes * 389) % 3000);
      peer.write(all.subarray(at, at + n));
      at += n;
      writes++;
      if (writes % 4 === 0) await new Promise((r) => setTimeout(r, 1));
    }
    peer.end();
    await Promise.race([closed, new Promise((_, rej) => setTimeout(() => rej(new Error('no close within 10 s')), 10_000))]);
    const elapsed = Date.now() - started;

    assert.equal(got.length, frames);
    for (let i = 0; i < frames; i++) {
      assert.equal(got[i]!.channel, i % 4);
      assert.deepEqual(got[i]!.payload, payload(i), `frame ${i} kept its bytes`);
    }
    assert.ok(writes > 100, `${writes} writes`);
    // Paced: at most one read burst per interval (a burst is several reads only when a read fills its room).
    const bound = Math.ceil(elapsed / intervalMs) + 2 + Math.ceil(all.length / (32 * 1024));
    assert.ok(reads <= bound, `${reads} reads in ${elapsed} ms, bound ${bound}`);
    // Reads fill a slab in turn: a new slab only when the last one is nearly full.
    assert.ok(slabs <= Math.ceil(all.length / (SLAB_BYTES - MIN_READ_BYTES)) + 1, `${slabs} slabs for ${all.length} bytes`);
  });

  test('over loopback: pacing never falls behind a stream faster than one read per interval can carry', async (t) => {
    let peer: Socket | undefined;
    const server: Server = createServer((s) => { peer = s; });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => { peer?.destroy(); server.close(); });
    const port = (server.address() as { port: number }).port;
    const conn = await connectRtsp({ host: '127.0.0.1', port, secure: false, timeoutMs: 5000 });
    t.after(() => conn.close());
    conn.paceReads(500);
    let received = 0;
    const total = 8 * 1024 * 1024;
    const all = new Promise<number>((resolve) => {
      const started = Date.now();
      conn.start((chunk) => {
        received += chunk.length;
        if (received >= total) resolve(Date.now() - started);
      }, () => undefined);
    });
    while (!peer) await new Promise((r) => setTimeout(r, 5));
    // 8 MiB at once: with one read per 500 ms interval it would take minutes; reads that
    // fill their buffer go on at once, so it takes a few intervals at most.
    peer.write(new Uint8Array(total).fill(1));
    const ms = await Promise.race([all, new Promise<number>((_, rej) => setTimeout(() => rej(new Error(`only ${received} bytes after 8 s`)), 8000))]);
    assert.equal(received, total);
    assert.ok(ms < 8000, `${ms} ms`);
  });
});
