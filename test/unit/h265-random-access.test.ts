// Where an H.265 segment may start (src/media/h265/random-access.ts): IRAP pictures, IDR, CRA
// and BLA alike; never TRAIL, RASL or RADL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { h265RandomAccess, h265RandomAccessOfType, isH265Rasl } from '../../src/media/h265/random-access.ts';

const nal = (type: number, first = true) => Uint8Array.of(type << 1, 0x01, first ? 0x80 : 0x00, 0x55);
const VPS = nal(32);
const SPS = nal(33);
const PPS = nal(34);
const SEI = nal(39);

test('IRAP types 16..21 are random access points: BLA, IDR, CRA', () => {
  assert.deepEqual([16, 17, 18, 19, 20, 21].map(h265RandomAccessOfType), ['bla', 'bla', 'bla', 'idr', 'idr', 'cra']);
  for (const t of [0, 1, 6, 7, 8, 9, 22, 23, 32, 39]) assert.equal(h265RandomAccessOfType(t), undefined, `type ${t}`);
});

test('an access unit is judged by its first VCL NAL unit, after parameter sets and SEI', () => {
  assert.equal(h265RandomAccess([VPS, SPS, PPS, SEI, nal(21)]), 'cra');
  assert.equal(h265RandomAccess([nal(19), nal(19, false)]), 'idr');
  assert.equal(h265RandomAccess([SEI, nal(16)]), 'bla');
  assert.equal(h265RandomAccess([VPS, SPS, PPS, nal(1)]), undefined);
  assert.equal(h265RandomAccess([nal(8)]), undefined);
  assert.equal(h265RandomAccess([VPS, SPS, PPS]), undefined);
});

test('RASL pictures are types 8 and 9', () => {
  assert.deepEqual(
    [7, 8, 9, 10, 21].map((t) => isH265Rasl(nal(t))),
    [false, true, true, false, false],
  );
});
