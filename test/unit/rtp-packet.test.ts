import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtpPacket, writeRtpHeader, looksLikeRtcp } from '../../src/media/rtp/rtp-packet.ts';

function hex(s: string): Uint8Array {
  return Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
}

// Golden packets: [description, bytes, expected fields]
const GOLDEN: [
  string,
  string,
  {
    marker: boolean;
    payloadType: number;
    sequenceNumber: number;
    timestamp: number;
    ssrc: number;
    csrcs: number[];
    extensionProfile?: number;
    payload: string;
  },
][] = [
  [
    'plain H.264 packet with marker',
    '80 e0 12 34 de ad be ef 01 02 03 04 65 88 84',
    { marker: true, payloadType: 96, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304, csrcs: [], payload: '658884' },
  ],
  [
    'two CSRCs, no marker, PT 97, seq 65535',
    '82 61 ff ff 00 00 00 01 ca fe ba be 00 00 00 0a 00 00 00 0b aa bb',
    { marker: false, payloadType: 97, sequenceNumber: 65535, timestamp: 1, ssrc: 0xcafebabe, csrcs: [10, 11], payload: 'aabb' },
  ],
  [
    'one-byte header extension (RFC 8285) of 1 word is skipped',
    '90 60 00 01 00 00 00 02 00 00 00 03 be de 00 01 10 ff 00 00 41 42',
    { marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [], extensionProfile: 0xbede, payload: '4142' },
  ],
  [
    '3 bytes of padding are removed',
    'a0 60 00 01 00 00 00 02 00 00 00 03 41 42 00 00 03',
    { marker: false, payloadType: 96, sequenceNumber: 1, timestamp: 2, ssrc: 3, csrcs: [], payload: '4142' },
  ],
];

describe('parseRtpPacket', () => {
  for (const [name, bytes, expected] of GOLDEN) {
    test(name, () => {
      const buf = hex(bytes);
      const r = parseRtpPacket(buf);
      assert.ok(r.ok, r.ok ? '' : r.error.message);
      const p = r.packet;
      assert.equal(p.marker, expected.marker);
      assert.equal(p.payloadType, expected.payloadType);
      assert.equal(p.sequenceNumber, expected.sequenceNumber);
      assert.equal(p.timestamp, expected.timestamp);
      assert.equal(p.ssrc, expected.ssrc);
      assert.deepEqual([...p.csrcs], expected.csrcs);
      assert.equal(p.extensionProfile, expected.extensionProfile);
      assert.equal(Buffer.from(p.payload).toString('hex'), expected.payload);
      // a view, not a copy
      assert.equal(p.payload.buffer, buf.buffer);
    });
  }

  test('writeRtpHeader produces the golden header', () => {
    const buf = new Uint8Array(15);
    writeRtpHeader(buf, 0, { marker: true, payloadType: 96, sequenceNumber: 0x1234, timestamp: 0xdeadbeef, ssrc: 0x01020304 });
    buf.set([0x65, 0x88, 0x84], 12);
    assert.deepEqual(buf, hex(GOLDEN[0]![1]));
  });

  const BAD: [string, string, string][] = [
    ['too short', '80 60 00 01 00 00 00 02 00 00 00', 'too-short'],
    ['version 1', '40 60 00 01 00 00 00 02 00 00 00 03 41', 'bad-version'],
    ['CSRC count beyond end', '8f 60 00 01 00 00 00 02 00 00 00 03 41', 'truncated-csrc'],
    ['extension length beyond end', '90 60 00 01 00 00 00 02 00 00 00 03 be de 00 05 00', 'truncated-extension'],
    ['padding zero', 'a0 60 00 01 00 00 00 02 00 00 00 03 41 00', 'bad-padding'],
    ['padding larger than payload', 'a0 60 00 01 00 00 00 02 00 00 00 03 41 09', 'bad-padding'],
  ];
  for (const [name, bytes, code] of BAD) {
    test(`typed error: ${name}`, () => {
      const r = parseRtpPacket(hex(bytes));
      assert.equal(r.ok, false);
      if (!r.ok) assert.equal(r.error.code, code);
    });
  }

  test('looksLikeRtcp separates RTCP from RTP on a shared channel', () => {
    assert.equal(looksLikeRtcp(hex('80 c8 00 06 00 00 00 01')), true);
    assert.equal(looksLikeRtcp(hex('80 e0 12 34 de ad be ef 01 02 03 04')), false);
    assert.equal(looksLikeRtcp(hex('80 60 12 34 de ad be ef')), false);
  });
});
