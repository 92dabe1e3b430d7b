// The reconnect supervisor in virtual time: capped exponential backoff, a Discontinuity per
// outage after media flowed, backoff reset after media, End on stop, fatal errors surface.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Observable } from 'rxjs';
import { marbleTest } from '../../src/testing/index.ts';
import { backoffDelay, supervise, type OutageReport } from '../../src/nodes/rtsp-source/reconnect.ts';
import type { MediaMessage } from '../../src/types/media.ts';

const s = (n: number): MediaMessage => ({ kind: 'sample', trackId: 1, dts: n, pts: n, keyframe: true, units: [], wallClockMs: n });
const policy = { initialDelayMs: 10, maxDelayMs: 40, factor: 2, jitter: 0.5 };

test('backoff grows by the factor, is capped, and jitter only shortens it', () => {
  assert.deepEqual(
    [1, 2, 3, 4, 5].map((a) => backoffDelay(policy, a, () => 0)),
    [10, 20, 40, 40, 40],
  );
  assert.deepEqual(
    [1, 3].map((a) => backoffDelay(policy, a, () => 1)),
    [5, 20],
  );
});

test('reconnects with backoff while the camera refuses; stop ends with End', () => {
  marbleTest(({ cold, hot, expectObservable, scheduler }) => {
    const outages: OutageReport[] = [];
    const attempts: Observable<MediaMessage>[] = [cold('-#'), cold('-#'), cold('-#'), cold('-a', { a: s(1) })];
    let i = 0;
    const stop$ = hot<void>('-' + '-'.repeat(120) + 'x');
    const out = supervise(() => attempts[Math.min(i++, attempts.length - 1)]!, { policy, scheduler, stop$, random: () => 0, onOutage: (o) => outages.push(o) });
    // attempt 1 fails at 1, waits 10 → attempt 2 at 11 fails at 12, waits 20 → attempt 3 at 32 fails at 33,
    // waits 40 → attempt 4 at 73 delivers media at 74; stop at 122 → End
    expectObservable(out).toBe(`${'-'.repeat(74)}a${'-'.repeat(46)}(e|)`, { a: s(1), e: { kind: 'end' } });
    scheduler.flush();
    assert.deepEqual(
      outages.map((o) => [o.attempt, o.retryInMs, o.beforeMedia]),
      [
        [1, 10, true],
        [2, 20, true],
        [3, 40, true],
      ],
    );
  });
});

test('after media flowed, an outage emits a Discontinuity and the backoff starts over', () => {
  marbleTest(({ cold, hot, expectObservable, scheduler }) => {
    const attempts: Observable<MediaMessage>[] = [cold('-a-#', { a: s(1) }), cold<MediaMessage>('-#'), cold('-b', { b: s(2) })];
    let i = 0;
    const stop$ = hot<void>('-'.repeat(40) + 'x');
    const recovered: number[] = [];
    const out = supervise(() => attempts[Math.min(i++, 2)]!, { policy, scheduler, stop$, random: () => 0, onRecovered: (ms) => recovered.push(ms) });
    // media at 1, error at 3 → discontinuity at 3, retry at 13 fails at 14 (attempt 2: 20 ms) → retry at 34, media at 35
    expectObservable(out).toBe('-a-d' + '-'.repeat(31) + 'b----(e|)', {
      a: s(1),
      b: s(2),
      d: { kind: 'discontinuity', reason: 'reconnect', atWallClockMs: 3, lastMediaWallClockMs: 1 },
      e: { kind: 'end' },
    });
    scheduler.flush();
    assert.deepEqual(recovered, [32]);
  });
});

test('a fatal error is not retried', () => {
  marbleTest(({ cold, expectObservable, scheduler }) => {
    const out = supervise(() => cold('--#', undefined, new Error('bad url')), { policy, scheduler, stop$: cold('-'), classify: () => 'fatal' });
    expectObservable(out).toBe('--#', undefined, new Error('bad url'));
  });
});
