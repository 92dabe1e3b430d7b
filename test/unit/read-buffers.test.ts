// Read buffers come back only when given, are reused for files that fit, and are bounded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReadBuffers } from '../../src/storage/blob/read-buffers.ts';

test('a given-back buffer is reused for the next file that fits; views have the exact size', () => {
  const pool = new ReadBuffers(2);
  const a = pool.take(1_000_000);
  assert.equal(a.length, 1_000_000);
  a.fill(1);
  pool.give(a);
  assert.equal(pool.retainedBytes, 1048576, 'rounded up to 1 MiB');
  const b = pool.take(900_000);
  assert.equal(b.length, 900_000);
  assert.equal(b.buffer, a.buffer, 'same memory');
  assert.equal(pool.retainedBytes, 0, 'in use, not free');
  const c = pool.take(2_000_000);
  assert.notEqual(c.buffer, a.buffer, 'too small: a new one');
});

test('buffers still in use are never handed out twice; at most `keep` are kept; clear gives them up', () => {
  const pool = new ReadBuffers(2);
  const inUse = [pool.take(10), pool.take(10), pool.take(10)];
  assert.equal(new Set(inUse.map((b) => b.buffer)).size, 3);
  for (const b of inUse) pool.give(b);
  assert.equal(pool.retainedBytes, 2 * 1048576);
  pool.give(inUse[0]!); // twice: ignored
  assert.equal(pool.retainedBytes, 2 * 1048576);
  pool.give(Buffer.alloc(10)); // not from the pool: ignored
  assert.equal(pool.retainedBytes, 2 * 1048576);
  pool.clear();
  assert.equal(pool.retainedBytes, 0);
});
