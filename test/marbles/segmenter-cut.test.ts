// The cutting stage in virtual time: which actions come out, when, and that the source is
// subscribed for exactly as long as the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { map } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { cutSegments } from '../../src/nodes/fmp4-segmenter/cut-segments.ts';
import type { MediaMessage, Sample } from '../../src/types/media.ts';
import { audioTrack, discontinuity, videoTrack } from '../helpers/segmenter-streams.ts';

const scheduler = () => new TestScheduler((actual, expected) => assert.deepEqual(actual, expected));

/** A video frame at `second`; K = keyframe. */
const v = (second: number, keyframe: boolean): Sample => ({
  kind: 'sample',
  trackId: 1,
  dts: second * 90000,
  pts: second * 90000,
  keyframe,
  units: [new Uint8Array([0x65, 0])],
  wallClockMs: 1e12 + second * 1000,
});
const a = (second: number): Sample => ({
  kind: 'sample',
  trackId: 2,
  dts: second * 48000,
  pts: second * 48000,
  keyframe: true,
  units: [new Uint8Array([0x21])],
  wallClockMs: 1e12 + second * 1000,
});

const values: Record<string, MediaMessage> = {
  V: videoTrack(),
  A: audioTrack(),
  x: a(0.1), // audio before the first keyframe: dropped
  p: v(0.5, false), // video before the first keyframe: dropped
  k: v(1, true),
  l: v(2, true),
  m: v(3, true),
  n: v(4, true),
  q: v(2.5, false),
  b: a(2.2),
  d: discontinuity(),
  r: v(10, true),
  s: v(11, true),
};
const short: Record<string, string> = { init: 'I', 'open-segment': 'O', append: 'F', 'close-segment': 'C', 'track-rejected': 'R' };

test('cutSegments: init+open on the first keyframe, a fragment per GOP, cuts by media time', () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    // segment length 2 s: the keyframe at 3 s closes [1 s, 3 s); End at completion flushes [3 s, 4 s].
    const source = cold('VA---x----p----k----l----b----q----m----n----|', values);
    const out = source.pipe(
      cutSegments({ segmentLengthMs: 2000 }),
      map((x) => short[x.type]!),
    );
    expectObservable(out).toBe('---------------(IO)-F--------------(FCO)F----(FC|)', { I: 'I', O: 'O', F: 'F', C: 'C' });
    expectSubscriptions(source.subscriptions).toBe('^--------------------------------------------!');
  });
});

test('cutSegments: a discontinuity closes at once; nothing until the next keyframe', () => {
  scheduler().run(({ cold, expectObservable }) => {
    const source = cold('V----k----l----d----q----r----s----|', values);
    const out = source.pipe(
      cutSegments({ segmentLengthMs: 60_000 }),
      map((x) => short[x.type]!),
    );
    expectObservable(out).toBe('-----(IO)-F----(FC)------O----F----(FC|)', { I: 'I', O: 'O', F: 'F', C: 'C' });
  });
});

test('cutSegments: unsubscribing stops the source and emits nothing more', () => {
  scheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
    const source = cold('V----k----l----m----n----|', values);
    const out = source.pipe(
      cutSegments({ segmentLengthMs: 1000 }),
      map((x) => short[x.type]!),
    );
    expectObservable(out, '^-----------!').toBe('-----(IO)-(FCO)', { I: 'I', O: 'O', F: 'F', C: 'C' });
    expectSubscriptions(source.subscriptions).toBe('^-----------!');
  });
});
