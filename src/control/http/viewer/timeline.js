// The recordings timeline: one bar per asset on one shared, zoomable time axis. Ranges and
// gaps (with the reason the API gives) are drawn in the view; pointing shows the time under
// the pointer (local, UTC in the title); a click or a drag-and-release anywhere asks to play
// from that instant; the wheel zooms around the pointer.
import { axisTicks, clockTime, duration, utcTime, zoneName } from './format.js';
import { posterFor } from './poster.js';

/** Poster frames shown per asset row at most (the ranges in view, newest last). */
const MAX_POSTERS = 6;

/** What each gap reason (src/types/gap.ts) means, for tooltips and the legend. */
export const GAP_LABELS = {
  'camera-lost': 'camera lost',
  'recorder-stopped': 'recorder stopped (deactivated)',
  'recorder-down': 'recorder down (crashed or killed)',
  evicted: 'evicted from a full cache before upload',
  'write-failed': 'could not be written',
  handover: 'handed over to another host of the fleet',
  unexplained: 'no media (reason unknown)',
};
const MIN_SPAN_MS = 10_000;

function pct(ms, view) {
  return `${(((ms - view.from) / (view.to - view.from)) * 100).toFixed(4)}%`;
}
function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
function gapText(g) {
  const reason = g.reason || 'unexplained';
  const label = GAP_LABELS[reason] ?? reason;
  return `gap ${clockTime(g.start)} – ${clockTime(g.end)} (${duration(g.end - g.start)}): ${label}${GAP_LABELS[reason] && reason !== 'unexplained' ? ` [${reason}]` : ''}`;
}

export class Timeline {
  #root;
  #axis;
  #legend;
  #onSeek;
  #onZoom;
  /** The shown span, Unix ms: { from, to }. */
  view = { from: Date.now() - 3_600_000, to: Date.now() };
  /** The widest span zooming out may reach. */
  limits = { from: 0, to: Date.now() };
  #assets = [];
  #playhead;
  #drawn = '';

  constructor(root, axis, legend, { onSeek, onZoom }) {
    this.#root = root;
    this.#axis = axis;
    this.#legend = legend;
    this.#onSeek = onSeek;
    this.#onZoom = onZoom;
  }

