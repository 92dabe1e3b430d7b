import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BitReader } from '../../src/media/bits/bit-reader.ts';
import { BitstreamError } from '../../src/media/bits/errors.ts';
import { removeEmulationPrevention, addEmulationPrevention } from '../../src/media/bits/rbsp.ts';

describe('BitReader', () => {
  test('fixed-width reads across byte boundaries, 32-bit values stay positive', () => {
    const r = new BitReader(Uint8Array.of(0b1010_1100, 0xff, 0xff, 0xff, 0xff));
    assert.equal(r.u(3), 0b101);
    assert.equal(r.u(5), 0b01100);
    assert.equal(r.u(32), 0xffffffff);
    assert.equal(r.bitsLeft(), 0);
    assert.throws(
      () => r.u1(),
      (e: unknown) => e instanceof BitstreamError && e.code === 'truncated',
    );
  });

  test('Exp-Golomb ue/se per the table in H.264 9.1', () => {
    // bit strings: 1 | 010 | 011 | 00100 | 00101 | 00110 | 00111 → ue 0,1,2,3,4,5,6
    const bits = '1' + '010' + '011' + '00100' + '00101' + '00110' + '00111';
    const padded = bits.padEnd(Math.ceil(bits.length / 8) * 8, '0');
    const bytes = Uint8Array.from(padded.match(/.{8}/g)!.map((b) => parseInt(b, 2)));
    const r = new BitReader(bytes);
    assert.deepEqual([r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue(), r.ue()], [0, 1, 2, 3, 4, 5, 6]);
    const s = new BitReader(bytes);
    assert.deepEqual([s.se(), s.se(), s.se(), s.se(), s.se(), s.se(), s.se()], [0, 1, -1, 2, -2, 3, -3]);
  });

  test('an all-zero run longer than 32 bits is an invalid code, not a hang', () => {
    const r = new BitReader(new Uint8Array(8));
    assert.throws(
      () => r.ue(),
      (e: unknown) => e instanceof BitstreamError && e.code === 'invalid',
    );
  });

  test('skip checks bounds', () => {
    const r = new BitReader(Uint8Array.of(0, 0));
    r.skip(15);
    assert.equal(r.bitsLeft(), 1);
    assert.throws(() => r.skip(2), BitstreamError);
  });
});

describe('emulation prevention', () => {
  test('removes 0x03 after two zero bytes only', () => {
    const nal = Uint8Array.of(0x67, 0, 0, 3, 1, 0, 0, 3, 0, 0, 3, 3, 5);
    assert.deepEqual(Array.from(removeEmulationPrevention(nal)), [0x67, 0, 0, 1, 0, 0, 0, 0, 3, 5]);
  });

  test('returns the same buffer when nothing is escaped', () => {
    const nal = Uint8Array.of(0x67, 1, 2, 3, 0, 3);
    assert.equal(removeEmulationPrevention(nal), nal);
  });

  test('add then remove round-trips', () => {
    const rbsp = Uint8Array.of(0, 0, 0, 0, 1, 0, 0, 2, 0, 0, 3, 7, 0, 0);
    const escaped = addEmulationPrevention(rbsp);
    for (let i = 2; i < escaped.length; i++) {
      assert.ok(!(escaped[i - 2] === 0 && escaped[i - 1] === 0 && (escaped[i] as number) < 3), `start-code-like bytes at ${i}`);
    }
    assert.deepEqual(Array.from(removeEmulationPrevention(escaped)), Array.from(rbsp));
  });
});
