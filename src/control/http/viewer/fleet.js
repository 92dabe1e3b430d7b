// The fleet panel: the hosts of a fleet (`serve --fleet`), the instances each owns and how old
// their leases and heartbeats are, from GET /api/fleet. A host that is not in a fleet answers
// 404 once and the panel stays hidden. `fleetView` is plain data (tested without a DOM); the panel
// only draws it.
import { clockDateTime, duration } from './format.js';

/** Lease or heartbeat older than this share of the lease period is shown as late. */
const LATE_SHARE = 2 / 3;

function age(seconds) {
  return typeof seconds === 'number' && Number.isFinite(seconds) ? duration(Math.max(0, seconds) * 1000) : '?';
}

/**
 * What the panel shows, from the /api/fleet answer: hosts sorted by id (this host marked), each
 * with its load against its capacity and its instances sorted by name; then the unowned ones.
 */
export function fleetView(fleet) {
  const leaseSeconds = Number(fleet?.leaseSeconds) || 0;
  const late = (s) => leaseSeconds > 0 && typeof s === 'number' && s > leaseSeconds * LATE_SHARE;
  const hosts = [...(fleet?.hosts ?? [])]
    .sort((a, b) => String(a.id).localeCompare(String(b.id)))
    .map((h) => {
      const instances = [...(h.instances ?? [])].sort((a, b) => String(a.name).localeCompare(String(b.name)));
      return {
        id: String(h.id),
        self: h.self === true,
        load: `${instances.length} / ${h.capacity ?? '?'}`,
        heartbeat: `${age(h.heartbeatAgeSeconds)} ago`,
        heartbeatLate: late(h.heartbeatAgeSeconds),
        instances: instances.map((i) => ({
          name: String(i.name),
          lease: `${age(i.leaseAgeSeconds)} ago`,
          leaseLate: late(i.leaseAgeSeconds),
          since: i.ownedSince ? clockDateTime(Date.parse(i.ownedSince)) : '',
        })),
      };
    });
  const unowned = [...(fleet?.unowned ?? [])].map(String).sort();
  return { hosts, unowned, leaseSeconds };
}

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}

export class FleetPanel {
  #section;
  #body;

  /** `section` is hidden until a fleet answers; `body` receives the hosts. */
  constructor(section, body) {
    this.#section = section;
    this.#body = body;
  }

  /** False once the host said it is not in a fleet: it does not become one without a restart. */
  inFleet = true;

  async refresh() {
    if (!this.inFleet) return;
    let fleet;
    try {
      const r = await fetch('/api/fleet', { headers: { accept: 'application/json' } });
      if (r.status === 404) this.inFleet = false;
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      fleet = await r.json();
    } catch {
      this.#section.hidden = true; // not a fleet, or not reachable now
      return;
    }
    this.#render(fleetView(fleet));
    this.#section.hidden = false;
  }

  #render(view) {
    this.#body.replaceChildren();
    for (const h of view.hosts) {
      const host = el('div', 'fleet-host');
      host.dataset.host = h.id;
      const title = el('div', 'fleet-host-title');
      title.append(el('strong', '', h.id));
      if (h.self) title.append(el('span', 'tag', 'this host'));
      title.append(el('span', 'muted', ` ${h.load} · heartbeat `), el('span', h.heartbeatLate ? 'late' : 'muted', h.heartbeat));
      host.append(title);
      const list = el('ul', 'fleet-instances');
      for (const i of h.instances) {
        const li = el('li', '', i.name);
        li.dataset.instance = i.name;
        li.append(el('span', i.leaseLate ? 'late' : 'muted', ` lease renewed ${i.lease}`));
        if (i.since) li.title = `owned since ${i.since}`;
        list.append(li);
      }
      if (!h.instances.length) list.append(el('li', 'muted', 'no instances'));
      host.append(list);
      this.#body.append(host);
    }
    if (view.unowned.length) this.#body.append(el('div', 'late', `not recorded by any host: ${view.unowned.join(', ')}`));
    if (view.leaseSeconds) this.#body.append(el('div', 'muted', `leases last ${duration(view.leaseSeconds * 1000)}`));
  }
}
