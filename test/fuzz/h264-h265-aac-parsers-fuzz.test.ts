// Property tests for the bitstream parsers: random bytes and bit-flipped real parameter sets.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseH264Sps, tryParseH264Sps } from '../../src/media/h264/sps.ts';
import { tryParseH265Sps } from '../../src/media/h265/sps.ts';
import { tryParseAudioSpecificConfig } from '../../src/media/aac/audio-specific-config.ts';
import { BitstreamError } from '../../src/media/bits/errors.ts';
import { removeEmulationPrevention } from '../../src/media/bits/rbsp.ts';
import { loadFixture, hasFixture } from '../unit/rtp-mp4-fixtures.ts';

const H264_SPS = hasFixture('h264-1080p-aac.mp4')
  ? loadFixture('h264-1080p-aac.mp4', 1)[0]!.sps[0]!
  : Uint8Array.of(0x67, 0x64, 0, 0x28, 0xac, 0xd9, 0x40, 0x78, 0x02, 0x27, 0xe5, 0xc0, 0x44);
const H265_SPS = hasFixture('h265-360p.mp4') ? loadFixture('h265-360p.mp4', 1)[0]!.sps[0]! : Uint8Array.of(0x42, 0x01, 0x01, 0x01, 0x60);

function flipped(base: Uint8Array) {
  return fc
    .tuple(fc.array(fc.integer({ min: 0, max: base.length * 8 - 1 }), { minLength: 1, maxLength: 4 }), fc.integer({ min: 1, max: base.length }))
    .map(([bits, len]) => {
      const b = Uint8Array.from(base);
      for (const bit of bits) if (bit >= 8) b[bit >> 3]! ^= 0x80 >> (bit & 7); // keep the NAL header byte
      return b.subarray(0, len);
    });
}

function withHeader(h: number[]) {
  return fc.uint8Array({ maxLength: 60 }).map((body) => Uint8Array.from([...h, ...body]));
}

describe('fuzz: parameter set parsers', () => {
  test('H.264 SPS: random and bit-flipped input returns a result or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), withHeader([0x67]), flipped(H264_SPS)), (nal) => {
        const r = tryParseH264Sps(nal);
        if (r.ok) {
          assert.ok(r.sps.width > 0 && r.sps.height > 0);
          assert.ok(Number.isInteger(r.sps.width));
        } else {
          assert.ok(r.error instanceof BitstreamError);
        }
        try {
          parseH264Sps(nal);
        } catch (e) {
          assert.ok(e instanceof BitstreamError, String(e));
        }
      }),
      { numRuns: 600 },
    );
  });

  test('H.265 SPS: random and bit-flipped input returns a result or a typed error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 40 }), withHeader([0x42, 0x01]), flipped(H265_SPS)), (nal) => {
        const r = tryParseH265Sps(nal);
        if (r.ok) {
          assert.ok(r.sps.width > 0 && r.sps.height > 0);
          assert.equal(r.sps.generalConstraintIndicatorFlags.length, 6);
        } else {
          assert.ok(r.error instanceof BitstreamError);
        }
      }),
      { numRuns: 600 },
    );
  });

  test('AudioSpecificConfig: random input returns a result or a typed error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 12 }), (b) => {
        const r = tryParseAudioSpecificConfig(b);
        if (r.ok) assert.ok(r.config.sampleRate > 0);
        else assert.ok(r.error instanceof BitstreamError);
      }),
      { numRuns: 600 },
    );
  });

  test('removeEmulationPrevention never grows its input and removes every 00 00 03', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 64 }).map((b) => b.map((x) => x % 5)),
        (b) => {
          const out = removeEmulationPrevention(b);
          assert.ok(out.length <= b.length);
          if (out !== b) assert.ok(out.length < b.length);
        },
      ),
      { numRuns: 500 },
    );
  });
});
