// Small value parsers for the sink's LVA-style string properties.

/** ISO-8601 duration with days, hours, minutes and (fractional) seconds, e.g. PT60S, PT1M30S, P1DT2H. */
export function parseIsoDurationMs(text: unknown): number | undefined {
  if (typeof text !== 'string') return undefined;
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(text.trim());
  if (!m || text.trim().toUpperCase() === 'P' || /T$/i.test(text.trim())) return undefined;
  const [, d, h, mi, s] = m;
  return Math.round((((Number(d ?? 0) * 24 + Number(h ?? 0)) * 60 + Number(mi ?? 0)) * 60 + Number(s ?? 0)) * 1000);
}

export function parsePositiveInteger(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) && n >= 1 ? n : undefined;
}

/** LVA's ${System.*} variables, for patterns that reach the node still unresolved. */
export function resolveSystemVariables(pattern: string, ctx: { topologyName: string; instanceName: string }, now = new Date()): string {
  const dateTime = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}Z$/, 'Z');
  return pattern.replace(/\$\{\s*System\.(\w+)\s*\}/gi, (whole, name: string) => {
    switch (name.toLowerCase()) {
      case 'graphtopologyname':
        return ctx.topologyName;
      case 'graphinstancename':
        return ctx.instanceName;
      case 'datetime':
        return dateTime;
      default:
        return whole;
    }
  });
}

/** Exponential backoff with jitter in [½, 1] of the step, capped. attempt starts at 1. */
export function backoffMs(attempt: number, baseMs: number, capMs: number, random = Math.random): number {
  const step = Math.min(capMs, baseMs * 2 ** Math.min(30, Math.max(0, attempt - 1)));
  return Math.round(step * (0.5 + random() / 2));
}
