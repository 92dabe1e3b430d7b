// The media session reads the RTSP socket into one reused buffer, so a depacketizer may keep
// nothing that points into a packet once push() returns: every packet here is written into
// the same buffer before it is pushed, and the buffer is overwritten afterwards. The NALs
// that come out must be exactly those that went in (FU fragments, STAP/AP units, single NALs).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { H264Packetizer } from '../../src/media/h264/rtp-packetizer.ts';
import { H265Packetizer } from '../../src/media/h265/rtp-packetizer.ts';
import { H264Depacketizer } from '../../src/media/h264/rtp-depacketizer.ts';
import { H265Depacketizer } from '../../src/media/h265/rtp-depacketizer.ts';
import { blankRtpPacket, readRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import type { AccessUnitOut, Depacketizer } from '../../src/media/rtp/depacketizer.ts';
import { hexOf } from './rtp-test-helpers.ts';

/** Pushes every packet from one shared buffer, then scribbles over it. */
function throughOneBuffer(d: Depacketizer, packets: readonly Uint8Array[]): AccessUnitOut[] {
  const shared = new Uint8Array(2048);
  const into = blankRtpPacket();
  const out: AccessUnitOut[] = [];
  for (const p of packets) {
    shared.fill(0x5a);
    shared.set(p, 0);
    assert.equal(readRtpPacket(shared.subarray(0, p.length), into), undefined);
    out.push(...d.push(into, into.timestamp));
  }
  out.push(...d.flush());
  shared.fill(0xa5);
  return out;
}

// small NALs (single or aggregated) and large ones (fragmented)
const body = fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 60 }), fc.uint8Array({ minLength: 1000, maxLength: 5000 }));

describe('depacketizers keep no view of a reused input buffer', () => {
  test('H.264: slices of every size, some fragmented, some aggregated', () => {
    fc.assert(
      fc.property(fc.array(fc.array(body, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 8 }), fc.integer({ min: 100, max: 1400 }), (aus, mtu) => {
        const units = aus.map((au, k) => au.map((b, i) => Uint8Array.of(k === 0 ? 0x65 : 0x41, i === 0 ? 0x80 : 0xa0, ...b)));
        const pk = new H264Packetizer({ ssrc: 1, payloadType: 96, mtu });
        const packets = units.flatMap((au, k) => pk.packetize(au, 1000 + 3000 * k));
        const out = throughOneBuffer(new H264Depacketizer(), packets);
        assert.deepEqual(
          out.map((o) => o.units.map(hexOf)),
          units.map((au) => au.map(hexOf)),
        );
      }),
      { numRuns: 60 },
    );
  });

  test('H.265: the same with its 3-byte FU header', () => {
    fc.assert(
      fc.property(fc.array(fc.array(body, { minLength: 1, maxLength: 4 }), { minLength: 2, maxLength: 8 }), fc.integer({ min: 100, max: 1400 }), (aus, mtu) => {
        // TRAIL_R (type 1) slices; the first slice of a picture has first_slice_segment_in_pic_flag set
        const units = aus.map((au) => au.map((b, i) => Uint8Array.of(0x02, 0x01, i === 0 ? 0x80 : 0x40, ...b)));
        const pk = new H265Packetizer({ ssrc: 1, payloadType: 96, mtu });
        const packets = units.flatMap((au, k) => pk.packetize(au, 1000 + 3000 * k));
        const out = throughOneBuffer(new H265Depacketizer(), packets);
        assert.deepEqual(
          out.map((o) => o.units.map(hexOf)),
          units.map((au) => au.map(hexOf)),
        );
      }),
      { numRuns: 60 },
    );
  });
});
