import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { H264Packetizer, h264SpropParameterSets, h264Fmtp } from '../../src/media/h264/rtp-packetizer.ts';
import { H264Depacketizer, type H264AccessUnit } from '../../src/media/h264/rtp-depacketizer.ts';
import { parseRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { loadFixture, splitLengthPrefixed, type FixtureTrack } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll, hexOf } from './rtp-test-helpers.ts';

interface Au {
  pts: number;
  units: Uint8Array[];
  keyframe: boolean;
}

/** The fixture's AUs with 90 kHz pts, parameter sets in-band before each keyframe (as cameras do). */
function fixtureAus(track: FixtureTrack, tsBase: number, inbandParams: boolean): Au[] {
  return track.samples.map((s) => {
    const nals = splitLengthPrefixed(s.data);
    const units = s.isSync && inbandParams ? [...track.sps, ...track.pps, ...nals] : nals;
    return { pts: tsBase + Math.round((s.cts * 90000) / track.timescale), units, keyframe: s.isSync };
  });
}

for (const name of ['h264-360p-aac.mp4', 'h264-1080p-aac.mp4']) {
  describe(`H.264 RTP round trip: ${name}`, { skip: fixtureSkip(name) }, () => {
    const track = () => loadFixture(name).find((t) => t.codec.startsWith('avc1'))!;

    test('packetize → depacketize gives identical NALs, timestamps and keyframe flags, across ts and seq wrap', () => {
      const t = track();
      const tsBase = 0xffff_0000; // wraps a few frames in
      const aus = fixtureAus(t, tsBase, true);
      const pk = new H264Packetizer({ ssrc: 0xabcdef, payloadType: 96, initialSequenceNumber: 65000 });
      const packets = aus.flatMap((au) => pk.packetize(au.units, au.pts));
      assert.ok(packets.length > aus.length, 'big NALs were fragmented');
      for (const p of packets) assert.ok(p.length <= 1400);
      const d = new H264Depacketizer({ spropParameterSets: h264SpropParameterSets(t.sps, t.pps) });
      const out = depacketizeAll(d, packets) as H264AccessUnit[];
      assert.deepEqual(d.takeErrors(), []);
      assert.equal(out.length, aus.length);
      const offset = out[0]!.timestamp - aus[0]!.pts; // the unwrapper's origin
      for (let i = 0; i < aus.length; i++) {
        const a = aus[i]!;
        const o = out[i]!;
        assert.equal(o.timestamp - offset, a.pts, `timestamp of AU ${i}`);
        assert.equal(o.keyframe, a.keyframe, `keyframe flag of AU ${i}`);
        assert.deepEqual(o.units.map(hexOf), a.units.map(hexOf), `NALs of AU ${i}`);
      }
      assert.equal(out[0]!.parameterSetsChanged, true);
      assert.ok(out[0]!.videoConfig);
      assert.equal(out[0]!.videoConfig.codecString, t.codec);
      assert.equal(out[0]!.videoConfig.width, t.width);
      assert.equal(out.filter((o) => o.parameterSetsChanged).length, 1, 'repeated identical in-band sets are not a change');
      assert.ok(d.markerTrusted, 'a correct marker becomes trusted');
    });

    test('marker on the last packet of each AU only; STAP-A for the parameter sets', () => {
      const t = track();
      const aus = fixtureAus(t, 1000, true).slice(0, 30);
      const pk = new H264Packetizer({ ssrc: 1, payloadType: 96 });
      for (const au of aus) {
        const pkts = pk.packetize(au.units, au.pts).map((b) => {
          const r = parseRtpPacket(b);
          assert.ok(r.ok);
          return r.packet;
        });
        pkts.forEach((p, i) => assert.equal(p.marker, i === pkts.length - 1));
        if (au.keyframe) assert.equal(pkts[0]!.payload[0]! & 0x1f, 24, 'SPS+PPS(+SEI) share a STAP-A');
      }
    });

    test('fmtp carries profile-level-id and sprop from the SPS', () => {
      const t = track();
      const fmtp = h264Fmtp(t.sps, t.pps);
      assert.match(fmtp, new RegExp(`profile-level-id=${t.codec.slice(5)}`));
      assert.match(fmtp, /packetization-mode=1/);
    });
  });
}
