import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { H265Depacketizer, type H265AccessUnit } from '../../src/media/h265/rtp-depacketizer.ts';
import { loadFixture } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll, rtp } from './rtp-test-helpers.ts';

const NAME = 'h265-360p.mp4';

/** A VCL NAL of the given type; first_slice_segment_in_pic_flag from `first`. */
function vcl(type: number, first: boolean): Uint8Array {
  return Uint8Array.of(type << 1, 0x01, first ? 0xa0 : 0x20, 0x11, 0x22);
}

describe('H.265 camera quirks', { skip: fixtureSkip(NAME) }, () => {
  const sets = () => {
    const t = loadFixture(NAME, 1)[0]!;
    return [...t.vps, ...t.sps, ...t.pps];
  };

  test('keyframes are IDR_W_RADL, IDR_N_LP, CRA and BLA; TRAIL and RASL are not', () => {
    const d = new H265Depacketizer();
    const types = [19, 1, 20, 0, 21, 8, 16, 17, 18, 1];
    const packets: Uint8Array[] = [];
    let seq = 0;
    types.forEach((type, i) => {
      const ts = 3000 * i;
      if (i === 0) for (const ps of sets()) packets.push(rtp(seq++, ts, false, ps));
      packets.push(rtp(seq++, ts, true, vcl(type, true)));
    });
    const out = depacketizeAll(d, packets);
    assert.deepEqual(
      out.map((a) => a.keyframe),
      [true, false, true, false, true, false, true, true, true, false],
    );
  });

  test('parameter sets only in-band; two slices of one picture stay one AU with the marker on every packet', () => {
    const d = new H265Depacketizer();
    const packets = [
      vcl(1, true), // before any parameter set: not a keyframe, no config
      ...sets(),
      vcl(19, true),
      vcl(19, false),
      vcl(1, true),
      vcl(1, false),
    ].map((nal, i) => rtp(i, i === 0 ? 0 : i < 6 ? 3000 : 6000, true, nal));
    const out = depacketizeAll(d, packets) as H265AccessUnit[];
    assert.equal(out.length, 3);
    assert.deepEqual(
      out.map((a) => a.keyframe),
      [false, true, false],
    );
    assert.deepEqual(
      out.map((a) => a.parameterSetsChanged),
      [false, true, false],
    );
    assert.equal(out[1]!.units.length, 5);
    assert.equal(out[1]!.videoConfig?.codecString, 'hvc1.1.6.L63.90');
    assert.ok(d.takeErrors().some((e) => e.code === 'marker-misplaced'));
  });

  test('AUD (35) and filler data (38) are dropped', () => {
    const d = new H265Depacketizer();
    const out = depacketizeAll(
      d,
      [Uint8Array.of(35 << 1, 1, 0x50), ...sets(), vcl(19, true), Uint8Array.of(38 << 1, 1, 0xff, 0xff)].map((n, i) => rtp(i, 0, false, n)),
    );
    assert.equal(out.length, 1);
    assert.equal(out[0]!.units.length, 4);
  });
});
