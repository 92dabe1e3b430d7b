import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SequenceReorderer } from '../../src/media/rtp/sequence-reorderer.ts';
import { TimestampUnwrapper, UNWRAP_ORIGIN } from '../../src/media/rtp/timestamp-unwrapper.ts';
import { WallClockAnchor } from '../../src/media/rtp/wall-clock-anchor.ts';

function run(r: SequenceReorderer<number>, seqs: number[]): number[] {
  const out: number[] = [];
  for (const s of seqs) out.push(...r.push(s, s));
  return out;
}

describe('SequenceReorderer', () => {
  test('in-order packets pass straight through', () => {
    const r = new SequenceReorderer<number>({ maxWait: 8 });
    assert.deepEqual(run(r, [10, 11, 12]), [10, 11, 12]);
    assert.equal(r.pending, 0);
  });

  test('swapped packets come out in order', () => {
    const r = new SequenceReorderer<number>({ maxWait: 8 });
    assert.deepEqual(run(r, [1, 3, 2, 5, 4, 6]), [1, 2, 3, 4, 5, 6]);
    assert.equal(r.lost, 0);
  });

  test('sequence wrap at 65536 with reordering across it', () => {
    const r = new SequenceReorderer<number>({ maxWait: 8 });
    assert.deepEqual(run(r, [65534, 0, 65535, 1, 2]), [65534, 65535, 0, 1, 2]);
    assert.equal(r.lost, 0);
  });

  test('a hole is given up on after maxWait packets wait behind it and counted as lost', () => {
    const r = new SequenceReorderer<number>({ maxWait: 3 });
    assert.deepEqual(run(r, [1, 3, 4]), [1]);
    assert.deepEqual(run(r, [5]), [3, 4, 5]);
    assert.equal(r.lost, 1);
    // the lost packet arriving later is dropped, not released out of order
    assert.deepEqual(run(r, [2, 6]), [6]);
    assert.equal(r.dropped, 1);
  });

  test('duplicates are dropped', () => {
    const r = new SequenceReorderer<number>({ maxWait: 4 });
    assert.deepEqual(run(r, [1, 2, 2, 4, 4, 3]), [1, 2, 3, 4]);
    assert.equal(r.dropped, 2);
  });

  test('pass-through mode (TCP) counts gaps and never waits', () => {
    const r = new SequenceReorderer<number>({ maxWait: 0 });
    assert.deepEqual(run(r, [65535, 1, 2, 0]), [65535, 1, 2]);
    assert.equal(r.lost, 1);
    assert.equal(r.dropped, 1);
  });

  test('a far jump (camera restart) resyncs instead of counting thousands lost', () => {
    const r = new SequenceReorderer<number>({ maxWait: 4 });
    assert.deepEqual(run(r, [100, 101, 103, 30000, 30001]), [100, 101, 103, 30000, 30001]);
    assert.equal(r.resyncs, 1);
    assert.equal(r.lost, 0);
  });

  test('flush releases held packets in order', () => {
    const r = new SequenceReorderer<number>({ maxWait: 10 });
    run(r, [1, 4, 3]);
    assert.deepEqual([...r.flush()], [3, 4]);
    assert.equal(r.lost, 1);
  });

  test('random shuffles within the window lose nothing over many wraps', () => {
    const r = new SequenceReorderer<number>({ maxWait: 16 });
    const seqs: number[] = [];
    for (let i = 0; i < 200_000; i++) seqs.push((60000 + i) & 0xffff);
    // deterministic local shuffle: swap within blocks of 8
    let x = 12345;
    for (let i = 8; i + 8 <= seqs.length; i += 8) {
      for (let j = 7; j > 0; j--) {
        x = (x * 1103515245 + 12345) & 0x7fffffff;
        const k = x % (j + 1);
        const a = seqs[i + j]!;
        seqs[i + j] = seqs[i + k]!;
        seqs[i + k] = a;
      }
    }
    const out: number[] = [];
    for (const s of seqs) for (const v of r.push(s, s)) out.push(v);
    assert.equal(r.lost, 0);
    assert.equal(out.length + r.pending, seqs.length);
    for (let i = 1; i < out.length; i++) assert.equal(out[i], (out[i - 1]! + 1) & 0xffff);
  });
});

