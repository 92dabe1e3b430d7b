import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseH264Sps, tryParseH264Sps, h264CodecString, h264ProfileName } from '../../src/media/h264/sps.ts';
import { BitstreamError } from '../../src/media/bits/errors.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { loadFixture, ffprobeStreams, hasFixture } from './rtp-mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';

const PROFILE_NAMES: Record<string, string> = { Main: 'Main', High: 'High', Baseline: 'Baseline', 'Constrained Baseline': 'Constrained Baseline' };

describe('parseH264Sps on the fixtures', () => {
  for (const name of ['h264-360p-aac.mp4', 'h264-1080p-aac.mp4']) {
    test(name, { skip: skipUnless(hasCommand('ffprobe') && hasFixture(name), `ffprobe and ${name}`) }, () => {
      const video = loadFixture(name, 1).find((t) => t.codec.startsWith('avc1'));
      assert.ok(video);
      const spsNal = video.sps[0];
      assert.ok(spsNal);
      const sps = parseH264Sps(spsNal);
      const probe = ffprobeStreams(name).find((s) => s.codec_name === 'h264');
      assert.ok(probe);
      assert.equal(sps.width, probe.width);
      assert.equal(sps.height, probe.height);
      assert.equal(sps.levelIdc, probe.level);
      assert.equal(h264ProfileName(sps.profileIdc, sps.constraintFlags), PROFILE_NAMES[probe.profile ?? '']);
      // mp4box derives its codec string from avcC, independently of the SPS bits.
      assert.equal(h264CodecString(sps), video.codec);
      assert.equal(sps.chromaFormatIdc, 1);
      assert.equal(sps.bitDepthLuma, 8);
      assert.equal(sps.frameMbsOnly, true);
      const [num, den] = (probe.r_frame_rate ?? '0/1').split('/').map(Number) as [number, number];
      if (sps.fps !== undefined) assert.equal(sps.fps, num / den);
      if (probe.has_b_frames !== undefined && sps.maxNumReorderFrames !== undefined) {
        assert.ok(sps.maxNumReorderFrames >= probe.has_b_frames, `reorder ${sps.maxNumReorderFrames} < ffprobe has_b_frames ${probe.has_b_frames}`);
      }
    });
  }

  test('1080p High profile: 1088 coded rows are cropped to 1080, VUI reorder depth present', { skip: fixtureSkip('h264-1080p-aac.mp4') }, () => {
    const video = loadFixture('h264-1080p-aac.mp4', 1).find((t) => t.codec.startsWith('avc1'));
    const sps = parseH264Sps(video!.sps[0]!);
    assert.equal(sps.profileIdc, 100);
    assert.equal(sps.height, 1080);
    assert.equal(h264CodecString(sps), 'avc1.640028');
    assert.equal(typeof sps.maxNumReorderFrames, 'number');
  });
});

describe('parseH264Sps golden bytes', () => {
  // Baseline 320x240 without VUI, built by hand: profile 66, level 30, sps_id 0,
  // log2_max_frame_num 4, poc type 2, 1 ref frame, 20x15 MBs, frame_mbs_only, direct8x8.
  // Bits: ue(0)=1 ue(0)=1 ue(2)=011 ue(1)=010 0 ue(19)=000010100 ue(14)=0001111 1 1 0 0 + stop 1
  const bits = '1' + '1' + '011' + '010' + '0' + '000010100' + '0001111' + '1' + '1' + '0' + '0' + '1';
  const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
  const body = padded.match(/.{8}/g)!.map((b) => parseInt(b, 2));
  const nal = Uint8Array.from([0x67, 66, 0xc0, 30, ...body]);

  test('size, profile, no VUI', () => {
    const sps = parseH264Sps(nal);
    assert.equal(sps.width, 320);
    assert.equal(sps.height, 240);
    assert.equal(sps.profileIdc, 66);
    assert.equal(sps.picOrderCntType, 2);
    assert.equal(sps.fps, undefined);
    assert.equal(sps.maxNumReorderFrames, undefined);
    assert.equal(h264CodecString(sps), 'avc1.42c01e');
    assert.equal(h264ProfileName(66, 0xc0), 'Constrained Baseline');
  });

  test('wrong NAL type and truncation are typed errors', () => {
    assert.throws(
      () => parseH264Sps(Uint8Array.of(0x68, 1, 2, 3, 4)),
      (e: unknown) => e instanceof BitstreamError && e.code === 'invalid',
    );
    const r = tryParseH264Sps(nal.subarray(0, 5));
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.code, 'truncated');
  });
});
