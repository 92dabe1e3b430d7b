// The viewer page: cameras with their status, recordings on a timeline, and a player that
// opens on the most recent recording by itself and follows it live. Everything updates from
// the host's event stream (with a slow poll as a fallback), so nothing needs a refresh.
import { getJson } from './api.js';
import { CameraList, CAMERA_EVENTS } from './cameras.js';
import { FleetPanel } from './fleet.js';
import { Timeline } from './timeline.js';
import { Player } from './player.js';
import { clockTime, duration, localDay, parseLocalDay, utcTime, zoneName } from './format.js';

const $ = (id) => document.getElementById(id);
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** Reload the recordings this often while one of them is live, in case an event was missed. */
const LIVE_POLL_MS = 10_000;
/** An asset whose newest range ended this recently is still being recorded. */
const LIVE_WITHIN_MS = 2 * 60_000;
/** Lease ages change every second; the fleet panel is read this often. */
const FLEET_POLL_MS = 5_000;

const state = {
  /** 'recent' (the last 24 h up to now) or a local day's midnight (Unix ms). */
  day: 'recent',
  /** The view follows the recorded extent until someone zooms. */
  autoFit: true,
  assets: [],
  opened: false,
};

function showError(e) {
  const box = $('page-error');
  box.hidden = false;
  box.textContent = String(e?.message ?? e);
}

const cameras = new CameraList($('cameras'), $('no-cameras'), () => {
  decorate();
  timeline.setAssets(state.assets);
});
const player = new Player({
  video: $('video'),
  clock: $('clock'),
  liveBadge: $('live-badge'),
  playPause: $('play-pause'),
  mute: $('mute'),
  goLive: $('go-live'),
  hevcNotice: $('hevc'),
  error: $('player-error'),
});
const timeline = new Timeline($('assets'), $('axis'), $('legend'), {
  onSeek: (asset, ms) => seek(asset, ms),
  onZoom: () => {
    state.autoFit = false;
    $('fit').disabled = false;
    updateDownload();
  },
});
player.onClock = (asset, ms) => timeline.setPlayhead(asset, ms);

function windowNow() {
  if (state.day === 'recent') {
    const to = Date.now();
    return { from: to - DAY, to };
  }
  const from = state.day;
  const next = new Date(from + DAY + 2 * HOUR);
  next.setHours(0, 0, 0, 0); // the next local midnight, whatever daylight saving did
  return { from, to: next.getTime() };
}

async function loadAsset(name, win) {
  const q = new URLSearchParams({ precision: 'full', startTime: new Date(win.from).toISOString(), endTime: new Date(win.to).toISOString() });
  const [summary, media] = await Promise.all([
    getJson(`/api/assets/${encodeURIComponent(name)}/summary`).catch(() => ({ codecs: [] })),
    getJson(`/api/assets/${encodeURIComponent(name)}/availableMedia?${q}`),
  ]);
  const ranges = media.timeRanges.map((r) => ({ start: Date.parse(r.start), end: Date.parse(r.end) }));
  const gaps = (media.gaps ?? []).map((g) => ({ start: Date.parse(g.start), end: Date.parse(g.end), reason: g.reason ?? '' }));
  // holes between ranges that no recorded gap explains
  for (let k = 1; k < ranges.length; k++) {
    const s = ranges[k - 1].end;
    const e = ranges[k].start;
    if (!gaps.some((x) => x.start < e && x.end > s)) gaps.push({ start: s, end: e, reason: '' });
  }
  const end = summary.end ? Date.parse(summary.end) : ranges.at(-1)?.end;
  const recent = end !== undefined && Date.now() - end < LIVE_WITHIN_MS;
  return { name, ranges, gaps, codecs: summary.codecs ?? [], end, recent, live: recent };
}

/** Notes from the camera list on each asset row (its camera's status). */
function decorate() {
  for (const a of state.assets) {
    const cam = cameras.forAsset(a.name);
    a.note = cam ? `camera ${cam.instance}: ${cam.online ? 'recording' : cam.phase.replace('-', ' ')}` : undefined;
    a.live = Boolean(a.recent) && (!cam || cam.online);
    if (a.name === player.current?.asset) player.cameraOffline = Boolean(cam && !cam.online);
  }
}

function fitView(win) {
  let first = Infinity;
  let last = -Infinity;
  for (const a of state.assets) {
    for (const r of a.ranges) {
      first = Math.min(first, r.start);
      last = Math.max(last, r.end);
    }
  }
  if (first === Infinity) return win;
  const live = state.assets.some((a) => a.live);
  const to = live ? Math.min(win.to, Math.max(last, Date.now())) : last;
  const pad = Math.max(2000, (to - first) * 0.03);
  return { from: Math.max(win.from, first - pad), to: Math.min(win.to, to + pad) };
}

let loading;
let again = false;
/** Reloads the assets and their ranges (one load at a time; a request during one runs once after it). */
async function loadAssets() {
  if (loading) {
    again = true;
    return loading;
  }
  loading = (async () => {
    const win = windowNow();
    const { value } = await getJson('/api/assets');
    const loaded = await Promise.all(value.map(({ name }) => loadAsset(name, win).catch((e) => ({ name, ranges: [], gaps: [], codecs: [], note: e.message }))));
    state.assets = loaded;
    decorate();
    $('no-assets').hidden = loaded.length > 0;
    timeline.limits = win;
    if (state.autoFit) timeline.view = fitView(win);
    timeline.setAssets(loaded);
    if (!state.opened) openLatest();
    updateDownload();
  })();
  try {
    await loading;
  } finally {
    loading = undefined;
    if (again) {
      again = false;
      void loadAssets().catch(showError);
    }
  }
}