describe('TimestampUnwrapper', () => {
  test('wraps at 2^32 forward, small steps back stay small', () => {
    const u = new TimestampUnwrapper();
    const a = u.unwrap(0xffff_f000);
    assert.equal(a, UNWRAP_ORIGIN + 0xffff_f000);
    assert.equal(u.unwrap(0x0000_0e00) - a, 0x1e00);
    assert.equal(u.unwrap(0xffff_ff00) - a, 0xf00); // B-frame pts before the wrap
    assert.equal(u.unwrap(0x0001_0000) - a, 0x11000);
  });

  test('many wraps accumulate', () => {
    const u = new TimestampUnwrapper();
    let ts = 0;
    const first = u.unwrap(0);
    let last = first;
    for (let i = 0; i < 100; i++) {
      ts = (ts + 0x7000_0000) >>> 0;
      last = u.unwrap(ts);
    }
    assert.equal(last - first, 100 * 0x7000_0000);
  });

  test('peek extends without moving the reference', () => {
    const u = new TimestampUnwrapper();
    const a = u.unwrap(100);
    assert.equal(u.peek(50), a - 50);
    assert.equal(u.unwrap(200), a + 100);
  });
});

describe('WallClockAnchor', () => {
  const NOW = 1_764_500_000_000;

  test('falls back to the first arrival without SR', () => {
    const w = new WallClockAnchor({ clockRate: 90000 });
    assert.ok(Number.isNaN(w.toWallClockMs(0)));
    w.onPacket(UNWRAP_ORIGIN + 1000, NOW);
    assert.equal(w.source, 'arrival');
    assert.equal(w.toWallClockMs(UNWRAP_ORIGIN + 1000 + 90000), NOW + 1000);
  });

  test('a plausible SR re-anchors, even across a 32-bit wrap', () => {
    const w = new WallClockAnchor({ clockRate: 90000 });
    const ext = UNWRAP_ORIGIN + 0xffff_ff00;
    w.onPacket(ext, NOW);
    // SR after the wrap: rtp 0x100 is 0x200 ticks after the packet; the sender says that is NOW - 2000
    assert.equal(w.onSenderReport(NOW - 2000, 0x100, NOW + 50), 'accepted');
    assert.equal(w.source, 'rtcp');
    assert.equal(w.toWallClockMs(ext + 0x200), NOW - 2000);
    assert.equal(w.toWallClockMs(ext + 0x200 + 45000), NOW - 1500);
  });

  test('an SR years off (camera without NTP) is rejected, arrival stays', () => {
    const w = new WallClockAnchor({ clockRate: 90000, maxSkewMs: 60_000 });
    w.onPacket(UNWRAP_ORIGIN, NOW);
    assert.equal(w.onSenderReport(NOW - 3 * 365 * 86_400_000, 0, NOW), 'implausible');
    assert.equal(w.onSenderReport(NOW + 61_000, 0, NOW), 'implausible');
    assert.equal(w.source, 'arrival');
    assert.equal(w.rejected, 2);
    assert.equal(w.toWallClockMs(UNWRAP_ORIGIN + 90000), NOW + 1000);
  });

  test('capture time is never later than the latest arrival (media delivered faster than real time)', () => {
    const w = new WallClockAnchor({ clockRate: 90000 });
    assert.ok(Number.isNaN(w.captureTimeMs(0)));
    w.onPacket(UNWRAP_ORIGIN, NOW);
    // 10 s of media arrived within 1 s (a camera at 10× speed, or an SR clock ahead of ours)
    w.onPacket(UNWRAP_ORIGIN + 10 * 90000, NOW + 1000);
    assert.equal(w.toWallClockMs(UNWRAP_ORIGIN + 10 * 90000), NOW + 10_000);
    assert.equal(w.captureTimeMs(UNWRAP_ORIGIN + 10 * 90000), NOW + 1000);
    // media from before the arrival keeps its own clock
    assert.equal(w.captureTimeMs(UNWRAP_ORIGIN + 45000), NOW + 500);
    // a late packet (reordered, older arrival stamp) does not move the bound back
    w.onPacket(UNWRAP_ORIGIN + 9 * 90000, NOW + 900);
    assert.equal(w.captureTimeMs(UNWRAP_ORIGIN + 10 * 90000), NOW + 1000);
  });

  test('an SR before any packet is deferred', () => {
    const w = new WallClockAnchor({ clockRate: 48000 });
    assert.equal(w.onSenderReport(NOW, 0, NOW), 'no-packets-yet');
  });
});
