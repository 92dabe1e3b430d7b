import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseH265Sps, tryParseH265Sps, h265CodecString, h265ProfileName } from '../../src/media/h265/sps.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { loadFixture, ffprobeStreams, hasFixture } from './rtp-mp4-fixtures.ts';

const NAME = 'h265-360p.mp4';

describe('parseH265Sps', () => {
  test('fixture SPS matches ffprobe and mp4box', { skip: skipUnless(hasCommand('ffprobe') && hasFixture(NAME), `ffprobe and ${NAME}`) }, () => {
    const video = loadFixture(NAME, 1)[0];
    assert.ok(video);
    const sps = parseH265Sps(video.sps[0]!);
    const probe = ffprobeStreams(NAME).find((s) => s.codec_name === 'hevc');
    assert.ok(probe);
    assert.equal(sps.width, probe.width);
    assert.equal(sps.height, probe.height);
    assert.equal(sps.generalLevelIdc, probe.level);
    assert.equal(h265ProfileName(sps.generalProfileIdc), probe.profile);
    // mp4box builds its string from hvcC fields, so this checks PTL parsing and Annex E.
    assert.equal(h265CodecString(sps), video.codec);
    assert.equal(sps.chromaFormatIdc, 1);
    assert.equal(sps.bitDepthLuma, 8);
    assert.equal(sps.generalConstraintIndicatorFlags.length, 6);
    assert.ok(sps.vuiComplete);
    if (probe.has_b_frames !== undefined) assert.ok(sps.maxNumReorderFrames >= probe.has_b_frames);
    const [num, den] = (probe.r_frame_rate ?? '0/1').split('/').map(Number) as [number, number];
    if (sps.fps !== undefined) assert.equal(sps.fps, num / den);
  });

  test('codec string examples from ISO/IEC 14496-15 Annex E', () => {
    const base = {
      generalProfileSpace: 0,
      generalTierFlag: 0,
      generalProfileIdc: 1,
      generalProfileCompatibilityFlags: 0x60000000,
      generalConstraintIndicatorFlags: Uint8Array.of(0xb0, 0, 0, 0, 0, 0),
      generalLevelIdc: 93,
    };
    assert.equal(h265CodecString(base), 'hvc1.1.6.L93.B0');
    assert.equal(
      h265CodecString(
        {
          ...base,
          generalProfileIdc: 2,
          generalProfileCompatibilityFlags: 0x20000000,
          generalTierFlag: 1,
          generalLevelIdc: 120,
          generalConstraintIndicatorFlags: Uint8Array.of(0xb0, 0, 0, 0, 0, 0),
        },
        'hev1',
      ),
      'hev1.2.4.H120.B0',
    );
    assert.equal(h265CodecString({ ...base, generalConstraintIndicatorFlags: new Uint8Array(6) }), 'hvc1.1.6.L93');
  });

  test('wrong type and truncation are typed errors', () => {
    const r = tryParseH265Sps(Uint8Array.of(0x40, 0x01, 0x0c, 0x01, 0xff));
    assert.equal(r.ok, false);
    const t = tryParseH265Sps(Uint8Array.of(0x42, 0x01, 0x01, 0x01, 0x60, 0x00));
    assert.equal(t.ok, false);
    if (!t.ok) assert.equal(t.error.code, 'truncated');
  });
});
