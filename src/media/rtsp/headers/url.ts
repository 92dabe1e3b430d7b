// URLs in RTSP: where SETUP for a track goes (Content-Base + a=control), and how a URL is
// shown in logs and errors (never with userinfo or password-like query parameters).

/**
 * The base for relative a=control values: Content-Base, else Content-Location, else the
 * DESCRIBE request URL (RFC 2326 C.1.1). Credentials are never part of a base.
 */
export function controlBase(requestUrl: string, contentBase?: string, contentLocation?: string): string {
  const pick = (contentBase ?? '').trim() || (contentLocation ?? '').trim() || requestUrl;
  return stripUserinfo(pick);
}

/**
 * Resolves an a=control value against the base. Absolute URLs are used as they are; `*` or
 * no control means the base itself; a relative control is appended after the whole base
 * (query string included), with a slash between unless the base already ends with one or
 * the control starts with `?` — what cameras expect, and what ffmpeg and gortsplib do, rather
 * than RFC 3986 resolution, which would drop the last path segment.
 */
export function resolveControlUrl(base: string, control: string | undefined): string {
  const c = (control ?? '').trim();
  if (c === '' || c === '*') return base;
  if (/^rtsps?:\/\//i.test(c)) return stripUserinfo(c);
  if (c.startsWith('?') || base.endsWith('/')) return base + c;
  return `${base}/${c}`;
}

export function stripUserinfo(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1');
}

const secretParams = /([?&;](?:password|passwd|pass|pwd|sig|token|auth|key)=)[^&;#]*/gi;

/** The URL with any userinfo replaced by `***` and password-like query values hidden. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/?#]*@/i, '$1***@').replace(secretParams, '$1***');
}

/** Removes every occurrence of the given secrets from free text (error messages from peers). */
export function redactText(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^@\s/?#]*@/gi, '$1***@').replace(secretParams, '$1***');
  for (const s of secrets) if (s && s.length > 0) out = out.split(s).join('***');
  return out;
}

export interface RtspUrlParts {
  readonly secure: boolean;
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  /** The URL without userinfo, as sent on the wire. */
  readonly url: string;
}

/** Splits an rtsp:// or rtsps:// URL; userinfo is percent-decoded. Throws a redacted TypeError. */
export function parseRtspUrl(url: string): RtspUrlParts {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new TypeError(`invalid RTSP URL ${redactUrl(url)}`);
  }
  const scheme = u.protocol.toLowerCase();
  if (scheme !== 'rtsp:' && scheme !== 'rtsps:') throw new TypeError(`not an rtsp:// URL: ${redactUrl(url)}`);
  const secure = scheme === 'rtsps:';
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const port = u.port === '' ? (secure ? 322 : 554) : Number(u.port);
  const username = u.username === '' ? undefined : decodeURIComponent(u.username);
  const password = u.password === '' ? undefined : decodeURIComponent(u.password);
  return {
    secure,
    host,
    port,
    url: stripUserinfo(url),
    ...(username !== undefined ? { username } : {}),
    ...(password !== undefined ? { password } : {}),
  };
}

/**
 * Where credentials belong: scheme, host and port (`rtsp://camera:554`), lower-case, the
 * default port made explicit. Credentials given for one origin are never sent to another.
 */
export function rtspOrigin(p: Pick<RtspUrlParts, 'secure' | 'host' | 'port'>): string {
  const host = p.host.toLowerCase();
  return `${p.secure ? 'rtsps' : 'rtsp'}://${host.includes(':') ? `[${host}]` : host}:${p.port}`;
}

/** The origin of an rtsp:// or rtsps:// URL (throws like parseRtspUrl). */
export function rtspOriginOf(url: string): string {
  return rtspOrigin(parseRtspUrl(url));
}
