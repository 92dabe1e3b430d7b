// Item 8 of the "deploy and forget" issue: a storage account that comes back receives uploads
// within 5 s. During a long outage the retry backoff grows (0.5 s doubling to a 30 s cap), so
// the line may return at the start of a 16 s wait; a hung request, too, holds the retry loop
// until its own deadline. The line returns here right after the sixth failed attempt, when
// the backoff alone would wait at least 8 s more.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startUplinkRig } from './uplink-rig.ts';
import { until } from '../helpers/until.ts';

test('uplink blackholed through 6 failed uploads: uploads resume within 5 s of its return', async (t) => {
  // Short per-call deadlines so that six attempts fit in a short test; the backoff is the default.
  const rig = await startUplinkRig({ cacheMiB: 64, sink: { store: { operationTimeoutMs: 1000, uploadTimeoutBaseMs: 1000 } } });
  t.after(() => rig.close());
  rig.push(64 * 1024);
  // (its range stays pending: the day index is written per hour of media, not per segment)
  await until(() => rig.uploadedKs().length === 1, 15_000, 'the first upload');
  rig.proxy.mode('blackhole');
  rig.push(64 * 1024);
  const uploadFailures = (): number => rig.tc.of('StorageError').filter((e) => /upload|container/.test(e.message)).length;
  await until(() => uploadFailures() >= 6, 40_000, 'six failed upload attempts');
  assert.equal(rig.uploadedKs().length, 1, 'nothing crosses a blackholed line');
  rig.proxy.mode('pass');
  const back = Date.now();
  await until(() => rig.uploadedKs().length === 2, 40_000, 'the upload after the line returned');
  const ms = Date.now() - back;
  assert.ok(ms < 5000, `uploads resumed ${ms} ms after the line returned`);
  assert.deepEqual(rig.uploadedKs(), [0, 1]);
});
