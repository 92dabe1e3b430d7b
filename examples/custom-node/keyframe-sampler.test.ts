// The custom node's own marble test, written the way a user would, with mediagraph/testing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestContext, instantiateNode, marbleTest } from 'mediagraph/testing';
import type { MediaMessage } from 'mediagraph';
import { keyframeSamplerNode } from './keyframe-sampler.ts';

const video: MediaMessage = {
  kind: 'track',
  trackId: 1,
  mediaType: 'video',
  timescale: 90000,
  config: { codec: 'h264', vps: [], sps: [], pps: [], width: 2, height: 2, codecString: 'avc1.42000a', profile: 'Baseline' },
};
const audio: MediaMessage = {
  kind: 'track',
  trackId: 2,
  mediaType: 'audio',
  timescale: 48000,
  config: { codec: 'aac', audioSpecificConfig: new Uint8Array([0x11, 0x90]), sampleRate: 48000, channels: 2, codecString: 'mp4a.40.2' },
};
const frame = (seconds: number, keyframe: boolean): MediaMessage => ({
  kind: 'sample',
  trackId: 1,
  dts: seconds * 90000,
  pts: seconds * 90000,
  keyframe,
  units: [new Uint8Array([keyframe ? 0x65 : 0x41])],
  wallClockMs: seconds * 1000,
});
const aac = (seconds: number): MediaMessage => ({
  kind: 'sample',
  trackId: 2,
  dts: seconds * 48000,
  pts: seconds * 48000,
  keyframe: true,
  units: [new Uint8Array([0x21])],
  wallClockMs: seconds * 1000,
});

test('keeps one keyframe per interval, drops audio and inter frames, passes End', () => {
  marbleTest(({ cold, expectObservable, expectSubscriptions, scheduler }) => {
    const values = {
      v: video,
      a: audio,
      k: frame(0, true),
      p: frame(1, false),
      s: aac(1),
      K: frame(2, true),
      L: frame(4, true),
      M: frame(10, true),
      e: { kind: 'end' } as MediaMessage,
    };
    const input = cold('   va-k-p-s-K-L-M-e|', values);
    const subs = '         ^---------------!';
    const expected = '     v--k-------L-M-e|';
    const node = instantiateNode(keyframeSamplerNode, { intervalSeconds: '3' }, createTestContext({ scheduler }));
    expectObservable(node({ media: input })).toBe(expected, values);
    expectSubscriptions(input.subscriptions).toBe(subs);
  });
});

test('a bad interval is refused with the pointer a topology author would see', () => {
  marbleTest(({ scheduler }) => {
    assert.throws(
      () => instantiateNode(keyframeSamplerNode, { intervalSeconds: '0' }, createTestContext({ scheduler })),
      /\/intervalSeconds: intervalSeconds must be greater than 0/,
    );
    assert.throws(
      () => instantiateNode(keyframeSamplerNode, { intervalSeconds: 'often' }, createTestContext({ scheduler })),
      /\/intervalSeconds: does not match the required pattern/,
    );
  });
});
