import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { BoxWriter } from '../../src/media/mp4/writer.ts';
import { parseBoxes } from '../helpers/mp4-read.ts';
import { GOLDEN } from './mp4-golden-table.ts';

const toHex = (b: Uint8Array) => Buffer.from(b).toString('hex');

describe('mp4 boxes: golden bytes', () => {
  for (const row of GOLDEN) {
    test(`write ${row.name}`, () => {
      const w = new BoxWriter(8); // small on purpose: exercises growth
      row.write(w);
      assert.equal(toHex(w.finish()), row.hex);
    });
    test(`read back ${row.name}`, () => {
      const [box, ...rest] = parseBoxes(Uint8Array.from(Buffer.from(row.hex, 'hex')));
      assert.ok(box);
      assert.equal(rest.length, 0);
      assert.deepEqual(row.read(box.body), row.fields);
    });
  }
});

describe('BoxWriter', () => {
  test('back-patches nested sizes', () => {
    const w = new BoxWriter(4);
    w.box('aaaa', (w) => w.box('bbbb', (w) => w.u8(1)).u16(2));
    assert.equal(toHex(w.finish()), '0000001361616161' + '0000000962626262' + '01' + '0002');
  });
  test('u64 is exact up to 2^53 and rejects the rest', () => {
    const w = new BoxWriter();
    w.u64(Number.MAX_SAFE_INTEGER);
    assert.equal(toHex(w.finish()), '001fffffffffffff');
    assert.throws(() => new BoxWriter().u64(-1), RangeError);
    assert.throws(() => new BoxWriter().u64(2 ** 53), RangeError);
  });
  test('fourcc must be four characters', () => {
    assert.throws(() => new BoxWriter().fourcc('abc'), RangeError);
  });
});
