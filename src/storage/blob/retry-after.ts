// Storage says how long to wait when it throttles (503 ServerBusy, 429, 500 with
// `Retry-After`); retrying sooner only prolongs the throttling. These read that header from a
// failed call (the SDK's RestError, possibly wrapped as the `cause` of a BlobStoreError).

/** Longest wait honoured: a hostile or broken header must not park an uploader for a day. */
export const MAX_RETRY_AFTER_MS = 5 * 60_000;

/** `Retry-After` as delay-seconds or an HTTP date, in ms from `nowMs`; undefined if unusable. */
export function parseRetryAfterMs(value: string | undefined | null, nowMs = Date.now()): number | undefined {
  if (value === undefined || value === null) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Math.min(Number(text) * 1000, MAX_RETRY_AFTER_MS);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.min(Math.max(0, at - nowMs), MAX_RETRY_AFTER_MS);
}

interface HeadersLike {
  get(name: string): string | undefined | null;
}

function headersOf(e: unknown): HeadersLike | undefined {
  const headers = (e as { response?: { headers?: unknown } } | null)?.response?.headers;
  return headers && typeof (headers as HeadersLike).get === 'function' ? (headers as HeadersLike) : undefined;
}

/** The Retry-After of a failed storage call (or of its cause), in ms. */
export function retryAfterMs(e: unknown, nowMs = Date.now()): number | undefined {
  for (let err = e, depth = 0; err && depth < 4; err = (err as { cause?: unknown }).cause, depth++) {
    const h = headersOf(err);
    const ms = parseRetryAfterMs(h?.get('retry-after'), nowMs);
    if (ms !== undefined) return ms;
  }
  return undefined;
}

/** The delay before the next attempt: our backoff, or longer if storage asked for longer. */
export function delayBeforeRetry(e: unknown, backoffMs: number, nowMs = Date.now()): number {
  return Math.max(backoffMs, retryAfterMs(e, nowMs) ?? 0);
}
