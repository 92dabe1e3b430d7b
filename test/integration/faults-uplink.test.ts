// Short version of faults/uplink-cycles.ts: two cut/restore cycles of the uplink, each cut
// longer than the 1 MiB cache holds. The asset index's gaps must equal the evictions exactly,
// uploads go oldest first, no duplicate or corrupt blob.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runUplinkCycles } from '../../faults/uplink-cycles.ts';

test('uplink cut and restored 2×: gaps = evictions, oldest first, no duplicates', async () => {
  const r = await runUplinkCycles({ cycles: 2 });
  assert.deepEqual(r.failures, []);
  assert.ok(Number(r.figures['evicted']) > 0, 'the cuts outlasted the cache');
  assert.ok(Number(r.figures['uploaded']) > 0);
  assert.equal(r.figures['gapsMatchEvictions'], true);
  assert.equal(r.figures['duplicateBlobs'], 0);
  assert.equal(r.figures['outOfOrderUploads'], 0);
  assert.ok(r.pass);
});
