// The camera list: each instance's state and what its camera is doing now (GET /api/cameras),
// re-read whenever the event stream says something changed. A camera not sending media is
// marked offline, with since when and the last error.
import { getJson } from './api.js';
import { clockDateTime, clockTime, localDay, utcTime } from './format.js';

const PHASE_TEXT = {
  recording: 'recording',
  connecting: 'connecting',
  'auth-failed': 'authentication failed',
  'camera-lost': 'camera lost',
  restarting: 'restarting',
  inactive: 'inactive',
};

/** Event types after which a camera's status may have changed. */
export const CAMERA_EVENTS = [
  'GraphInstanceStateChanged',
  'MediaSessionEstablished',
  'StreamDisconnected',
  'StreamReconnected',
  'AuthenticationError',
  'AuthorizationError',
  'InstanceRestarting',
  'InstanceRestarted',
  'RecordingStarted',
  'RecordingAvailable',
];

function sinceText(iso) {
  const ms = Date.parse(iso);
  return localDay(ms) === localDay(Date.now()) ? clockTime(ms) : clockDateTime(ms);
}

function cell(text, className) {
  const td = document.createElement('td');
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

export class CameraList {
  #tbody;
  #empty;
  #onChange;
  #timer;
  /** Camera statuses by instance name, as last read. */
  cameras = [];

  constructor(tbody, empty, onChange) {
    this.#tbody = tbody;
    this.#empty = empty;
    this.#onChange = onChange;
  }

  /** Re-reads soon, once for a burst of events. */
  refreshSoon() {
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => this.refresh().catch(() => undefined), 150);
  }

  async refresh() {
    const { value } = await getJson('/api/cameras');
    this.cameras = value;
    this.#render();
    this.#onChange?.(value);
  }

  /** The status of the camera recording into `asset`, when known. */
  forAsset(asset) {
    return this.cameras.find((c) => c.asset?.toLowerCase() === asset.toLowerCase());
  }

  #render() {
    this.#tbody.replaceChildren();
    for (const c of this.cameras) {
      const tr = document.createElement('tr');
      tr.dataset.instance = c.instance;
      tr.dataset.phase = c.phase;
      tr.dataset.online = String(c.online);
      const status = document.createElement('td');
      status.className = `camera phase-${c.phase}`;
      const badge = document.createElement('span');
      badge.className = 'badge';
      badge.textContent = c.online ? 'online' : c.state === 'Active' ? 'offline' : 'off';
      status.append(badge, ` ${PHASE_TEXT[c.phase] ?? c.phase}`);
      if (c.since && c.phase !== 'inactive') status.append(` since ${sinceText(c.since)}`);
      if (c.since) status.title = `since ${utcTime(Date.parse(c.since))}`;
      if (c.message) {
        const why = document.createElement('div');
        why.className = 'why';
        why.textContent = c.phase === 'auth-failed' ? `${c.message} (check the user name and password)` : c.message;
        status.append(why);
      }
      tr.append(cell(c.instance), cell(c.state, `state state-${c.state}`), status);
      this.#tbody.append(tr);
    }
    this.#empty.hidden = this.cameras.length > 0;
  }
}
