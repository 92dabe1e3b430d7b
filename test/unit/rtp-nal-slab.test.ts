// NalSlab: NALs are written one after the other into shared slabs and handed out as views, so
// the per-packet path allocates no buffer per NAL and copies a fragmented NAL once.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NalSlab, SLAB_BYTES } from '../../src/media/rtp/nal-slab.ts';
import { H264Packetizer } from '../../src/media/h264/rtp-packetizer.ts';
import { H264Depacketizer } from '../../src/media/h264/rtp-depacketizer.ts';
import { depacketizeAll, hexOf } from './rtp-test-helpers.ts';

describe('NalSlab', () => {
  test('NALs handed out keep their bytes while later ones are written, aborted and moved to new slabs', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ parts: fc.array(fc.uint8Array({ minLength: 1, maxLength: 40_000 }), { minLength: 1, maxLength: 4 }), keep: fc.boolean() }), {
          minLength: 1,
          maxLength: 30,
        }),
        (nals) => {
          const slab = new NalSlab();
          const kept: { view: Uint8Array; hex: string }[] = [];
          for (const n of nals) {
            for (const p of n.parts) slab.append(p);
            if (!n.keep) {
              slab.abort();
              continue;
            }
            const expected = Buffer.concat(n.parts);
            const view = slab.finish();
            kept.push({ view, hex: expected.toString('hex') });
          }
          for (const k of kept) assert.equal(Buffer.from(k.view).toString('hex'), k.hex);
        },
      ),
      { numRuns: 100 },
    );
  });

  test('appendSkipping writes over the NAL end and puts back what the FU header covered', () => {
    const slab = new NalSlab();
    slab.append(Uint8Array.of(9, 9, 9)); // an earlier NAL, finished
    const before = slab.finish();
    slab.appendByte(0x65);
    slab.append(Uint8Array.of(1, 2));
    slab.appendSkipping(Uint8Array.of(0x7c, 0x05, 3, 4, 5), 2);
    slab.appendSkipping(Uint8Array.of(0x7c, 0x45, 6), 2);
    assert.deepEqual([...slab.finish()], [0x65, 1, 2, 3, 4, 5, 6]);
    assert.deepEqual([...before], [9, 9, 9], 'the earlier NAL is untouched');
    // a NAL shorter than the header skipped: copied without the trick, never before its start
    slab.appendSkipping(Uint8Array.of(0x7c, 0x05, 7), 2);
    assert.deepEqual([...slab.finish()], [7]);
    assert.deepEqual([...before], [9, 9, 9]);
  });

  test('a NAL that outgrows a slab grows by doubling and is not kept as the next slab', () => {
    const slab = new NalSlab();
    slab.append(new Uint8Array(10));
    const small = slab.finish();
    assert.equal(small.buffer.byteLength, SLAB_BYTES);
    const chunk = new Uint8Array(1400).fill(7);
    let buffers = 0;
    let last: ArrayBufferLike | undefined;
    for (let i = 0; i < 1000; i++) {
      slab.append(chunk);
      const b = slab.peek().buffer;
      if (b !== last) buffers++;
      last = b;
    }
    const big = slab.finish();
    assert.equal(big.length, 1_400_000);
    assert.ok(big.every((x) => x === 7));
    assert.ok(buffers <= 7, `1.4 MB in 1400-byte packets moved ${buffers} times`);
    slab.append(new Uint8Array(10));
    const next = slab.finish();
    assert.notEqual(next.buffer, big.buffer);
    assert.equal(next.buffer.byteLength, SLAB_BYTES);
  });
});

test('the H.264 depacketizer hands out NALs from shared slabs: no buffer per NAL, FU-A NALs intact', () => {
  const au = (k: number) => [Uint8Array.of(0x41, 0x80 | k, ...new Uint8Array(3000).fill(k)), Uint8Array.of(0x41, 0xa0, k)];
  const units = Array.from({ length: 20 }, (_, k) => au(k));
  const pk = new H264Packetizer({ ssrc: 1, payloadType: 96, mtu: 1200 });
  const packets = units.flatMap((u, k) => pk.packetize(u, 1000 + 3000 * k));
  const out = depacketizeAll(new H264Depacketizer(), packets);
  assert.deepEqual(
    out.map((o) => o.units.map(hexOf)),
    units.map((u) => u.map(hexOf)),
  );
  const buffers = new Set(out.flatMap((o) => o.units.map((u) => u.buffer)));
  assert.ok(buffers.size <= 2, `40 NALs (20 of them fragmented) in ${buffers.size} buffers`);
});
