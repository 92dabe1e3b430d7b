// Where a segment's first fragment ends, from its first bytes only (the viewer's poster frames
// read no more of a segment than that).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { firstFragmentEnd } from '../../src/media/mp4/first-fragment-end.ts';

function header(type: string, size: number, large?: number): Uint8Array {
  const b = new Uint8Array(large === undefined ? 8 : 16);
  const v = new DataView(b.buffer);
  v.setUint32(0, size);
  for (let i = 0; i < 4; i++) b[4 + i] = type.charCodeAt(i);
  if (large !== undefined) {
    v.setUint32(8, Math.floor(large / 0x1_0000_0000));
    v.setUint32(12, large % 0x1_0000_0000);
  }
  return b;
}
function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
const body = (n: number): Uint8Array => new Uint8Array(n);

test('styp, moof, then the mdat header alone: the end is known before the mdat body is read', () => {
  const head = concat(header('styp', 24), body(16), header('moof', 40), body(32), header('mdat', 5000));
  assert.equal(firstFragmentEnd(head), 24 + 40 + 5000);
});

test('a 64-bit mdat size, and an mdat that runs to the end of the file', () => {
  assert.equal(firstFragmentEnd(concat(header('moof', 8), header('mdat', 1, 5_000_000_000))), 8 + 5_000_000_000);
  assert.equal(firstFragmentEnd(concat(header('moof', 8), header('mdat', 0))), Number.POSITIVE_INFINITY);
});

test('no answer without a moof before the mdat, with a cut header, or an impossible size', () => {
  assert.equal(firstFragmentEnd(concat(header('mdat', 100))), undefined);
  assert.equal(firstFragmentEnd(concat(header('moof', 8), header('mdat', 100).subarray(0, 6))), undefined);
  assert.equal(firstFragmentEnd(concat(header('moof', 4))), undefined);
  assert.equal(firstFragmentEnd(new Uint8Array(0)), undefined);
});
