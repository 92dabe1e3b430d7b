// bench/profile-summary.ts groups a V8 .cpuprofile's self time into issue 17's buckets; the
// profile here is hand-made so each figure is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cutProfile, selfTimes, type CpuProfile } from '../../bench/lib/cpuprofile.ts';
import { stalls, summarize } from '../../bench/profile-summary.ts';

const frame = (functionName: string, url = '') => ({ functionName, url, lineNumber: 0, columnNumber: 0 });
// (root) → (idle) | (garbage collector) | addFragment (per packet) | writeAll (segment files) → writev (native)
const profile: CpuProfile = {
  nodes: [
    { id: 1, callFrame: frame('(root)'), children: [2, 3, 4, 5] },
    { id: 2, callFrame: frame('(idle)') },
    { id: 3, callFrame: frame('(garbage collector)') },
    { id: 4, callFrame: frame('addFragment', 'file:///r/dist/media/rtp/video-depacketizer.js') },
    { id: 5, callFrame: frame('writeAll', 'file:///r/src/nodes/fmp4-segmenter/segment-files.ts'), children: [6] },
    { id: 6, callFrame: frame('writev', 'node:internal/fs/promises'), children: [7] },
    { id: 7, callFrame: frame('writeBuffers') },
  ],
  startTime: 1_000_000,
  endTime: 1_000_000 + 10_000,
  // a sample is charged the time to the next one: idle 4 ms, addFragment 1 ms, GC 2 ms, writeBuffers 3 ms
  samples: [2, 4, 3, 7, 2],
  timeDeltas: [0, 4000, 1000, 2000, 3000],
};

test('self time: each sample is charged the interval to the next', () => {
  const self = selfTimes(profile);
  assert.equal(self.get(2), 4000);
  assert.equal(self.get(4), 1000);
  assert.equal(self.get(3), 2000);
  assert.equal(self.get(7), 3000);
});

test('buckets: native frames go to their script caller; by cause, to the nearest frame of ours', () => {
  const s = summarize(profile);
  assert.equal(s.busyMs, 6);
  const ran = new Map(s.buckets.map((b) => [b.name, b.ms]));
  const cause = new Map(s.byCause.map((b) => [b.name, b.ms]));
  assert.equal(ran.get('GC'), 2);
  assert.equal(ran.get('per packet: RTSP/RTP parse, depacketize'), 1);
  assert.equal(ran.get('file system (node fs)'), 3, 'writeBuffers ran under node:internal/fs/promises');
  assert.equal(cause.get('per segment: segment file writes (per fragment), fsync, rename'), 3, 'called by the segment files');
  assert.equal(cause.get('file system (node fs)'), undefined);
  assert.ok(!s.buckets.some((b) => b.name === 'idle'));
});

test('cutProfile keeps the samples inside the window; stalls finds busy stretches', () => {
  const cut = cutProfile(profile, 1_004_500, 1_010_000);
  // samples at 1_005_000 (GC), 1_007_000 (writeBuffers), 1_010_000 (idle)
  assert.deepEqual(cut.samples, [3, 7, 2]);
  assert.equal(cut.startTime, 1_004_500);
  const found = stalls(profile, 5);
  assert.equal(found.length, 1);
  assert.equal(found[0]?.ms, 6);
});
