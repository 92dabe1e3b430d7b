// The one interval that runs every RTSP session's periodic work, on a fake clock: entries run
// when due (at most one tick late), the tick follows the shortest period registered, a
// cancelled entry never runs again, and the interval stops when nothing is registered.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { PeriodicTicker, MAX_TICK_MS, MIN_TICK_MS, type TickerClock } from '../../src/media/rtsp/io/periodic-ticker.ts';

/** A clock whose time moves only when told; the interval fires as time passes. */
class FakeClock implements TickerClock {
  t = 1_000_000;
  intervals = new Map<number, { fn: () => void; ms: number; next: number }>();
  private ids = 0;
  now(): number {
    return this.t;
  }
  setInterval(fn: () => void, ms: number): unknown {
    const id = ++this.ids;
    this.intervals.set(id, { fn, ms, next: this.t + ms });
    return id;
  }
  clearInterval(h: unknown): void {
    this.intervals.delete(h as number);
  }
  advance(ms: number): void {
    const end = this.t + ms;
    for (let guard = 0; guard < 100_000; guard++) {
      const next = [...this.intervals.values()].sort((a, b) => a.next - b.next)[0];
      if (!next || next.next > end) break;
      this.t = next.next;
      next.next += next.ms;
      next.fn();
    }
    this.t = end;
  }
}

describe('PeriodicTicker', () => {
  test('one interval for many entries; each runs on its own period, at most one tick late', () => {
    const clock = new FakeClock();
    const ticker = new PeriodicTicker(clock);
    const runs: Record<string, number[]> = { keepAlive: [], silence: [], rtcp: [] };
    for (let i = 0; i < 100; i++) {
      ticker.every(30_000, (now) => i === 0 && runs.keepAlive!.push(now));
      ticker.every(1000, (now) => i === 0 && runs.silence!.push(now));
      ticker.every(5000, (now) => i === 0 && runs.rtcp!.push(now));
    }
    assert.equal(clock.intervals.size, 1, '300 entries, one interval');
    assert.equal(ticker.currentTickMs, 1000);
    const t0 = clock.now();
    clock.advance(61_000);
    assert.equal(runs.silence!.length, 61);
    assert.equal(runs.rtcp!.length, 12);
    assert.equal(runs.keepAlive!.length, 2);
    for (const [k, period] of [
      ['silence', 1000],
      ['rtcp', 5000],
      ['keepAlive', 30_000],
    ] as const) {
      runs[k]!.forEach((at, n) => {
        const due = t0 + (n + 1) * period;
        assert.ok(at >= due && at - due <= ticker.currentTickMs, `${k} run ${n} at +${at - t0} ms, due at +${due - t0} ms`);
      });
    }
  });

  test('the tick follows the shortest period (bounded) and the interval stops when the last entry is cancelled', () => {
    const clock = new FakeClock();
    const ticker = new PeriodicTicker(clock);
    const slow = ticker.every(30_000, () => undefined);
    assert.equal(ticker.currentTickMs, MAX_TICK_MS);
    let fast = 0;
    const cancelFast = ticker.every(75, () => fast++);
    assert.equal(ticker.currentTickMs, 75);
    assert.equal(clock.intervals.size, 1, 'the interval is replaced, not added');
    clock.advance(750);
    assert.equal(fast, 10);
    cancelFast();
    cancelFast(); // idempotent
    assert.equal(ticker.currentTickMs, MAX_TICK_MS);
    clock.advance(750);
    assert.equal(fast, 10, 'a cancelled entry never runs again');
    const tiny = ticker.every(1, () => undefined);
    assert.equal(ticker.currentTickMs, MIN_TICK_MS);
    tiny();
    slow();
    assert.equal(ticker.size, 0);
    assert.equal(clock.intervals.size, 0, 'no interval while nothing is registered');
    assert.equal(ticker.currentTickMs, 0);
  });

  test('an entry cancelled by another entry in the same tick does not run; a stalled loop runs an entry once, not once per missed period', () => {
    const clock = new FakeClock();
    const ticker = new PeriodicTicker(clock);
    let bRuns = 0;
    let cancelB = (): void => undefined;
    ticker.every(1000, () => cancelB());
    cancelB = ticker.every(1000, () => bRuns++);
    clock.advance(1000);
    assert.equal(bRuns, 0);
    let cRuns = 0;
    ticker.every(1000, () => cRuns++);
    // the event loop was blocked for 10 s: the interval fires once, late
    const [iv] = [...clock.intervals.values()];
    clock.t += 10_000;
    iv!.next = clock.t;
    clock.advance(0);
    assert.equal(cRuns, 1);
  });

  test('periods must be positive', () => {
    const ticker = new PeriodicTicker(new FakeClock());
    assert.throws(() => ticker.every(0, () => undefined), RangeError);
    assert.throws(() => ticker.every(Number.NaN, () => undefined), RangeError);
  });
});
