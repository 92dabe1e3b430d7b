// Camera quirks (docs/camera-quirks.md) at the RTP payload layer.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { H264Depacketizer, type H264AccessUnit } from '../../src/media/h264/rtp-depacketizer.ts';
import { H264Packetizer } from '../../src/media/h264/rtp-packetizer.ts';
import { depacketizeAll, hexOf, rtp } from './rtp-test-helpers.ts';

function bitsToBytes(bits: string): number[] {
  const padded = bits + '1'; // rbsp stop bit
  const full = padded.padEnd(Math.ceil(padded.length / 8) * 8, '0');
  return full.match(/.{8}/g)!.map((b) => parseInt(b, 2));
}
function ue(v: number): string {
  const b = (v + 1).toString(2);
  return '0'.repeat(b.length - 1) + b;
}
/** A slice NAL: header byte, first_mb_in_slice, slice_type, pps_id, then filler payload. */
function slice(nalType: 1 | 5, firstMb: number, sliceType: number): Uint8Array {
  const nri = nalType === 5 ? 0x60 : 0x40;
  return Uint8Array.from([nri | nalType, ...bitsToBytes(ue(firstMb) + ue(sliceType) + ue(0)), 0x11, 0x22, 0x33, 0x44]);
}
// Baseline 320x240 SPS (hand-built in h264-sps.test.ts) and a PPS with id 0.
const SPS = Uint8Array.from([0x67, 66, 0xc0, 30, ...bitsToBytes('1' + '1' + '011' + '010' + '0' + '000010100' + '0001111' + '1' + '1' + '0' + '0')]);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const SPROP_640x480 = 'Z0LAHtkAoD2wEQAAAwABAAADADIPFi5I,aMuMsg==';
const AUD = Uint8Array.of(0x09, 0xf0);
const FILLER = Uint8Array.of(0x0c, 0xff, 0xff, 0x80);
const SEI_RECOVERY = Uint8Array.of(0x06, 0x06, 0x01, 0xc4, 0x80); // payload type 6, size 1

function send(units: Uint8Array[][], opts: { tsStep?: number; ts0?: number; marker?: 'last' | 'never' | 'every'; seq0?: number } = {}): Uint8Array[] {
  const packets: Uint8Array[] = [];
  let seq = opts.seq0 ?? 100;
  units.forEach((au, i) => {
    const ts = ((opts.ts0 ?? 1000) + i * (opts.tsStep ?? 3000)) >>> 0;
    au.forEach((nal, k) => {
      const marker = opts.marker === 'every' ? true : opts.marker === 'never' ? false : k === au.length - 1;
      packets.push(rtp(seq++ & 0xffff, ts, marker, nal));
    });
  });
  return packets;
}

