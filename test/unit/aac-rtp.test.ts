import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { AacPacketizer, aacFmtp } from '../../src/media/aac/rtp-packetizer.ts';
import { AacDepacketizer, type AudioAccessUnit } from '../../src/media/aac/rtp-depacketizer.ts';
import { parseRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { loadFixture } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { depacketizeAll, hexOf, rtp } from './rtp-test-helpers.ts';

const HBR = { sizeLength: 13, indexLength: 3, indexDeltaLength: 3 };

describe('AAC RTP (RFC 3640 AAC-hbr)', () => {
  test('golden packet: two AUs, timestamps ts and ts+1024', () => {
    const d = new AacDepacketizer({ config: '1190', ...HBR });
    // AU-headers-length 32 bits; sizes 3 and 2 (size<<3 | index 0)
    const pkt = rtp(10, 0xffff_fc00, true, [0x00, 0x20, 0x00, 0x18, 0x00, 0x10, 0xa1, 0xa2, 0xa3, 0xb1, 0xb2], 97);
    const out = depacketizeAll(d, [pkt]) as AudioAccessUnit[];
    assert.equal(out.length, 2);
    assert.equal(hexOf(out[0]!.units[0]!), 'a1a2a3');
    assert.equal(hexOf(out[1]!.units[0]!), 'b1b2');
    assert.equal(out[1]!.timestamp - out[0]!.timestamp, 1024);
    assert.equal(out[0]!.parameterSetsChanged, true);
    assert.deepEqual(out[0]!.audioConfig, {
      codec: 'aac',
      audioSpecificConfig: Uint8Array.of(0x11, 0x90),
      sampleRate: 48000,
      channels: 2,
      codecString: 'mp4a.40.2',
    });
    assert.equal(out[1]!.parameterSetsChanged, false);
    assert.ok(out.every((o) => o.keyframe));
  });

  test('fmtp names the hbr layout and config', () => {
    assert.equal(aacFmtp(Uint8Array.of(0x11, 0x90)), 'streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=1190');
  });

  test('other AU-header layouts: CTS/DTS deltas and RAP flag are read (generic path)', () => {
    const d = new AacDepacketizer({ config: '1190', sizeLength: 13, indexLength: 3, indexDeltaLength: 3, randomAccessIndication: true });
    // one AU header: 13 bits size=2, 3 bits index, 1 bit RAP → 17 bits → 3 bytes
    // 0000000000010 000 1 0000000 (pad)
    const pkt = rtp(1, 0, true, [0x00, 0x11, 0x00, 0x10, 0x80, 0xc1, 0xc2], 97);
    const out = depacketizeAll(d, [pkt]);
    assert.deepEqual(d.takeErrors(), []);
    assert.equal(out.length, 1);
    assert.equal(hexOf(out[0]!.units[0]!), 'c1c2');
  });

  test('a fragmented AU is reassembled; a lost fragment drops it', () => {
    const frame = Uint8Array.from({ length: 3000 }, (_, i) => i & 0xff);
    const pk = new AacPacketizer({ ssrc: 1, payloadType: 97, mtu: 1000 });
    const packets = pk.packetize([frame], 5000);
    assert.equal(packets.length, 4);
    const marks = packets.map((p) => {
      const r = parseRtpPacket(p);
      return r.ok && r.packet.marker;
    });
    assert.deepEqual(marks, [false, false, false, true]);
    const d = new AacDepacketizer({ config: '1190', ...HBR });
    const out = depacketizeAll(d, packets);
    assert.equal(out.length, 1);
    assert.deepEqual(out[0]!.units[0], frame);
    const d2 = new AacDepacketizer({ config: '1190', ...HBR });
    const out2 = depacketizeAll(d2, [packets[0]!, packets[1]!, packets[3]!]);
    assert.equal(out2.length, 0);
    assert.equal(d2.takeErrors()[0]?.code, 'fragment-lost');
  });

  test('bad config is a typed error and no output, no throw', () => {
    const d = new AacDepacketizer({ config: 'zz', ...HBR });
    assert.equal(d.takeErrors()[0]?.code, 'bad-config');
    assert.deepEqual(depacketizeAll(d, [rtp(1, 0, true, [0, 16, 0, 8, 1], 97)]), []);
  });

  for (const name of ['h264-360p-aac.mp4']) {
    test(`round trip of ${name}'s audio, several frames per packet`, { skip: fixtureSkip(name) }, () => {
      const track = loadFixture(name).find((t) => t.codec.startsWith('mp4a'))!;
      const frames = track.samples.map((s) => s.data);
      const pk = new AacPacketizer({ ssrc: 2, payloadType: 97, initialSequenceNumber: 65500 });
      // a camera sends 4 frames per packet burst
      const packets: Uint8Array[] = [];
      for (let i = 0; i < frames.length; i += 4) packets.push(...pk.packetize(frames.slice(i, i + 4), 0xffff_0000 + i * 1024));
      assert.ok(packets.length < frames.length);
      const fmtp = Object.fromEntries(
        aacFmtp(track.audioSpecificConfig!)
          .split(';')
          .map((kv) => kv.split('=') as [string, string]),
      );
      const d = new AacDepacketizer({ config: fmtp['config']!, ...HBR });
      const out = depacketizeAll(d, packets);
      assert.deepEqual(d.takeErrors(), []);
      assert.equal(out.length, frames.length);
      for (let i = 0; i < frames.length; i++) {
        assert.equal(out[i]!.timestamp - out[0]!.timestamp, i * 1024);
        assert.equal(hexOf(out[i]!.units[0]!), hexOf(frames[i]!));
      }
    });
  }
});
