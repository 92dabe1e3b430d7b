// ISO-8601 durations as LVA uses them (`PT30S`, `PT5M`, `PT1H30M`, `P1D`, `PT0.5S`).
// Years and months are rejected: their length in milliseconds is not fixed.

const ISO_DURATION = /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/;

export class IsoDurationError extends Error {
  override readonly name = 'IsoDurationError';
}

/** Milliseconds in an ISO-8601 duration such as `PT30S`; throws IsoDurationError otherwise. */
export function parseIsoDuration(s: string): number {
  const m = ISO_DURATION.exec(s.trim().toUpperCase());
  if (!m || s.trim().toUpperCase() === 'P' || /T$/i.test(s.trim())) {
    throw new IsoDurationError(`not an ISO-8601 duration (PnDTnHnMnS): ${JSON.stringify(s)}`);
  }
  const [, w, d, h, min, sec] = m;
  const n = (x: string | undefined) => (x === undefined ? 0 : Number(x));
  const ms = (((n(w) * 7 + n(d)) * 24 + n(h)) * 60 + n(min)) * 60_000 + n(sec) * 1000;
  return Math.round(ms);
}
