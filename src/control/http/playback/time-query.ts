// LVA's time rules for the discovery API and manifest filters, as pure functions:
// strings in, a window in Unix ms or a typed QueryError out.

export class QueryError extends Error {
  override readonly name = 'QueryError';
  constructor(
    message: string,
    readonly target: string,
  ) {
    super(message);
  }
}

export type Precision = 'year' | 'month' | 'day' | 'full';
export const PRECISIONS: readonly Precision[] = ['year', 'month', 'day', 'full'];

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/**
 * Largest span a query may cover, per precision. LVA documents 12 months for `month` only;
 * `day` allows one year of days (366) and `full` one week, so a viewer can ask for a day or a
 * week of ranges and a full-precision answer stays a few hundred entries at most.
 */
export const MAX_SPAN = {
  year: undefined,
  month: { months: 12 },
  day: { days: 366 },
  full: { ms: 7 * DAY_MS },
} as const;

export interface AvailableMediaQuery {
  readonly precision: Precision;
  /** Unix ms, inclusive; undefined for a `year` query without startTime (first recorded year). */
  readonly fromMs?: number;
  /** Unix ms, exclusive (the end of the last unit named); undefined as above. */
  readonly toMs?: number;
}

const FORMATS: Record<Precision, { re: RegExp; example: string }> = {
  year: { re: /^(\d{4})$/, example: 'YYYY, e.g. 2026' },
  month: { re: /^(\d{4})-(\d{2})$/, example: 'YYYY-MM, e.g. 2026-11' },
  day: { re: /^(\d{4})-(\d{2})-(\d{2})$/, example: 'YYYY-MM-DD, e.g. 2026-11-30' },
  full: {
    re: /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/,
    example: 'an ISO 8601 date-time with a zone, e.g. 2026-11-30T08:00:00Z',
  },
};

/**
 * Date.UTC with the year taken literally: Date.UTC maps years 0–99 to 1900–1999, which made
 * `0050` mean 1950. Month and day may overflow as in Date.UTC.
 */
export function utcDate(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month, day);
  return d.getTime();
}

/** Start of the unit a string names (Unix ms), validating it. */
function unitStart(precision: Precision, value: string, target: string): number {
  const f = FORMATS[precision];
  const m = f.re.exec(value);
  if (!m) throw new QueryError(`${target} "${value}" does not match precision ${precision}: expected ${f.example}`, target);
  if (precision === 'full') {
    const ms = Date.parse(value);
    if (Number.isNaN(ms)) throw new QueryError(`${target} "${value}" is not a valid date-time`, target);
    return ms;
  }
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : 1;
  const d = m[3] ? Number(m[3]) : 1;
  const ms = utcDate(y, mo - 1, d);
  const back = new Date(ms);
  if (mo < 1 || mo > 12 || back.getUTCMonth() !== mo - 1 || back.getUTCDate() !== d) throw new QueryError(`${target} "${value}" is not a valid date`, target);
  return ms;
}

