// Item 6 of the "deploy and forget" issue: with a hung uplink and a 4 MiB cache, eviction stays
// oldest first even though the oldest segment's upload is in flight (it is aborted): at every
// moment the evicted segments are a prefix of the recorded order, the evicted segment never
// becomes a blob, and the index lists exactly the evicted time as a gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUplinkRig, kOfBlob, T0 } from './uplink-rig.ts';
import { until } from '../helpers/until.ts';

const SEG = 256 * 1024;

test('hung uplink, 4 MiB cache: evictions are always a prefix of the recording, no blob of an evicted segment', async (t) => {
  const rig = await startUplinkRig({ cacheMiB: 4 });
  t.after(() => rig.close());
  rig.push(SEG);
  rig.push(SEG);
  await until(() => rig.uploadedKs().length === 2, 15_000, 'uploads before the cut');
  rig.proxy.mode('blackhole');
  const evictedKs = (): number[] => {
    const ks = new Set<number>();
    for (const e of rig.tc.of('CacheEvicted')) for (let ms = Date.parse(e.gapStart); ms < Date.parse(e.gapEnd); ms += 1000) ks.add((ms - T0) / 1000);
    return [...ks].sort((a, b) => a - b);
  };
  const violations: string[] = [];
  for (let i = 0; i < 28; i++) {
    rig.push(SEG);
    await until(() => (rig.queue()?.stats().segments ?? 0) + evictedKs().length + 2 === i + 3, 5000, `segment ${i + 2} cached`);
    // segments 0 and 1 were uploaded; everything evicted since must be 2, 3, 4, … in order
    const ev = evictedKs();
    if (ev.some((k, j) => k !== 2 + j)) violations.push(`after segment ${i + 2}: evicted ${ev.join(',')}`);
  }
  assert.deepEqual(violations, []);
  const evicted = evictedKs();
  assert.ok(evicted.length >= 10, `evicted ${evicted.length}`);
  rig.proxy.mode('pass');
  await until(() => rig.queue()?.stats().segments === 0, 30_000, 'the backlog to drain');
  const uploaded = rig.uploadedKs();
  assert.deepEqual(
    uploaded.filter((k) => evicted.includes(k)),
    [],
    'an evicted segment reported uploaded',
  );
  assert.deepEqual(
    [...uploaded].sort((a, b) => a - b),
    uploaded,
    'uploads oldest first',
  );
  const store = await rig.store();
  const blobs = (await store.listNames('segments/')).map(kOfBlob);
  assert.deepEqual(
    blobs.filter((k) => evicted.includes(k)),
    [],
    'a blob of an evicted segment',
  );
  await until(() => rig.queue()?.pendingGaps().length === 0, 10_000, 'gaps indexed');
  const avail = await store.availableRanges(T0, T0 + 3_600_000);
  assert.deepEqual(
    avail.gaps.map((g) => [(g.startMs - T0) / 1000, (g.endMs - T0) / 1000, g.reason]),
    [[2, evicted.at(-1)! + 1, 'evicted']],
  );
});
