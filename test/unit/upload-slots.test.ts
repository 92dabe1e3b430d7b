import { test } from 'node:test';
import assert from 'node:assert/strict';
import { UploadSlots } from '../../src/storage/blob/upload-slots.ts';

test('upload slots: at most `limit` run at once; a failure gives its slot back; a wait can be abandoned', async () => {
  const slots = new UploadSlots(2);
  let running = 0;
  let peak = 0;
  const work = (fail: boolean) => async () => {
    peak = Math.max(peak, ++running);
    await new Promise((r) => setTimeout(r, 5));
    running--;
    if (fail) throw new Error('failed upload');
  };
  const results = await Promise.allSettled(Array.from({ length: 7 }, (_, i) => slots.run(work(i % 3 === 0))));
  assert.equal(peak, 2);
  assert.equal(results.filter((r) => r.status === 'rejected').length, 3);
  assert.equal(slots.inUse, 0);

  // both slots held: a third caller whose signal aborts leaves the queue, and the slots stay usable
  let release!: () => void;
  const held = new Promise<void>((r) => (release = r));
  const a = slots.run(() => held);
  const b = slots.run(() => held);
  const stop = new AbortController();
  const waiting = slots.run(async () => 'ran', stop.signal);
  stop.abort(new Error('stopped'));
  await assert.rejects(waiting, /stopped/);
  release();
  await Promise.all([a, b]);
  assert.equal(await slots.run(async () => 'after'), 'after');
  assert.equal(slots.inUse, 0);
});
