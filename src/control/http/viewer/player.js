// The player: hls.js over the asset's HLS playlist, opened at a wall-clock instant (the
// position is found from the segments' PROGRAM-DATE-TIME) or at the live edge, muted so that
// browsers let it start without a click. It shows the wall-clock time of the frame on screen,
// and the H.265 notice only when the asset is H.265 and this browser cannot decode it.
import { clockDateTime, utcTime } from './format.js';

const HEVC_PROBES = ['hvc1.1.6.L93.B0', 'hev1.1.6.L93.B0'];
/** How much recording before the chosen instant the playlist holds (room to step back). */
const LEAD_MS = 10 * 60_000;
/** A playlist covers at most this much (the API allows 24 h). */
const MAX_WINDOW_MS = 6 * 3_600_000;

export function isHevc(codecs) {
  return (codecs ?? []).some((c) => /^(hvc1|hev1)/i.test(c));
}

export function browserPlaysHevc() {
  if (typeof MediaSource === 'undefined') return false;
  return HEVC_PROBES.some((c) => MediaSource.isTypeSupported(`video/mp4; codecs="${c}"`));
}

export class Player {
  #els;
  #hls;
  #native = false;
  #target;
  #canGoLive = false;
  /** What plays now: { asset, atMs, live, src } */
  current;
  /** Set when the playing asset's camera is known to be offline: nothing live to show. */
  cameraOffline = false;
  onClock;

