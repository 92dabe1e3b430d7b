// The allocation-free paths of the RTP layer must behave exactly like the general ones:
// SequenceReorderer.passThrough + push against push alone, readRtpPacket into a reused packet
// against parseRtpPacket, and the AAC one-AU packet against what it carries.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { SequenceReorderer } from '../../src/media/rtp/sequence-reorderer.ts';
import { blankRtpPacket, parseRtpPacket, readRtpPacket, type RtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { AacDepacketizer } from '../../src/media/aac/rtp-depacketizer.ts';

/** Feeds `seqs` through push only, or through passThrough first; returns what came out and the counters. */
function run(seqs: readonly number[], maxWait: number, fast: boolean): { out: number[]; lost: number; dropped: number; resyncs: number; pending: number } {
  const r = new SequenceReorderer<number>({ maxWait });
  const out: number[] = [];
  seqs.forEach((seq, i) => {
    if (fast && r.passThrough(seq)) out.push(i);
    else out.push(...r.push(seq, i));
  });
  out.push(...r.flush());
  return { out, lost: r.lost, dropped: r.dropped, resyncs: r.resyncs, pending: r.pending };
}

describe('RTP fast paths', () => {
  test('passThrough then push releases the same packets in the same order, with the same counters, as push alone', () => {
    // Mostly in order with gaps, duplicates, late and far jumps, across the 16-bit wrap.
    const steps = fc.array(
      fc.oneof(
        { weight: 8, arbitrary: fc.constant(1) },
        { weight: 1, arbitrary: fc.integer({ min: -40, max: 40 }) },
        { weight: 1, arbitrary: fc.integer({ min: -3000, max: 3000 }) },
      ),
      { maxLength: 300 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffff }), steps, fc.constantFrom(0, 1, 8, 64), (start, deltas, maxWait) => {
        let s = start;
        const seqs = deltas.map((d) => (s = (s + d) & 0xffff));
        assert.deepEqual(run(seqs, maxWait, true), run(seqs, maxWait, false));
      }),
      { numRuns: 300 },
    );
  });

  test('passThrough takes in-order packets and nothing that push would hold', () => {
    const r = new SequenceReorderer<string>({ maxWait: 4 });
    assert.equal(r.passThrough(65535), true);
    assert.equal(r.passThrough(0), true, 'across the wrap');
    assert.equal(r.passThrough(2), false, 'a gap with reordering: push holds it');
    assert.deepEqual(r.push(2, 'b'), []);
    assert.equal(r.passThrough(1), false, 'something is held: push releases both');
    assert.deepEqual(r.push(1, 'a'), ['a', 'b']);
    const tcp = new SequenceReorderer<string>({ maxWait: 0 });
    assert.equal(tcp.passThrough(10), true);
    assert.equal(tcp.passThrough(13), true);
    assert.equal(tcp.lost, 2);
    assert.equal(tcp.passThrough(12), false, 'late: push drops it');
  });

  test('readRtpPacket into one reused packet gives what parseRtpPacket gives, packet after packet', () => {
    const into = blankRtpPacket();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.boolean(), (raw, v2) => {
        const buf = raw.slice();
        if (v2 && buf.length > 0) buf[0] = (buf[0]! & 0x3f) | 0x80;
        const r = parseRtpPacket(buf);
        const code = readRtpPacket(buf, into);
        if (r.ok) {
          assert.equal(code, undefined);
          assert.deepEqual({ ...into }, { ...r.packet });
        } else {
          assert.equal(code, r.error.code);
        }
      }),
      { numRuns: 1000 },
    );
  });

  test('AAC: a packet with one 16-bit AU header gives that AU as a copy of its bytes (the fast path), packet after packet', () => {
    // Whole AUs only (size ≤ data): a larger size would start a fragment, which is the general path.
    const whole = fc.uint8Array({ minLength: 1, maxLength: 300 }).chain((data) => fc.tuple(fc.integer({ min: 1, max: data.length }), fc.constant(data)));
    fc.assert(
      fc.property(fc.array(whole, { minLength: 1, maxLength: 20 }), (packets) => {
        const d = new AacDepacketizer({ config: '1190', sizeLength: 13, indexLength: 3, indexDeltaLength: 3 });
        packets.forEach(([size, data], i) => {
          const payload = new Uint8Array(4 + data.length);
          payload.set([0x00, 0x10, size >> 5, (size & 0x1f) << 3]);
          payload.set(data, 4);
          const packet: RtpPacket = { marker: true, payloadType: 97, sequenceNumber: i, timestamp: i * 1024, ssrc: 1, csrcs: [], payload };
          const out = d.push(packet, i * 1024);
          assert.equal(out.length, 1);
          assert.equal(out[0]!.timestamp, i * 1024);
          assert.equal(out[0]!.parameterSetsChanged, i === 0);
          assert.deepEqual(out[0]!.units, [data.subarray(0, size)]);
          // the session reads sockets into a reused buffer: what is kept must be a copy
          payload.fill(0xa5);
          assert.deepEqual(out[0]!.units, [data.subarray(0, size)], 'unchanged when the packet buffer is reused');
        });
        assert.equal(d.errorCount, 0);
      }),
      { numRuns: 200 },
    );
  });
});