  /** assets: [{ name, ranges: [{start,end}], gaps: [{start,end,reason}], codecs, live, note }] */
  setAssets(assets) {
    this.#assets = assets;
    // redraw only what changed: a redraw under the pointer would drop its hover and drag
    const key = JSON.stringify([assets, this.view]);
    if (key === this.#drawn) return;
    this.render();
  }

  /** Marks the playing instant on one asset's bar (undefined hides it). */
  setPlayhead(asset, ms) {
    this.#playhead = asset && ms !== undefined ? { asset, ms } : undefined;
    for (const bar of this.#root.querySelectorAll('.timeline')) {
      const head = bar.querySelector('.playhead');
      const here = this.#playhead && bar.dataset.asset === this.#playhead.asset && ms >= this.view.from && ms <= this.view.to;
      head.hidden = !here;
      if (here) head.style.left = pct(ms, this.view);
    }
  }

  /** Zooms by `factor` (<1 in, >1 out) around the instant `at`. */
  zoom(factor, at = (this.view.from + this.view.to) / 2) {
    const maxSpan = Math.max(MIN_SPAN_MS, this.limits.to - this.limits.from);
    const span = Math.min(maxSpan, Math.max(MIN_SPAN_MS, (this.view.to - this.view.from) * factor));
    const ratio = (at - this.view.from) / (this.view.to - this.view.from);
    let from = at - ratio * span;
    from = Math.max(this.limits.from, Math.min(from, this.limits.to - span));
    this.view = { from, to: from + span };
    this.render();
    this.#onZoom?.(this.view);
  }

  render() {
    const view = this.view;
    this.#drawn = JSON.stringify([this.#assets, view]);
    this.#root.replaceChildren();
    const reasons = new Set();
    for (const a of this.#assets) {
      const row = el('div', 'asset');
      row.dataset.asset = a.name;
      const title = el('div', 'asset-title');
      title.append(el('span', 'asset-name', a.name));
      if (a.codecs?.length) {
        const hevc = a.codecs.some((c) => /^(hvc1|hev1)/i.test(c));
        const codec = el('span', `tag codec${hevc ? ' hevc' : ''}`, hevc ? 'H.265' : /^avc/i.test(a.codecs[0]) ? 'H.264' : a.codecs[0]);
        codec.title = a.codecs.join(', ');
        title.append(codec);
      }
      if (a.live) title.append(el('span', 'tag live', 'live'));
      if (a.note) title.append(el('span', 'muted', ` ${a.note}`));
      const bar = el('div', 'timeline');
      bar.dataset.asset = a.name;
      for (const r of a.ranges) {
        if (r.end <= view.from || r.start >= view.to) continue;
        const s = Math.max(r.start, view.from);
        const e = Math.min(r.end, view.to);
        const x = el('div', 'range');
        x.style.left = pct(s, view);
        x.style.width = pct(view.from + (e - s), view);
        x.dataset.rangeStart = new Date(r.start).toISOString();
        x.dataset.rangeEnd = new Date(r.end).toISOString();
        bar.append(x);
      }
      for (const g of a.gaps) {
        reasons.add(g.reason || 'unexplained');
        if (g.end <= view.from || g.start >= view.to) continue;
        const s = Math.max(g.start, view.from);
        const e = Math.min(g.end, view.to);
        const x = el('div', 'gap');
        x.style.left = pct(s, view);
        x.style.width = pct(view.from + (e - s), view);
        x.dataset.gapStart = new Date(g.start).toISOString();
        x.dataset.gapEnd = new Date(g.end).toISOString();
        x.dataset.reason = g.reason || 'unexplained';
        x.title = gapText(g);
        bar.append(x);
      }
      const head = el('div', 'playhead');
      head.hidden = true;
      const cursor = el('div', 'cursor');
      cursor.hidden = true;
      const cursorLabel = el('span', 'cursor-label');
      cursor.append(cursorLabel);
      bar.append(head, cursor);
      this.#wire(bar, a, cursor, cursorLabel);
      row.append(title, bar, this.#posters(a));
      this.#root.append(row);
    }
    this.#renderAxis();
    this.#renderLegend(reasons);
    if (this.#playhead) this.setPlayhead(this.#playhead.asset, this.#playhead.ms);
  }

  /** A strip with the first frame of each range in view (the latest ones); a click plays it. */
  #posters(a) {
    const strip = el('div', 'posters');
    const inView = a.ranges.filter((r) => r.end > this.view.from && r.start < this.view.to).slice(-MAX_POSTERS);
    for (const r of inView) {
      const at = Math.max(r.start, this.view.from);
      const fig = el('figure', 'poster');
      fig.dataset.at = new Date(at).toISOString();
      fig.title = `${utcTime(at)}: click to play from here`;
      const img = el('img');
      img.alt = `frame at ${clockTime(at)}`;
      img.width = 96;
      fig.append(img, el('figcaption', '', clockTime(at)));
      fig.addEventListener('click', () => this.#onSeek(a.name, at));
      posterFor(a.name, at).then(
        (src) => {
          img.src = src;
        },
        () => {
          fig.classList.add('none');
          fig.title = `${utcTime(at)}: no preview (this browser cannot decode it); click to try playing`;
        },
      );
      strip.append(fig);
    }
    return strip;
  }

  #renderAxis() {
    this.#axis.replaceChildren();
    for (const t of axisTicks(this.view.from, this.view.to)) {
      const tick = el('span', 'tick', t.label);
      tick.style.left = pct(t.ms, this.view);
      tick.title = utcTime(t.ms);
      tick.dataset.ms = String(t.ms);
      this.#axis.append(tick);
    }
    this.#axis.title = `times in ${zoneName()}`;
  }

  #renderLegend(reasons) {
    this.#legend.replaceChildren();
    for (const r of reasons) {
      const item = el('span');
      item.dataset.legendReason = r;
      const swatch = el('span', 'swatch');
      swatch.dataset.reason = r;
      item.append(swatch, GAP_LABELS[r] ?? r);
      this.#legend.append(item);
    }
  }

  #timeAt(bar, clientX) {
    const box = bar.getBoundingClientRect();
    const ratio = Math.min(1, Math.max(0, (clientX - box.left) / box.width));
    return this.view.from + ratio * (this.view.to - this.view.from);
  }

  #wire(bar, asset, cursor, label) {
    let dragging = false;
    const show = (ev) => {
      const t = this.#timeAt(bar, ev.clientX);
      cursor.hidden = false;
      cursor.style.left = pct(t, this.view);
      label.textContent = clockTime(t);
      const inGap = asset.gaps.find((g) => g.start <= t && t < g.end);
      bar.title = `${utcTime(t)}${inGap ? `\n${gapText(inGap)}` : asset.ranges.some((r) => r.start <= t && t < r.end) ? '\nclick to play from here' : ''}`;
      return t;
    };
    bar.addEventListener('pointermove', (ev) => void show(ev));
    bar.addEventListener('pointerleave', () => {
      if (!dragging) cursor.hidden = true;
    });
    bar.addEventListener('pointerdown', (ev) => {
      if (ev.button !== 0) return;
      dragging = true;
      bar.setPointerCapture?.(ev.pointerId);
      show(ev);
    });
    bar.addEventListener('pointerup', (ev) => {
      if (!dragging) return;
      dragging = false;
      this.#onSeek(asset.name, show(ev));
    });
    bar.addEventListener(
      'wheel',
      (ev) => {
        ev.preventDefault();
        this.zoom(ev.deltaY > 0 ? 1.5 : 1 / 1.5, this.#timeAt(bar, ev.clientX));
      },
      { passive: false },
    );
  }
}