  constructor(els) {
    this.#els = els;
    const v = els.video;
    v.muted = true;
    v.autoplay = true;
    v.playsInline = true;
    for (const ev of ['timeupdate', 'seeked', 'playing', 'pause']) v.addEventListener(ev, () => this.#tick());
    setInterval(() => this.#tick(), 500);
    els.playPause.addEventListener('click', () => (v.paused ? v.play().catch(() => undefined) : v.pause()));
    els.mute.addEventListener('click', () => {
      v.muted = !v.muted;
      this.#tick();
    });
    els.goLive.addEventListener('click', () => this.current && this.open({ ...this.current, atMs: undefined, live: true }));
  }

  /**
   * Plays `asset` from `atMs` (Unix ms) inside the recorded range `range` ({start,end}); without
   * `atMs`, from the live edge when `live`, else the last half minute of the range.
   */
  open({ asset, range, atMs, live, codecs }) {
    const now = Date.now();
    live = Boolean(live) && (atMs === undefined || now - atMs < MAX_WINDOW_MS - LEAD_MS);
    const target = atMs ?? (live ? undefined : Math.max(range.start, range.end - 30_000));
    const from = Math.max(range.start, (target ?? now) - LEAD_MS);
    const q = new URLSearchParams({ startTime: new Date(from).toISOString() });
    // live: no end, so each reload of the playlist brings the segments recorded since
    if (!live) q.set('endTime', new Date(Math.min(range.end, from + MAX_WINDOW_MS)).toISOString());
    const src = `/api/assets/${encodeURIComponent(asset)}/playlist.m3u8?${q}`;
    this.current = { asset, range, atMs: target, live, codecs, src };
    this.#target = target;
    const { video } = this.#els;
    video.dataset.playing = src;
    video.dataset.asset = asset;
    video.dataset.opens = String(Number(video.dataset.opens ?? 0) + 1);
    this.#els.error.hidden = true;
    this.#showCodecNotice(codecs);
    this.#canGoLive = range.end > now - 120_000;
    this.#hls?.destroy();
    this.#hls = undefined;
    if (window.Hls?.isSupported()) {
      const hls = new window.Hls({ enableWorker: true, autoStartLoad: false, liveSyncDurationCount: 2 });
      this.#hls = hls;
      let started = false;
      hls.on(window.Hls.Events.LEVEL_LOADED, (_ev, data) => {
        if (started) return;
        started = true;
        hls.startLoad(target === undefined ? -1 : positionOf(data.details.fragments, target));
      });
      if (target !== undefined && live) {
        // hls.js starts a live playlist no earlier than its live edge fragment, whatever start it
        // is given, and seeks there once the first fragment is buffered. Right after that (this
        // listener runs after hls.js's own), seek back to the instant asked for; the fragments'
        // times are exact by then.
        const correct = (_ev, data) => {
          if (data.frag?.type !== 'main') return;
          hls.off(window.Hls.Events.FRAG_BUFFERED, correct);
          const details = hls.latestLevelDetails;
          const pos = details ? positionOf(details.fragments, target) : -1;
          if (pos >= 0 && Math.abs(video.currentTime - pos) > 0.5) video.currentTime = pos;
        };
        hls.on(window.Hls.Events.FRAG_BUFFERED, correct);
      }
      hls.on(window.Hls.Events.ERROR, (_ev, data) => {
        if (!data.fatal) return;
        const hint = isHevc(codecs) && !browserPlaysHevc() ? ' This recording is H.265, which this browser cannot decode.' : '';
        this.#showError(`playback failed: ${data.details}.${hint}`);
      });
      hls.loadSource(src);
      hls.attachMedia(video);
    } else if (video.canPlayType('application/vnd.apple.mpegurl')) {
      // Safari plays HLS natively and maps PROGRAM-DATE-TIME through getStartDate()
      this.#native = true;
      video.src = src;
      video.addEventListener(
        'loadedmetadata',
        () => {
          const start = video.getStartDate?.().getTime();
          if (target !== undefined && Number.isFinite(start)) video.currentTime = Math.max(0, (target - start) / 1000);
        },
        { once: true },
      );
    } else {
      this.#showError('This browser supports neither Media Source Extensions nor native HLS.');
      return;
    }
    video.play().catch(() => {
      /* refused until the page is used: the play button remains */
    });
    this.#tick();
  }

  /** Wall-clock time (Unix ms) of the frame shown, when known. */
  clockMs() {
    const v = this.#els.video;
    if (this.#hls) {
      const d = this.#hls.playingDate;
      if (d && v.readyState >= 1) return d.getTime();
      return undefined;
    }
    if (this.#native) {
      const start = v.getStartDate?.().getTime();
      return Number.isFinite(start) ? start + v.currentTime * 1000 : undefined;
    }
    return undefined;
  }

  #tick() {
    const { video, clock, playPause, mute, liveBadge } = this.#els;
    playPause.textContent = video.paused ? '▶ play' : '❚❚ pause';
    mute.textContent = video.muted ? 'unmute' : 'mute';
    const ms = this.clockMs();
    if (ms === undefined) {
      clock.textContent = this.#target !== undefined ? `opening ${clockDateTime(this.#target)}…` : this.current ? 'opening live…' : '';
      clock.title = '';
      delete clock.dataset.ms;
    } else {
      clock.textContent = clockDateTime(ms);
      clock.title = utcTime(ms);
      clock.dataset.ms = String(Math.round(ms));
    }
    const behind = ms === undefined ? Infinity : Date.now() - ms;
    liveBadge.hidden = !(this.current?.live && behind < 30_000 && !this.cameraOffline);
    this.#els.goLive.hidden = !this.#canGoLive || !liveBadge.hidden || this.cameraOffline;
    this.onClock?.(this.current?.asset, ms);
  }

  #showCodecNotice(codecs) {
    const box = this.#els.hevcNotice;
    const show = isHevc(codecs) && !browserPlaysHevc();
    box.hidden = !show;
    if (show)
      box.textContent =
        'This recording is H.265 (HEVC), which this browser cannot decode: try Safari, Edge, or Chrome with hardware HEVC decoding, or export it.';
  }

  #showError(text) {
    this.#els.error.hidden = false;
    this.#els.error.textContent = text;
  }
}

/** Media position (s) of a wall-clock instant in hls.js fragments (programDateTime in ms). */
function positionOf(fragments, atMs) {
  const withDate = fragments.filter((f) => Number.isFinite(f.programDateTime));
  if (!withDate.length) return -1;
  const inside = withDate.find((f) => f.programDateTime <= atMs && atMs < f.programDateTime + f.duration * 1000);
  if (inside) return inside.start + (atMs - inside.programDateTime) / 1000;
  // in a hole or outside the window: the next recorded instant, else the end
  const next = withDate.find((f) => f.programDateTime > atMs);
  return next ? next.start : withDate.at(-1).start;
}
