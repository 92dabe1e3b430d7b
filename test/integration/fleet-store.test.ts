// The fleet's shared state on a real Azurite: definitions written with ETag conditions (a stale
// writer gets ConcurrentModification, a host sees another's change at its next poll) and
// instance ownership through blob leases (one holder at a time, renew fails once lost, the
// next owner learns who held it before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startAzurite } from '../../src/testing/azurite.ts';
import { FleetContainer } from '../../src/fleet/fleet-container.ts';
import { SharedDefinitionStore } from '../../src/fleet/shared-definition-store.ts';
import { HeldLease } from '../../src/fleet/lease-holder.ts';
import { MediaGraphError } from '../../src/runtime/errors.ts';

const timing = { leaseSeconds: 15, fenceMarginMs: 5000, now: () => performance.now() };

test('shared definitions: a change through one host is seen by another; a stale or blind write is refused', async (t) => {
  const az = await startAzurite({ inMemory: true });
  t.after(() => az.close());
  const a = new SharedDefinitionStore(await FleetContainer.open(az.connectionString, 'fleet-a'));
  const b = new SharedDefinitionStore(await FleetContainer.open(az.connectionString, 'fleet-a'));
  assert.equal(await b.changed(), false);
  await a.saveTopology('T1', { name: 'T1', v: 1 });
  assert.equal(await b.changed(), true);
  assert.deepEqual(await b.loadTopologies(), [{ name: 'T1', v: 1 }]);
  assert.equal(await b.changed(), false);
  // a updates the version both read: fine; b still holds the old ETag
  await a.saveTopology('t1', { name: 'T1', v: 2 });
  await assert.rejects(b.saveTopology('T1', { name: 'T1', v: 3 }), (e: unknown) => e instanceof MediaGraphError && e.code === 'ConcurrentModification');
  // after reading again, b's write goes through
  assert.deepEqual(await b.loadTopologies(), [{ name: 'T1', v: 2 }]);
  await b.saveTopology('T1', { name: 'T1', v: 3 });
  // creating what another host created meanwhile (not yet read here) is refused too
  await a.saveInstance('cam1', { document: { name: 'cam1' }, desiredActive: false });
  await assert.rejects(
    b.saveInstance('cam1', { document: { name: 'cam1', other: true }, desiredActive: true }),
    (e: unknown) => e instanceof MediaGraphError && e.code === 'ConcurrentModification',
  );
  assert.deepEqual(await b.loadInstances(), [{ document: { name: 'cam1' }, desiredActive: false }]);
  await b.deleteInstance('cam1');
  assert.deepEqual(await a.loadInstances(), []);
});

test('leases: one holder at a time; the loser of a lease learns it at its renew; the next owner sees the previous one', async (t) => {
  const az = await startAzurite({ inMemory: true });
  t.after(() => az.close());
  const fa = await FleetContainer.open(az.connectionString, 'fleet-b');
  const fb = await FleetContainer.open(az.connectionString, 'fleet-b');
  const first = await HeldLease.acquire(fa, 'Cam1', 'host-a', timing);
  assert.ok(first);
  assert.equal(first.previous.host, undefined);
  assert.equal(await HeldLease.acquire(fb, 'cam1', 'host-b', timing), undefined);
  assert.equal(await first.lease.renew(), true);
  await first.lease.release();
  const second = await HeldLease.acquire(fb, 'cam1', 'host-b', timing);
  assert.ok(second);
  assert.equal(second.previous.host, 'host-a');
  // host-a, had it missed the release (paused), finds the lease gone at its next renew
  assert.equal(await first.lease.renew(), false);
  assert.equal(await second.lease.renew(), true);
});
