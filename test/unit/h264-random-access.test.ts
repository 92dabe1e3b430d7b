// Where an H.264 segment may start (src/media/h264/random-access.ts), on hand-built NAL units:
// IDR; a non-IDR all-intra picture with a recovery point SEI whose recovery_frame_cnt is 0, or
// with SPS and PPS in the same access unit. Not: a gradual refresh (count above 0), a lone I
// picture, a picture mixing I and P slices.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { h264RandomAccess, readRecoveryFrameCount } from '../../src/media/h264/random-access.ts';
import { addEmulationPrevention } from '../../src/media/bits/rbsp.ts';

function bits(b: string): number[] {
  const full = b.padEnd(Math.ceil(b.length / 8) * 8, '0');
  return full.match(/.{8}/g)!.map((x) => parseInt(x, 2));
}
function ue(v: number): string {
  const b = (v + 1).toString(2);
  return '0'.repeat(b.length - 1) + b;
}
/** A slice NAL: header, first_mb_in_slice, slice_type, pps_id, stop bit, then payload bytes. */
function slice(nalType: 1 | 5, firstMb: number, sliceType: number): Uint8Array {
  return Uint8Array.from([(nalType === 5 ? 0x60 : 0x40) | nalType, ...bits(`${ue(firstMb)}${ue(sliceType)}${ue(0)}1`), 0x11, 0x22]);
}
/** One SEI message: type and payload bytes, with the 0xFF extension bytes for large values. */
function seiMessage(type: number, payload: readonly number[]): number[] {
  const ff = (v: number) => [...Array<number>(Math.floor(v / 255)).fill(0xff), v % 255];
  return [...ff(type), ...ff(payload.length), ...payload];
}
/** recovery_point payload: recovery_frame_cnt, exact_match 1, broken_link 0, changing_slice_group_idc 0, then byte alignment. */
function recoveryPayload(count: number): number[] {
  const b = `${ue(count)}10001`;
  return bits(b);
}
function sei(...messages: number[][]): Uint8Array {
  return Uint8Array.of(0x06, ...addEmulationPrevention(Uint8Array.from([...messages.flat(), 0x80])));
}
const SPS = Uint8Array.of(0x67, 0x42, 0xc0, 0x1e, 0xd9);
const PPS = Uint8Array.of(0x68, 0xce, 0x3c, 0x80);
const RECOVERY_0 = sei(seiMessage(6, recoveryPayload(0)));

describe('H.264 random access points', () => {
  test('recovery_frame_cnt is read after other SEI messages, 0xFF-extended sizes and emulation prevention', () => {
    assert.equal(readRecoveryFrameCount(RECOVERY_0), 0);
    assert.equal(readRecoveryFrameCount(sei(seiMessage(6, recoveryPayload(29)))), 29);
    const userData = seiMessage(
      5,
      Array.from({ length: 300 }, (_, i) => (i < 20 ? 0 : i & 0x7f)),
    );
    const withZeros = sei(userData, seiMessage(1, [0, 0, 0, 1]), seiMessage(6, recoveryPayload(0)));
    assert.ok(withZeros.length > 300);
    assert.ok(
      withZeros.some((b, i) => b === 3 && withZeros[i - 1] === 0 && withZeros[i - 2] === 0),
      'the test SEI carries emulation prevention bytes',
    );
    assert.equal(readRecoveryFrameCount(withZeros), 0);
    assert.equal(readRecoveryFrameCount(sei(userData)), undefined);
    assert.equal(readRecoveryFrameCount(Uint8Array.of(0x06, 0x06, 0x05, 0x80)), undefined); // size past the end
  });

  test('IDR', () => {
    assert.equal(h264RandomAccess([SPS, PPS, slice(5, 0, 7)]), 'idr');
    assert.equal(h264RandomAccess([slice(5, 0, 2)]), 'idr');
  });

  test('what cameras send without IDR: SPS + PPS + recovery point SEI + I slice of nal_unit_type 1', () => {
    assert.equal(h264RandomAccess([SPS, PPS, RECOVERY_0, slice(1, 0, 7)]), 'recovery-point');
    assert.equal(h264RandomAccess([RECOVERY_0, slice(1, 0, 2)]), 'recovery-point');
    // several slices, all intra (I and SI)
    assert.equal(h264RandomAccess([RECOVERY_0, slice(1, 0, 7), slice(1, 40, 2), slice(1, 80, 4)]), 'recovery-point');
  });

  test('an I picture with SPS and PPS in its access unit', () => {
    assert.equal(h264RandomAccess([SPS, PPS, slice(1, 0, 7)]), 'intra-with-parameter-sets');
    assert.equal(h264RandomAccess([SPS, slice(1, 0, 7)]), undefined);
  });

  test('not random access: gradual refresh, a lone I picture, mixed I/P slices, a P picture with a recovery point', () => {
    assert.equal(h264RandomAccess([sei(seiMessage(6, recoveryPayload(4))), slice(1, 0, 7)]), undefined);
    assert.equal(h264RandomAccess([slice(1, 0, 2)]), undefined);
    assert.equal(h264RandomAccess([SPS, PPS, RECOVERY_0, slice(1, 0, 7), slice(1, 40, 0)]), undefined);
    assert.equal(h264RandomAccess([RECOVERY_0, slice(1, 0, 5)]), undefined);
    assert.equal(h264RandomAccess([SPS, PPS, RECOVERY_0]), undefined); // no picture
  });
});
