// Short version of faults/fleet-failover.ts: three `serve --fleet` hosts on one Azurite, six CVR
// instances of the simulated camera, 15 s leases. Every instance recorded by exactly one host,
// balanced within one; SIGKILL of a host: its instances record on the others within lease + 10 s,
// each taken-over asset has a `handover` gap no longer than that; no segment stored twice, none
// overlapping another, every one decodes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runFleetFailover } from '../../faults/fleet-failover.ts';

test('fleet: 3 hosts share 6 instances, one per host at most apart; SIGKILL of one hands its instances over with handover gaps', {
  timeout: 240_000,
}, async () => {
  const r = await runFleetFailover({ leaseSeconds: 15, instances: 6, restart: false, sigstop: false });
  assert.deepEqual(r.failures, [], JSON.stringify(r.figures));
  assert.equal(r.figures['doubleOwnershipSeen'], 0);
  assert.equal(r.figures['duplicate'], 0);
  assert.equal(r.figures['corrupt'], 0);
  assert.ok(Number(r.figures['failoverS']) > 0 && Number(r.figures['failoverS']) <= 25, `failover ${r.figures['failoverS']} s`);
  assert.ok(Number(r.figures['longestHandoverGapS']) <= 25);
});
