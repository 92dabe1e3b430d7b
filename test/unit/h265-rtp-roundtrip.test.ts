import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { H265Packetizer, h265Fmtp } from '../../src/media/h265/rtp-packetizer.ts';
import { H265Depacketizer, type H265AccessUnit } from '../../src/media/h265/rtp-depacketizer.ts';
import { parseRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { loadFixture, splitLengthPrefixed } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll, hexOf, rtp } from './rtp-test-helpers.ts';

const NAME = 'h265-360p.mp4';

function fmtpParams(fmtp: string): Record<string, string> {
  return Object.fromEntries(
    fmtp.split(';').map((kv) => {
      const i = kv.indexOf('=');
      return [kv.slice(0, i), kv.slice(i + 1)];
    }),
  );
}

describe('H.265 RTP round trip', { skip: fixtureSkip(NAME) }, () => {
  test('packetize → depacketize gives identical NALs, timestamps and IRAP keyframes', () => {
    const t = loadFixture(NAME)[0]!;
    const aus = t.samples.map((s) => {
      const nals = splitLengthPrefixed(s.data);
      return {
        pts: 0xfff0_0000 + Math.round((s.cts * 90000) / t.timescale),
        keyframe: s.isSync,
        units: s.isSync ? [...t.vps, ...t.sps, ...t.pps, ...nals] : nals,
      };
    });
    const pk = new H265Packetizer({ ssrc: 7, payloadType: 98, initialSequenceNumber: 65530, mtu: 1200 });
    const packets = aus.flatMap((au) => pk.packetize(au.units, au.pts));
    for (const p of packets) assert.ok(p.length <= 1200);
    const f = fmtpParams(h265Fmtp(t.vps, t.sps, t.pps));
    const d = new H265Depacketizer({ spropVps: f['sprop-vps'], spropSps: f['sprop-sps'], spropPps: f['sprop-pps'] });
    const out = depacketizeAll(d, packets) as H265AccessUnit[];
    assert.deepEqual(d.takeErrors(), []);
    assert.equal(out.length, aus.length);
    const offset = out[0]!.timestamp - aus[0]!.pts;
    for (let i = 0; i < aus.length; i++) {
      assert.equal(out[i]!.timestamp - offset, aus[i]!.pts, `ts ${i}`);
      assert.equal(out[i]!.keyframe, aus[i]!.keyframe, `keyframe ${i}`);
      assert.deepEqual(out[i]!.units.map(hexOf), aus[i]!.units.map(hexOf), `NALs ${i}`);
    }
    const cfg = out[0]!.videoConfig;
    assert.ok(cfg);
    assert.equal(cfg.codecString, t.codec);
    assert.equal(cfg.width, 640);
    assert.equal(cfg.vps.length, 1);
    assert.equal(out.filter((o) => o.parameterSetsChanged).length, 1);
  });

  test('AP carries VPS+SPS+PPS in one packet', () => {
    const t = loadFixture(NAME, 1)[0]!;
    const pk = new H265Packetizer({ ssrc: 7, payloadType: 98 });
    const pkts = pk.packetize([...t.vps, ...t.sps, ...t.pps], 0);
    assert.equal(pkts.length, 1);
    const r = parseRtpPacket(pkts[0]!);
    assert.ok(r.ok);
    assert.equal((r.packet.payload[0]! >> 1) & 0x3f, 48);
    assert.equal(r.packet.marker, true);
  });
});

describe('H.265 DONL (sprop-max-don-diff > 0)', () => {
  // IDR_W_RADL slice NAL: header 26 01, first_slice flag set
  const idr = [0x26, 0x01, 0xaf, 0x11, 0x22, 0x33];
  const trail = [0x02, 0x01, 0xd0, 0x44];
  test('single NAL, AP and FU with DONL/DOND fields are stripped', () => {
    const d = new H265Depacketizer({ spropMaxDonDiff: 2 });
    const packets = [
      // AP: DONL(2) size NAL, DOND(1) size NAL
      rtp(1, 1000, false, [0x60, 0x01, 0x00, 0x05, 0x00, idr.length, ...idr, 0x01, 0x00, trail.length, ...trail]),
      // single NAL with DONL
      rtp(2, 1000, true, [0x02, 0x01, 0x00, 0x07, 0x50, 0x55]),
      // FU start with DONL, then end without
      rtp(3, 4000, false, [0x62, 0x01, 0x80 | 19, 0x00, 0x08, 0xaf, 0x01, 0x02]),
      rtp(4, 4000, true, [0x62, 0x01, 0x40 | 19, 0x03, 0x04]),
    ];
    const out = depacketizeAll(d, packets);
    assert.deepEqual(d.takeErrors(), []);
    assert.equal(out.length, 2);
    assert.deepEqual(out[0]!.units.map(hexOf), [hexOf(Uint8Array.from(idr)), hexOf(Uint8Array.from(trail)), '02015055']);
    assert.deepEqual(out[1]!.units.map(hexOf), ['2601af01020304']);
  });
});
