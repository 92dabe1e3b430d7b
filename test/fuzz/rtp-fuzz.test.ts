// Property tests: random and mutated input never throws, never hangs, and fails with a typed
// error. numRuns are bounded so all rtp/codec fuzz files together take well under 3 s.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseRtpPacket, type RtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { parseRtcpCompound, buildReceiverReport } from '../../src/media/rtp/rtcp.ts';
import { SequenceReorderer } from '../../src/media/rtp/sequence-reorderer.ts';
import { H264Depacketizer } from '../../src/media/h264/rtp-depacketizer.ts';
import { H265Depacketizer } from '../../src/media/h265/rtp-depacketizer.ts';
import { AacDepacketizer } from '../../src/media/aac/rtp-depacketizer.ts';
import { DtsDeriver } from '../../src/media/rtp/dts-deriver.ts';
import type { Depacketizer } from '../../src/media/rtp/depacketizer.ts';

const RTP_CODES = new Set(['too-short', 'bad-version', 'truncated-csrc', 'truncated-extension', 'bad-padding']);
const RTCP_CODES = new Set(['too-short', 'bad-version', 'bad-length', 'truncated-body']);
const DEPACK_CODES = new Set([
  'empty-payload',
  'malformed-packet',
  'unsupported-packetization',
  'fragment-lost',
  'fragment-without-start',
  'fragment-incomplete',
  'too-large',
  'marker-misplaced',
  'bad-parameter-set',
  'bad-config',
]);

const bytes = (max: number) => fc.uint8Array({ minLength: 0, maxLength: max });

/** A syntactically valid RTP header followed by arbitrary bytes, so fuzzing reaches payloads. */
const rtpish = fc
  .record({
    b0: fc.constantFrom(0x80, 0x80, 0x80, 0x90, 0xa0, 0x81, 0xb3),
    b1: fc.integer({ min: 0, max: 255 }),
    seq: fc.integer({ min: 0, max: 0xffff }),
    ts: fc.integer({ min: 0, max: 0xffffffff }),
    rest: bytes(64),
  })
  .map(({ b0, b1, seq, ts, rest }) => {
    const b = new Uint8Array(12 + rest.length);
    b[0] = b0;
    b[1] = b1;
    b[2] = seq >> 8;
    b[3] = seq & 0xff;
    new DataView(b.buffer).setUint32(4, ts);
    b.set(rest, 12);
    return b;
  });

describe('fuzz: RTP and RTCP parsers', () => {
  test('parseRtpPacket never throws; errors are typed; payload stays inside the input', () => {
    fc.assert(
      fc.property(fc.oneof(bytes(80), rtpish), (buf) => {
        const r = parseRtpPacket(buf);
        if (!r.ok) {
          assert.ok(RTP_CODES.has(r.error.code), r.error.code);
          return;
        }
        assert.equal(r.packet.payload.buffer, buf.buffer);
        assert.ok(r.packet.payload.byteOffset >= buf.byteOffset + 12);
        assert.ok(r.packet.payload.byteOffset + r.packet.payload.length <= buf.byteOffset + buf.length);
      }),
      { numRuns: 800 },
    );
  });

  test('parseRtcpCompound never throws on random and mutated compounds', () => {
    const valid = buildReceiverReport(
      1,
      [{ ssrc: 2, fractionLost: 3, cumulativeLost: 4, extendedHighestSeq: 5, jitter: 6, lastSr: 7, delaySinceLastSr: 8 }],
      'camera',
    );
    const mutated = fc
      .tuple(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 0, max: 255 }), fc.integer({ min: 1, max: valid.length }))
      .map(([i, v, len]) => {
        const b = Uint8Array.from(valid).subarray(0, len);
        if (i < b.length) b[i] = v;
        return b;
      });
    fc.assert(
      fc.property(fc.oneof(bytes(120), mutated), (buf) => {
        const r = parseRtcpCompound(buf);
        if (!r.ok) assert.ok(RTCP_CODES.has(r.error.code), r.error.code);
        else assert.ok(r.packets.length >= 1);
      }),
      { numRuns: 800 },
    );
  });

  test('SequenceReorderer releases each packet at most once and never out of order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 0xffff }), { maxLength: 200 }), fc.integer({ min: 0, max: 40 }), (seqs, maxWait) => {
        const r = new SequenceReorderer<number>({ maxWait });
        let released = 0;
        for (const s of seqs) released += r.push(s, s).length;
        released += r.flush().length;
        assert.ok(released <= seqs.length);
        assert.equal(r.pending, 0);
      }),
      { numRuns: 300 },
    );
  });

  test('DtsDeriver: strictly increasing dts between restarts, for any pts sequence', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2 ** 40 }), { maxLength: 100 }), fc.integer({ min: 0, max: 20 }), (pts, depth) => {
        const d = new DtsDeriver({ reorderDepth: depth });
        let last = -Infinity;
        for (const p of pts) {
          const x = d.next(p);
          if (!d.restarted) assert.ok(x > last);
          assert.ok(Number.isFinite(x));
          last = x;
        }
      }),
      { numRuns: 300 },
    );
  });
});

