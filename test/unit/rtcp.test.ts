import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseRtcpCompound, buildReceiverReport } from '../../src/media/rtp/rtcp.ts';
import { RtpReceiverStats } from '../../src/media/rtp/receiver-stats.ts';
import { ntpToUnixMs, unixMsToNtp, ntpMiddle32 } from '../../src/media/rtp/ntp.ts';

function hex(s: string): Uint8Array {
  return Uint8Array.from(
    s
      .replace(/\s+/g, '')
      .match(/../g)!
      .map((b) => parseInt(b, 16)),
  );
}

// SR (no blocks) + SDES CNAME "cam" + BYE with reason "bye"
const SR_SDES_BYE = hex(
  '80 c8 00 06  00 00 ab cd  e8 6b 4c 80 80 00 00 00  00 01 5f 90  00 00 00 0a  00 00 27 10' +
    '81 ca 00 03  00 00 ab cd  01 03 63 61 6d 00 00 00' +
    '81 cb 00 02  00 00 ab cd  03 62 79 65',
);

describe('parseRtcpCompound', () => {
  test('SR + SDES + BYE', () => {
    const r = parseRtcpCompound(SR_SDES_BYE);
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const [sr, sdes, bye] = r.packets;
    assert.equal(sr?.type, 'sr');
    if (sr?.type !== 'sr') return;
    assert.equal(sr.ssrc, 0xabcd);
    assert.equal(sr.ntpSeconds, 0xe86b4c80);
    assert.equal(sr.ntpFraction, 0x80000000);
    assert.equal(sr.ntpUnixMs, (0xe86b4c80 - 2208988800) * 1000 + 500);
    assert.equal(sr.rtpTimestamp, 90000);
    assert.equal(sr.packetCount, 10);
    assert.equal(sr.octetCount, 10000);
    assert.deepEqual(sdes, { type: 'sdes', chunks: [{ ssrc: 0xabcd, items: [{ type: 1, value: 'cam' }] }] });
    assert.deepEqual(bye, { type: 'bye', ssrcs: [0xabcd], reason: 'bye' });
  });

  test('RR with one block, negative cumulative loss (duplicates)', () => {
    const buf = hex('81 c9 00 07 00 00 00 01  00 00 ab cd 10 ff ff fe 00 01 00 05 00 00 00 20 12 34 56 78 00 01 00 00');
    const r = parseRtcpCompound(buf);
    assert.ok(r.ok);
    const rr = r.packets[0];
    assert.equal(rr?.type, 'rr');
    if (rr?.type !== 'rr') return;
    assert.deepEqual(rr.reports[0], {
      ssrc: 0xabcd,
      fractionLost: 16,
      cumulativeLost: -2,
      extendedHighestSeq: 0x10005,
      jitter: 32,
      lastSr: 0x12345678,
      delaySinceLastSr: 65536,
    });
  });

  test('unknown packet types are kept, errors are typed', () => {
    const r = parseRtcpCompound(hex('80 cd 00 01 00 00 00 01'));
    assert.ok(r.ok);
    assert.equal(r.packets[0]?.type, 'unknown');
    const cases: [string, string][] = [
      ['80 c8', 'too-short'],
      ['40 c8 00 00', 'bad-version'],
      ['80 c8 00 09 00 00 00 01', 'bad-length'],
      ['81 c8 00 01 00 00 00 01', 'truncated-body'],
    ];
    for (const [bytes, code] of cases) {
      const e = parseRtcpCompound(hex(bytes));
      assert.equal(e.ok, false, bytes);
      if (!e.ok) assert.equal(e.error.code, code, bytes);
    }
  });
});

describe('buildReceiverReport', () => {
  test('golden bytes: RR with one block + SDES CNAME', () => {
    const out = buildReceiverReport(
      0x11223344,
      [{ ssrc: 0xabcd, fractionLost: 16, cumulativeLost: -2, extendedHighestSeq: 0x10005, jitter: 32, lastSr: 0x12345678, delaySinceLastSr: 65536 }],
      'mg',
    );
    const expected = hex(
      '81 c9 00 07 11 22 33 44  00 00 ab cd 10 ff ff fe 00 01 00 05 00 00 00 20 12 34 56 78 00 01 00 00' + '81 ca 00 03 11 22 33 44 01 02 6d 67 00 00 00 00',
    );
    assert.deepEqual(out, expected);
    const r = parseRtcpCompound(out);
    assert.ok(r.ok);
    assert.equal(r.packets.length, 2);
  });

  test('cumulative loss is clamped to 24-bit signed', () => {
    const out = buildReceiverReport(1, [{ ssrc: 2, fractionLost: 300, cumulativeLost: 1e9, extendedHighestSeq: 0, jitter: 0, lastSr: 0, delaySinceLastSr: 0 }]);
    const r = parseRtcpCompound(out);
    assert.ok(r.ok && r.packets[0]?.type === 'rr');
    if (r.ok && r.packets[0]?.type === 'rr') {
      assert.equal(r.packets[0].reports[0]?.cumulativeLost, 0x7fffff);
      assert.equal(r.packets[0].reports[0]?.fractionLost, 255);
    }
  });
});

describe('RtpReceiverStats', () => {
  test('loss fraction, cumulative loss, extended seq across wrap, LSR/DLSR, jitter', () => {
    const s = new RtpReceiverStats(90000);
    // seq 65530..65535, 0..13 with 5 missing (65533, 2, 3, 4, 10): 20 expected, 15 received
    const missing = new Set([65533, 2, 3, 4, 10]);
    let t = 0;
    for (let i = 0; i < 20; i++) {
      const seq = (65530 + i) & 0xffff;
      if (!missing.has(seq)) s.onRtp(0xabcd, seq, (i * 3000) >>> 0, t);
      t += 1000 / 30; // perfectly paced: jitter stays 0
    }
    const sr = unixMsToNtp(1_700_000_000_000);
    s.onSenderReport(sr.seconds, sr.fraction, 1000);
    const b = s.reportBlock(1500);
    assert.equal(b.ssrc, 0xabcd);
    assert.equal(b.cumulativeLost, 5);
    assert.equal(b.fractionLost, Math.floor((5 * 256) / 20));
    assert.equal(b.extendedHighestSeq, 0x10000 + 13);
    assert.ok(b.jitter <= 1, `jitter ${b.jitter}`);
    assert.equal(b.lastSr, ntpMiddle32(sr.seconds, sr.fraction));
    assert.equal(b.delaySinceLastSr, 32768); // 0.5 s
    // next interval: no new loss
    s.onRtp(0xabcd, 14, 20 * 3000, t);
    assert.equal(s.reportBlock(2000).fractionLost, 0);
  });

  test('jitter grows with irregular arrival', () => {
    const s = new RtpReceiverStats(90000);
    for (let i = 0; i < 50; i++) s.onRtp(1, i, i * 3000, i * 33.333 + (i % 2 ? 20 : 0));
    assert.ok(s.reportBlock(0).jitter > 500);
  });

  test('NTP conversion round-trips', () => {
    const ms = 1_764_500_000_123;
    const n = unixMsToNtp(ms);
    assert.ok(Math.abs(ntpToUnixMs(n.seconds, n.fraction) - ms) < 0.001);
  });
});