/** Start of the unit after the one containing `ms`. */
export function nextUnit(precision: Precision, ms: number): number {
  const d = new Date(ms);
  switch (precision) {
    case 'year':
      return utcDate(d.getUTCFullYear() + 1, 0, 1);
    case 'month':
      return utcDate(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    case 'day':
      return utcDate(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() + 1);
    case 'full':
      return ms + 1;
  }
}

/** Start of the unit containing `ms`. */
export function unitFloor(precision: Precision, ms: number): number {
  const d = new Date(ms);
  switch (precision) {
    case 'year':
      return utcDate(d.getUTCFullYear(), 0, 1);
    case 'month':
      return utcDate(d.getUTCFullYear(), d.getUTCMonth(), 1);
    case 'day':
      return utcDate(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
    case 'full':
      return ms;
  }
}

/** How a time is written at a precision (`full`: `YYYY-MM-DDThh:mm:ss.sssZ`). */
export function formatAt(precision: Precision, ms: number): string {
  const iso = new Date(ms).toISOString();
  switch (precision) {
    case 'year':
      return iso.slice(0, 4);
    case 'month':
      return iso.slice(0, 7);
    case 'day':
      return iso.slice(0, 10);
    case 'full':
      return iso;
  }
}

/** Parses `precision`, `startTime`, `endTime` of an availableMedia query (LVA's rules). */
export function parseAvailableMediaQuery(q: URLSearchParams): AvailableMediaQuery {
  const raw = q.get('precision');
  if (raw === null || raw === '') throw new QueryError(`precision is required: one of ${PRECISIONS.join(', ')}`, 'precision');
  const precision = raw.toLowerCase() as Precision;
  if (!PRECISIONS.includes(precision)) throw new QueryError(`precision "${raw}" is not one of ${PRECISIONS.join(', ')}`, 'precision');
  const start = q.get('startTime') || undefined;
  const end = q.get('endTime') || undefined;
  if (precision !== 'year' && (start === undefined || end === undefined)) {
    throw new QueryError(
      `startTime and endTime are required with precision ${precision} (only year may omit them)`,
      start === undefined ? 'startTime' : 'endTime',
    );
  }
  const fromMs = start !== undefined ? unitStart(precision, start, 'startTime') : undefined;
  const endUnit = end !== undefined ? unitStart(precision, end, 'endTime') : undefined;
  if (fromMs !== undefined && endUnit !== undefined && fromMs > endUnit) throw new QueryError(`startTime ${start} is after endTime ${end}`, 'startTime');
  // Bounds are inclusive: the end covers its whole unit; a full time is an instant, and media
  // ranges end exclusively, so clipping at it already includes everything up to it.
  const toMs = endUnit !== undefined ? (precision === 'full' ? endUnit : nextUnit(precision, endUnit)) : undefined;
  if (fromMs !== undefined && endUnit !== undefined) {
    if (precision === 'month') {
      const a = new Date(fromMs),
        b = new Date(endUnit);
      const months = (b.getUTCFullYear() - a.getUTCFullYear()) * 12 + b.getUTCMonth() - a.getUTCMonth() + 1;
      if (months > MAX_SPAN.month.months)
        throw new QueryError(`the span is ${months} months; precision month allows at most ${MAX_SPAN.month.months}`, 'endTime');
    } else if (precision === 'day') {
      const days = Math.round((endUnit - fromMs) / DAY_MS) + 1;
      if (days > MAX_SPAN.day.days) throw new QueryError(`the span is ${days} days; precision day allows at most ${MAX_SPAN.day.days}`, 'endTime');
    } else if (precision === 'full') {
      if (endUnit - fromMs > MAX_SPAN.full.ms)
        throw new QueryError(
          `the span is ${((endUnit - fromMs) / HOUR_MS).toFixed(1)} hours; precision full allows at most ${MAX_SPAN.full.ms / HOUR_MS} hours`,
          'endTime',
        );
    }
  }
  return { precision, ...(fromMs !== undefined ? { fromMs } : {}), ...(toMs !== undefined ? { toMs } : {}) };
}

/**
 * Ranges at a precision: each range widens to whole units, and units that touch merge, so
 * `day` lists runs of days with media while `full` keeps every discontinuity.
 */
export function rangesAtPrecision(precision: Precision, ranges: readonly { startMs: number; endMs: number }[]): { start: string; end: string }[] {
  if (precision === 'full') return ranges.map((r) => ({ start: formatAt('full', r.startMs), end: formatAt('full', r.endMs) }));
  const units: { from: number; lastUnit: number }[] = [];
  for (const r of [...ranges].sort((a, b) => a.startMs - b.startMs)) {
    const from = unitFloor(precision, r.startMs);
    // endMs is exclusive: media ending exactly at midnight does not touch the next day.
    const lastUnit = unitFloor(precision, Math.max(r.startMs, r.endMs - 1));
    const prev = units.at(-1);
    if (prev && from <= nextUnit(precision, prev.lastUnit)) prev.lastUnit = Math.max(prev.lastUnit, lastUnit);
    else units.push({ from, lastUnit });
  }
  return units.map((u) => ({ start: formatAt(precision, u.from), end: formatAt(precision, u.lastUnit) }));
}

export const PLAYLIST_DEFAULT_WINDOW_MS = 4 * HOUR_MS;
export const PLAYLIST_MAX_WINDOW_MS = 24 * HOUR_MS;

export interface PlaylistWindow {
  readonly fromMs: number;
  readonly toMs: number;
  /** True when the caller gave an end: the playlist is closed (VoD) whatever is still written. */
  readonly closedByCaller: boolean;
}

function parseInstant(value: string, target: string): number {
  if (!FORMATS.full.re.test(value)) throw new QueryError(`${target} "${value}" is not an ISO 8601 date-time with a zone (e.g. 2026-11-30T08:00:00Z)`, target);
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new QueryError(`${target} "${value}" is not a valid date-time`, target);
  return ms;
}

/**
 * LVA's manifest time filters: none → the most recent 4 h of the recording; start only →
 * from start to now (at most 24 h); end without start → error; both → [start, end], ≤ 24 h.
 */
export function parsePlaylistWindow(q: URLSearchParams, nowMs: number, latestRecordedMs: number | undefined): PlaylistWindow {
  const start = q.get('startTime') || undefined;
  const end = q.get('endTime') || undefined;
  if (start === undefined && end !== undefined) throw new QueryError('endTime requires startTime', 'startTime');
  if (start === undefined) {
    const toMs = latestRecordedMs ?? nowMs;
    return { fromMs: toMs - PLAYLIST_DEFAULT_WINDOW_MS, toMs, closedByCaller: false };
  }
  const fromMs = parseInstant(start, 'startTime');
  const toMs = end !== undefined ? parseInstant(end, 'endTime') : nowMs;
  if (fromMs > toMs)
    throw new QueryError(end !== undefined ? `startTime ${start} is after endTime ${end}` : `startTime ${start} is in the future`, 'startTime');
  if (toMs - fromMs > PLAYLIST_MAX_WINDOW_MS) {
    throw new QueryError(
      `the window is ${((toMs - fromMs) / HOUR_MS).toFixed(1)} hours; a playlist covers at most 24 hours${end === undefined ? ' (without endTime it runs to now)' : ''}`,
      end !== undefined ? 'endTime' : 'startTime',
    );
  }
  return { fromMs, toMs, closedByCaller: end !== undefined };
}
