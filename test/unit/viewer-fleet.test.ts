// The viewer's fleet panel (issue 18) draws what `fleetView` makes of GET /api/fleet: hosts sorted
// by id with this host marked, each host's load against its capacity, its instances with their
// lease ages (late ones flagged), and the instances no host records. Plain data, no DOM.
import { test } from 'node:test';
import assert from 'node:assert/strict';

interface FleetView {
  hosts: {
    id: string;
    self: boolean;
    load: string;
    heartbeat: string;
    heartbeatLate: boolean;
    instances: { name: string; lease: string; leaseLate: boolean; since: string }[];
  }[];
  unowned: string[];
  leaseSeconds: number;
}

const modulePath = '../../src/control/http/viewer/fleet.js';
const { fleetView } = (await import(modulePath)) as { fleetView: (fleet: unknown) => FleetView };

test('fleet view: hosts sorted, this host marked, load against capacity, lease ages with late ones flagged, unowned listed', () => {
  const view = fleetView({
    leaseSeconds: 30,
    hosts: [
      {
        id: 'mediagraph-1',
        capacity: 4,
        heartbeatAgeSeconds: 25,
        self: false,
        instances: [
          { name: 'cam-9', leaseAgeSeconds: 3, ownedSince: '2026-12-07T10:00:00Z' },
          { name: 'cam-2', leaseAgeSeconds: 21, ownedSince: '2026-12-07T10:05:00Z' },
        ],
      },
      {
        id: 'mediagraph-0',
        capacity: 4,
        heartbeatAgeSeconds: 4,
        self: true,
        instances: [{ name: 'cam-1', leaseAgeSeconds: 9.6, ownedSince: '2026-12-07T09:00:00Z' }],
      },
      { id: 'mediagraph-2', capacity: 4, heartbeatAgeSeconds: 1, self: false, instances: [] },
    ],
    unowned: ['cam-7', 'cam-3'],
  });
  assert.deepEqual(
    view.hosts.map((h) => [h.id, h.self, h.load, h.heartbeat, h.heartbeatLate]),
    [
      ['mediagraph-0', true, '1 / 4', '4 s ago', false],
      ['mediagraph-1', false, '2 / 4', '25 s ago', true],
      ['mediagraph-2', false, '0 / 4', '1 s ago', false],
    ],
  );
  assert.deepEqual(
    view.hosts[1]!.instances.map((i) => [i.name, i.lease, i.leaseLate]),
    [
      ['cam-2', '21 s ago', true],
      ['cam-9', '3 s ago', false],
    ],
  );
  assert.equal(view.hosts[0]!.instances[0]!.lease, '10 s ago');
  assert.ok(view.hosts[0]!.instances[0]!.since.length > 0);
  assert.deepEqual(view.unowned, ['cam-3', 'cam-7']);
  assert.equal(view.leaseSeconds, 30);
});

test('fleet view: a partial or empty answer draws without throwing', () => {
  assert.deepEqual(fleetView({}), { hosts: [], unowned: [], leaseSeconds: 0 });
  const v = fleetView({ hosts: [{ id: 'h', instances: [{ name: 'c' }] }] });
  assert.deepEqual(v.hosts[0], {
    id: 'h',
    self: false,
    load: '1 / ?',
    heartbeat: '? ago',
    heartbeatLate: false,
    instances: [{ name: 'c', lease: '? ago', leaseLate: false, since: '' }],
  });
});