function runDepacketizer(make: () => Depacketizer, packets: Uint8Array[]): void {
  const d = make();
  let ts = 1e10;
  for (const buf of packets) {
    const r = parseRtpPacket(buf);
    if (!r.ok) continue;
    ts += (r.packet.timestamp % 7) * 1000;
    const out = d.push(r.packet as RtpPacket, ts);
    for (const au of out) {
      assert.ok(Array.isArray(au.units));
      for (const u of au.units) assert.ok(u instanceof Uint8Array && u.length > 0);
      assert.equal(typeof au.keyframe, 'boolean');
    }
  }
  d.flush();
  for (const e of d.takeErrors()) assert.ok(DEPACK_CODES.has(e.code), e.code);
}

/** Packets whose payload starts with a chosen NAL/FU/STAP header byte, to reach every path. */
function videoPackets(headers: number[]) {
  return fc.array(
    fc
      .record({
        seq: fc.integer({ min: 0, max: 20 }),
        ts: fc.integer({ min: 0, max: 3 }),
        marker: fc.boolean(),
        h: fc.constantFrom(...headers),
        body: bytes(40),
      })
      .map(({ seq, ts, marker, h, body }) => {
        const b = new Uint8Array(13 + body.length);
        b[0] = 0x80;
        b[1] = (marker ? 0x80 : 0) | 96;
        b[3] = seq;
        b[7] = ts;
        b[12] = h;
        b.set(body, 13);
        return b;
      }),
    { maxLength: 30 },
  );
}

describe('fuzz: depacketizers never throw', () => {
  test('H.264: random packets, STAP-A, FU-A (incl. start+end), lost fragments', () => {
    const headers = [0x65, 0x41, 0x67, 0x68, 0x06, 0x09, 0x0c, 0x78, 0x7c, 0x5c, 0x19, 0x1a, 0x1d, 0x00, 0x1f];
    fc.assert(
      fc.property(fc.oneof(videoPackets(headers), fc.array(rtpish, { maxLength: 20 })), fc.boolean(), (packets, sprop) => {
        runDepacketizer(() => new H264Depacketizer(sprop ? { spropParameterSets: 'Z0LAHtkAoD2wEQAAAwABAAADADIPFi5I,aMuMsg==,!!' } : {}), packets);
      }),
      { numRuns: 400 },
    );
  });

  test('H.265: random packets, AP, FU, with and without DONL', () => {
    const headers = [19 << 1, 1 << 1, 32 << 1, 33 << 1, 34 << 1, 35 << 1, 48 << 1, 49 << 1, 50 << 1, 0x7e];
    fc.assert(
      fc.property(fc.oneof(videoPackets(headers), fc.array(rtpish, { maxLength: 20 })), fc.boolean(), (packets, donl) => {
        runDepacketizer(() => new H265Depacketizer(donl ? { spropMaxDonDiff: 1, spropSps: 'QgEB', spropVps: '@@' } : {}), packets);
      }),
      { numRuns: 400 },
    );
  });

  test('AAC: random AU-header layouts and payloads', () => {
    const layout = fc.record({
      sizeLength: fc.integer({ min: 0, max: 33 }),
      indexLength: fc.integer({ min: 0, max: 8 }),
      indexDeltaLength: fc.integer({ min: 0, max: 8 }),
      ctsDeltaLength: fc.integer({ min: 0, max: 4 }),
      randomAccessIndication: fc.boolean(),
      auxiliaryDataSizeLength: fc.integer({ min: 0, max: 3 }),
      config: fc.constantFrom('1190', '1210', '', 'ff', '2b118800', 'zz'),
    });
    fc.assert(
      fc.property(layout, fc.array(rtpish, { maxLength: 20 }), (cfg, packets) => {
        runDepacketizer(() => new AacDepacketizer(cfg), packets);
      }),
      { numRuns: 400 },
    );
  });
});