/** Opens the most recent recording: live if it is still being recorded. */
function openLatest() {
  const latest = state.assets.filter((a) => a.ranges.length).sort((a, b) => b.ranges.at(-1).end - a.ranges.at(-1).end)[0];
  if (!latest) return;
  state.opened = true;
  const range = latest.ranges.at(-1);
  player.open({ asset: latest.name, range, live: latest.live, codecs: latest.codecs });
  updateDownload();
}

function seek(assetName, ms) {
  const a = state.assets.find((x) => x.name === assetName);
  if (!a || !a.ranges.length) return;
  let range = a.ranges.find((r) => r.start <= ms && ms < r.end);
  let at = ms;
  if (!range) {
    // a click in a gap or outside: the next recorded instant, else the end of the last range
    range = a.ranges.find((r) => r.start > ms) ?? a.ranges.at(-1);
    at = range.start > ms ? range.start : Math.max(range.start, range.end - 5000);
  }
  state.opened = true;
  const live = a.live && range === a.ranges.at(-1);
  player.open({ asset: a.name, range, atMs: at, live, codecs: a.codecs });
  updateDownload();
}

/** The download link: the playing range, as much of it as the timeline shows (zoom in to pick less). */
const MAX_DOWNLOAD_MS = 2 * HOUR;
function updateDownload() {
  const link = $('download');
  const cur = player.current;
  const a = cur && state.assets.find((x) => x.name === cur.asset);
  // the range as it is now (a live one has grown since it was opened)
  const range = a?.ranges.find((r) => r.start <= cur.range.start && cur.range.start < r.end) ?? cur?.range;
  const from = range && Math.max(range.start, timeline.view.from);
  const to = range && Math.min(range.end, timeline.view.to, from + MAX_DOWNLOAD_MS);
  link.hidden = !range || !(to > from);
  if (link.hidden) return;
  const q = new URLSearchParams({ startTime: new Date(from).toISOString(), endTime: new Date(to).toISOString() });
  link.href = `/api/assets/${encodeURIComponent(cur.asset)}/download.mp4?${q}`;
  link.textContent = `download ${clockTime(from)} – ${clockTime(to)} (${duration(to - from)})`;
  link.title = `${cur.asset}: ${utcTime(from)} – ${utcTime(to)}, whole segments, as one .mp4`;
}

let reloadTimer;
function reloadSoon() {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadAssets().catch(showError), 400);
}

function listen() {
  const es = new EventSource('/api/events');
  es.onopen = () => {
    $('conn').textContent = 'live';
    cameras.refreshSoon();
  };
  es.onerror = () => {
    $('conn').textContent = 'reconnecting…';
  };
  for (const type of CAMERA_EVENTS) es.addEventListener(type, () => cameras.refreshSoon());
  for (const type of ['SegmentUploaded', 'RecordingAvailable', 'RecordingStopped']) es.addEventListener(type, reloadSoon);
}

/** Days with recordings (local days), newest first, in the day picker. */
async function loadDays() {
  const today = startOfToday();
  const q = new URLSearchParams({
    precision: 'day',
    startTime: new Date(today - 364 * DAY).toISOString().slice(0, 10),
    endTime: new Date(today + DAY).toISOString().slice(0, 10),
  });
  const days = new Set();
  for (const a of state.assets) {
    const media = await getJson(`/api/assets/${encodeURIComponent(a.name)}/availableMedia?${q}`).catch(() => ({ timeRanges: [] }));
    for (const r of media.timeRanges) {
      for (let d = Date.parse(`${r.start}T00:00:00Z`); d <= Date.parse(`${r.end}T00:00:00Z`) && days.size < 400; d += DAY) {
        days.add(localDay(d));
        days.add(localDay(d + DAY - 1));
      }
    }
  }
  const select = $('day');
  const chosen = select.value;
  select.replaceChildren(new Option('last 24 hours', 'recent'));
  for (const d of [...days]
    .filter((d) => parseLocalDay(d) <= today)
    .sort()
    .reverse())
    select.append(new Option(d, d));
  select.value = [...select.options].some((o) => o.value === chosen) ? chosen : 'recent';
}

function startOfToday() {
  const d = new Date();
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

$('day').addEventListener('change', () => {
  const v = $('day').value;
  state.day = v === 'recent' ? 'recent' : (parseLocalDay(v) ?? 'recent');
  state.autoFit = true;
  loadAssets().catch(showError);
});
$('zoom-in').addEventListener('click', () => timeline.zoom(1 / 2));
$('zoom-out').addEventListener('click', () => timeline.zoom(2));
$('fit').addEventListener('click', () => {
  state.autoFit = true;
  $('fit').disabled = true;
  timeline.view = fitView(windowNow());
  timeline.render();
  updateDownload();
});
$('zone').textContent = `times in ${zoneName()}`;

cameras.refresh().catch(showError);
// hosts, their instances and lease ages (hidden when this host is not in a fleet)
const fleet = new FleetPanel($('fleet-section'), $('fleet'));
fleet.refresh();
setInterval(() => fleet.refresh(), FLEET_POLL_MS);
loadAssets()
  .then(() => loadDays())
  .catch(showError);
listen();
setInterval(() => {
  if (state.assets.some((a) => a.live) || $('conn').textContent !== 'live') loadAssets().catch(showError);
}, LIVE_POLL_MS);