describe('H.264 camera quirks', () => {
  test('parameter sets only in-band: AUs before them are not keyframes; config appears with them', () => {
    const d = new H264Depacketizer();
    const out = depacketizeAll(d, send([[slice(1, 0, 0)], [SPS, PPS, slice(5, 0, 7)], [slice(1, 0, 5)]])) as H264AccessUnit[];
    assert.deepEqual(
      out.map((a) => a.keyframe),
      [false, true, false],
    );
    assert.deepEqual(
      out.map((a) => a.parameterSetsChanged),
      [false, true, false],
    );
    assert.equal(out[1]!.videoConfig?.width, 320);
    assert.equal(out[1]!.videoConfig?.height, 240);
    assert.equal(out[1]!.videoConfig?.codecString, 'avc1.42c01e');
  });

  test('sprop disagreeing with in-band: in-band wins', () => {
    const d = new H264Depacketizer({ spropParameterSets: SPROP_640x480 });
    assert.equal(d.sps?.width, 640);
    const out = depacketizeAll(d, send([[SPS, PPS, slice(5, 0, 7)], [slice(1, 0, 5)], [SPS, PPS, slice(5, 0, 7)]])) as H264AccessUnit[];
    assert.equal(out[0]!.parameterSetsChanged, true);
    assert.equal(out[0]!.videoConfig?.width, 320);
    assert.equal(d.videoConfig?.height, 240);
    assert.deepEqual(d.videoConfig?.sps.map(hexOf), [hexOf(SPS)]);
    assert.equal(out.filter((a) => a.parameterSetsChanged).length, 1);
  });

  test('SPS change mid-stream is signalled once, on the AU that carries it', () => {
    const d = new H264Depacketizer();
    const SPS_640 = Uint8Array.from(Buffer.from('Z0LAHtkAoD2wEQAAAwABAAADADIPFi5I', 'base64'));
    const out = depacketizeAll(d, send([[SPS, PPS, slice(5, 0, 7)], [slice(1, 0, 5)], [SPS_640, PPS, slice(5, 0, 7)], [slice(1, 0, 5)]])) as H264AccessUnit[];
    assert.deepEqual(
      out.map((a) => a.parameterSetsChanged),
      [true, false, true, false],
    );
    assert.equal(out[2]!.videoConfig?.width, 640);
  });

  test('SPS change on a non-IDR random access point (SPS + PPS + recovery point SEI + I slice of type 1): a keyframe with the new config', () => {
    const d = new H264Depacketizer();
    const SPS_640 = Uint8Array.from(Buffer.from('Z0LAHtkAoD2wEQAAAwABAAADADIPFi5I', 'base64'));
    const out = depacketizeAll(
      d,
      send([[SPS, PPS, slice(5, 0, 7)], [slice(1, 0, 5)], [SPS_640, PPS, SEI_RECOVERY, slice(1, 0, 7)], [slice(1, 0, 5)]]),
    ) as H264AccessUnit[];
    assert.deepEqual(
      out.map((a) => [a.keyframe, a.parameterSetsChanged]),
      [
        [true, true],
        [false, false],
        [true, true],
        [false, false],
      ],
    );
    assert.equal(out[2]!.videoConfig?.width, 640);
    assert.deepEqual(d.videoConfig?.sps.map(hexOf), [hexOf(SPS_640)]);
  });

  test('several slices per frame with SPS/PPS repeated between slices: one AU, one keyframe flag, distinct timestamps', () => {
    for (const marker of ['last', 'every'] as const) {
      const d = new H264Depacketizer();
      const frames = [
        [SPS, PPS, slice(5, 0, 7), SPS, PPS, slice(5, 40, 7), slice(5, 80, 7)],
        [slice(1, 0, 5), slice(1, 40, 5), slice(1, 80, 5)],
        [slice(1, 0, 5), slice(1, 40, 5), slice(1, 80, 5)],
      ];
      const out = depacketizeAll(d, send(frames, { marker }));
      assert.equal(out.length, 3, `marker=${marker}`);
      assert.deepEqual(
        out.map((a) => a.keyframe),
        [true, false, false],
      );
      assert.equal(new Set(out.map((a) => a.timestamp)).size, 3);
      assert.equal(out[0]!.units.length, 7);
      assert.equal(out[1]!.units.length, 3);
      if (marker === 'every') assert.equal(d.takeErrors()[0]?.code, 'marker-misplaced');
    }
  });

  test('a trusted marker that turns out misplaced: the stragglers are dropped, never emitted twice', () => {
    const d = new H264Depacketizer();
    const good = Array.from({ length: 4 }, (_, i) => (i === 0 ? [SPS, PPS, slice(5, 0, 7)] : [slice(1, 0, 5)]));
    const out = depacketizeAll(
      d,
      send([...good, [slice(1, 0, 5), slice(1, 40, 5)], [slice(1, 0, 5), slice(1, 40, 5)]], { marker: 'last' }).map((p, i, all) => {
        // set the marker on the first slice of the two-slice frame (index 4) as well
        return i === all.length - 4 ? rtp((p[2]! << 8) | p[3]!, new DataView(p.buffer).getUint32(4), true, p.subarray(12)) : p;
      }),
    );
    assert.equal(new Set(out.map((a) => a.timestamp)).size, out.length, 'no duplicate timestamps');
    assert.ok(d.takeErrors().some((e) => e.code === 'marker-misplaced'));
    assert.equal(d.markerTrusted, false);
    assert.equal(out.at(-1)!.units.length, 2, 'later frames are whole again');
  });

  test('marker bit never set: AUs end at the timestamp change, the last one at flush', () => {
    const d = new H264Depacketizer();
    const packets = send([[SPS, PPS, slice(5, 0, 7)], [slice(1, 0, 5)], [slice(1, 0, 5)]], { marker: 'never' });
    const live = depacketizeAll(d, packets, false);
    assert.equal(live.length, 2);
    assert.equal(d.flush().length, 1);
    assert.equal(d.markerTrusted, false);
  });

  test('timestamps wrapping at 2^32 and sequence numbers wrapping at 65536 inside a FU-A', () => {
    const d = new H264Depacketizer();
    const big = Uint8Array.from({ length: 4000 }, (_, i) => (i === 0 ? 0x65 : i === 1 ? 0x88 : 0x10 + (i % 200)));
    const pk = new H264Packetizer({ ssrc: 1, payloadType: 96, initialSequenceNumber: 65534 });
    const packets = [...pk.packetize([SPS, PPS, big], 0xffff_f000), ...pk.packetize([slice(1, 0, 5)], 0x0000_0e10)];
    const out = depacketizeAll(d, packets);
    assert.deepEqual(d.takeErrors(), []);
    assert.equal(out.length, 2);
    assert.equal(out[1]!.timestamp - out[0]!.timestamp, 0x1e10);
    assert.deepEqual(out[0]!.units[2], big);
  });

  test('non-IDR I-frame random access: SPS+PPS+SEI recovery point + I slice of type 1', () => {
    const d = new H264Depacketizer();
    const out = depacketizeAll(
      d,
      send([
        [SPS, PPS, SEI_RECOVERY, slice(1, 0, 7)], // random access point without IDR
        [slice(1, 0, 5)], // P
        [SEI_RECOVERY, slice(1, 0, 2)], // I with recovery point, sets not repeated
        [slice(1, 0, 2)], // lone I slice, no SEI, no sets: not a random access point
        [SPS, PPS, slice(1, 0, 7), slice(1, 40, 0)], // sets + mixed I/P slices: not random access
      ]),
    );
    assert.deepEqual(
      out.map((a) => a.keyframe),
      [true, false, true, false, false],
    );
  });

  test('a recovery point with recovery_frame_cnt > 0 (gradual refresh) does not make an I picture a keyframe; SPS+PPS in front still do', () => {
    // recovery_frame_cnt 3 (ue 00100), exact_match 1, broken_link 0, changing_slice_group_idc 00, alignment 100
    const gradual = Uint8Array.of(0x06, 0x06, 0x02, 0b00100100, 0b01100000, 0x80);
    const d = new H264Depacketizer({ spropParameterSets: SPROP_640x480 });
    const out = depacketizeAll(
      d,
      send([
        [SEI_RECOVERY, slice(1, 0, 7)],
        [gradual, slice(1, 0, 7)],
        [SPS, PPS, gradual, slice(1, 0, 7)],
      ]),
    );
    assert.deepEqual(
      out.map((a) => a.keyframe),
      [true, false, true],
    );
  });

  test('FU-A with start and end bits in one packet', () => {
    const d = new H264Depacketizer({ spropParameterSets: SPROP_640x480 });
    const idr = slice(5, 0, 7);
    const fu = Uint8Array.from([(idr[0]! & 0xe0) | 28, 0xc0 | 5, ...idr.subarray(1)]);
    const out = depacketizeAll(d, [rtp(1, 90000, true, fu)]);
    assert.deepEqual(d.takeErrors(), []);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.units[0], idr);
    assert.equal(out[0]!.keyframe, true);
  });

  test('STAP-A with SPS+PPS+IDR; AUD and filler data are dropped', () => {
    const d = new H264Depacketizer();
    const idr = slice(5, 0, 7);
    const parts = [AUD, SPS, PPS, idr, FILLER];
    const stap = Uint8Array.from([0x78, ...parts.flatMap((n) => [n.length >> 8, n.length & 0xff, ...n])]);
    const out = depacketizeAll(d, [rtp(5, 0, true, stap)]);
    assert.deepEqual(d.takeErrors(), []);
    assert.deepEqual(out[0]!.units.map(hexOf), [SPS, PPS, idr].map(hexOf));
    assert.equal(out[0]!.keyframe, true);
  });

  test('a lost FU-A fragment drops that NAL only, with a typed error', () => {
    const d = new H264Depacketizer({ spropParameterSets: SPROP_640x480 });
    const big = Uint8Array.from({ length: 3000 }, (_, i) => (i === 0 ? 0x41 : 0x20 + (i % 100)));
    const pk = new H264Packetizer({ ssrc: 1, payloadType: 96 });
    const a = pk.packetize([slice(1, 0, 5), big], 3000);
    const b = pk.packetize([slice(1, 0, 5)], 6000);
    const out = depacketizeAll(d, [a[0]!, a[1]!, a[3]!, ...b]);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.units.length, 1);
    assert.equal(d.takeErrors()[0]?.code, 'fragment-lost');
  });

  test('repeated timestamps for new pictures are nudged, never duplicated', () => {
    const d = new H264Depacketizer({ spropParameterSets: SPROP_640x480 });
    const out = depacketizeAll(d, send([[slice(5, 0, 7)], [slice(1, 0, 5)], [slice(1, 0, 5)]], { tsStep: 0 }));
    assert.equal(out.length, 3);
    assert.equal(new Set(out.map((a) => a.timestamp)).size, 3);
  });

  test('stripParameterSets leaves SPS/PPS out of the units but still tracks them', () => {
    const d = new H264Depacketizer({ stripParameterSets: true });
    const out = depacketizeAll(d, send([[SPS, PPS, slice(5, 0, 7)]])) as H264AccessUnit[];
    assert.equal(out[0]!.units.length, 1);
    assert.equal(out[0]!.videoConfig?.sps.length, 1);
  });

  test('SPS/PPS sent with a timestamp of their own are carried into the picture that follows', () => {
    const d = new H264Depacketizer();
    const packets = [rtp(1, 500, true, SPS), rtp(2, 500, true, PPS), rtp(3, 1000, true, slice(5, 0, 7)), rtp(4, 4000, true, slice(1, 0, 5))];
    const out = depacketizeAll(d, packets);
    assert.equal(out.length, 2);
    assert.equal(out[0]!.timestamp + 3000, out[1]!.timestamp);
    assert.equal(out[0]!.units.length, 3);
    assert.equal(out[0]!.keyframe, true);
  });

  test('a stream of parameter sets without slices does not accumulate', () => {
    const d = new H264Depacketizer();
    const packets: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) packets.push(rtp(i, i * 3000, true, SEI_RECOVERY));
    packets.push(rtp(200, 200 * 3000, true, slice(1, 0, 5)));
    const out = depacketizeAll(d, packets);
    assert.equal(out.length, 1);
    assert.ok(out[0]!.units.length <= 33);
    assert.ok(d.takeErrors().length > 0);
  });
});
