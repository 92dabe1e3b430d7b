// ISO-8601 durations as LVA uses them (`PT30S`, `PT5M`, `-PT5S`, `PT0.5S`), in milliseconds.
// Years and months have no fixed length, so they are refused rather than guessed.
const DURATION = /^([+-])?P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;

export function parseIsoDuration(text: string): number | undefined {
  const m = DURATION.exec(text.trim());
  if (!m || /T$/i.test(text.trim()) || text.trim().replace(/^[+-]/, '').toUpperCase() === 'P') return undefined;
  const [, sign, w, d, h, min, s] = m;
  const ms =
    Number(w ?? 0) * 604_800_000 +
    Number(d ?? 0) * 86_400_000 +
    Number(h ?? 0) * 3_600_000 +
    Number(min ?? 0) * 60_000 +
    Number(s ?? 0) * 1000;
  return Math.round(sign === '-' ? -ms : ms);
}

export function formatIsoDuration(ms: number): string {
  const sign = ms < 0 ? '-' : '';
  let rest = Math.abs(ms);
  const h = Math.floor(rest / 3_600_000);
  rest -= h * 3_600_000;
  const m = Math.floor(rest / 60_000);
  rest -= m * 60_000;
  const s = rest / 1000;
  return `${sign}PT${h ? `${h}H` : ''}${m ? `${m}M` : ''}${s || (!h && !m) ? `${s}S` : ''}`;
}
