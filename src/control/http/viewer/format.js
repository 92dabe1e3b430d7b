// Times as a person reads them: wall clock in the browser's time zone, UTC only where asked
// (hover titles). One label scheme for the whole axis.

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Tick steps, smallest first; the axis uses the first that keeps it to a handful of labels. */
const STEPS = [
  SECOND,
  2 * SECOND,
  5 * SECOND,
  10 * SECOND,
  15 * SECOND,
  30 * SECOND,
  MINUTE,
  2 * MINUTE,
  5 * MINUTE,
  10 * MINUTE,
  15 * MINUTE,
  30 * MINUTE,
  HOUR,
  2 * HOUR,
  3 * HOUR,
  6 * HOUR,
  12 * HOUR,
  DAY,
];

const two = (n) => String(n).padStart(2, '0');

/** "14:32:05" in the browser's time zone. */
export function clockTime(ms) {
  const d = new Date(ms);
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

/** "2026-12-07" in the browser's time zone. */
export function localDay(ms) {
  const d = new Date(ms);
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())}`;
}

/** "2026-12-07 14:32:05" in the browser's time zone. */
export function clockDateTime(ms) {
  return `${localDay(ms)} ${clockTime(ms)}`;
}

/** "2026-12-07 13:32:05.250 UTC", for hover titles. */
export function utcTime(ms) {
  return `${new Date(ms).toISOString().replace('T', ' ').replace('Z', '')} UTC`;
}

/** The browser's time zone name, for the legend ("times in Europe/Paris"). */
export function zoneName() {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'local time';
}

/** A duration as "1 h 5 min", "3 min 20 s", "12 s". */
export function duration(ms) {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/** Local midnight of the day that holds `ms`. */
export function startOfLocalDay(ms) {
  const d = new Date(ms);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

/** Local midnight of a "YYYY-MM-DD" day (as an <input type=date> gives it). */
export function parseLocalDay(text) {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return undefined;
  return new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3])).getTime();
}

/**
 * Ticks for [from, to): round local times, at most about `maxTicks`, each with its label.
 * Labels show seconds only when the step is under a minute, and the date where the day changes.
 */
export function axisTicks(from, to, maxTicks = 8) {
  const span = Math.max(1, to - from);
  const step = STEPS.find((s) => span / s <= maxTicks) ?? DAY * Math.ceil(span / DAY / maxTicks);
  // align on local round times: shift by the zone offset, round, shift back
  const offset = (ms) => -new Date(ms).getTimezoneOffset() * MINUTE;
  const ticks = [];
  let t = step >= DAY ? startOfLocalDay(from) + (startOfLocalDay(from) < from ? DAY : 0) : Math.ceil((from + offset(from)) / step) * step - offset(from);
  let lastDay = '';
  for (let i = 0; t < to && i < 100; i++) {
    const day = localDay(t);
    const time = step < MINUTE ? clockTime(t) : clockTime(t).slice(0, 5);
    const label = step >= DAY ? day : day !== lastDay && i > 0 ? `${day.slice(5)} ${time}` : time;
    ticks.push({ ms: t, label });
    lastDay = day;
    t = step >= DAY ? startOfLocalDay(t + DAY + HOUR) : t + step;
  }
  return ticks;
}
