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

describe('init segment durations', () => {
  test('patchInitDuration writes mvhd and mehd in place, leaving the rest alone', async () => {
    const { buildInitSegment, patchInitDuration } = await import('../../src/media/mp4/init.ts');
    const { findBox, readMvhd, readMehd } = await import('../helpers/mp4-read.ts');
    const track = {
      kind: 'audio',
      trackId: 1,
      timescale: 48000,
      channelcount: 2,
      samplerate: 48000,
      audioSpecificConfig: Uint8Array.from([0x11, 0x90]),
    } as const;
    const plain = buildInitSegment([track]);
    const init = buildInitSegment([track], { withDuration: true });
    assert.equal(init.length, plain.length + 20);
    assert.throws(() => patchInitDuration(plain, 1000), RangeError);
    const patched = patchInitDuration(init, 12_345.4);
    assert.equal(patched.length, init.length);
    const boxes = parseBoxes(patched);
    assert.equal(readMvhd(findBox(boxes, 'moov', 'mvhd')!.body).duration, 12_345);
    assert.equal(readMehd(findBox(boxes, 'moov', 'mvex', 'mehd')!.body).fragment_duration, 12_345);
    const diff = [...patched].flatMap((b, i) => (b !== init[i] ? [i] : []));
    assert.ok(diff.length > 0 && diff.length <= 4);
    assert.equal(readMvhd(findBox(parseBoxes(init), 'moov', 'mvhd')!.body).duration, 0, 'input not mutated');
  });
});

test('patchInitDuration: property: arbitrary bytes give a RangeError or a same-size copy, never a crash', async () => {
  const fc = (await import('fast-check')).default;
  const { patchInitDuration } = await import('../../src/media/mp4/init.ts');
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      try {
        assert.equal(patchInitDuration(bytes, 1000).length, bytes.length);
      } catch (e) {
        assert.ok(e instanceof RangeError, String(e));
      }
    }),
    { numRuns: 300 },
  );
});
