// Session header (RFC 2326 §12.37): `12345678;timeout=60`. The default timeout is 60 s.
import { RtspParseError } from '../errors.ts';

export interface SessionHeader {
  readonly id: string;
  /** Seconds; undefined when the server did not say (clients then assume 60). */
  readonly timeoutSec?: number;
}

export const DEFAULT_SESSION_TIMEOUT_SEC = 60;

export function parseSession(value: string): SessionHeader {
  const parts = value.split(';').map((p) => p.trim());
  const id = parts.shift() ?? '';
  if (!/^[\x21-\x7e]{1,256}$/.test(id)) throw new RtspParseError('bad-session', 'bad Session id');
  let timeoutSec: number | undefined;
  for (const p of parts) {
    const m = /^timeout\s*=\s*"?(\d{1,9})"?$/i.exec(p);
    if (m) {
      const n = Number(m[1]);
      // A timeout of 0 would mean "keep-alive continuously": treat it as unknown.
      if (n > 0) timeoutSec = n;
    }
  }
  return timeoutSec === undefined ? { id } : { id, timeoutSec };
}

export function formatSession(s: SessionHeader): string {
  return s.timeoutSec === undefined ? s.id : `${s.id};timeout=${s.timeoutSec}`;
}
