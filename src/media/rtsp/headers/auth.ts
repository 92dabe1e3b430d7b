// WWW-Authenticate and Authorization (RFC 2617, RFC 7616): Basic and Digest with MD5 or
// SHA-256, with or without qop=auth. Pure functions; the client keeps the nonce count.
import { createHash, randomBytes } from 'node:crypto';
import { RtspParseError } from '../errors.ts';

export interface AuthChallenge {
  /** Lower-case scheme: `basic`, `digest`, or whatever the server named. */
  readonly scheme: string;
  /** Lower-case parameter names, unquoted values. */
  readonly params: Readonly<Record<string, string>>;
}

export type DigestAlgorithm = 'MD5' | 'MD5-sess' | 'SHA-256' | 'SHA-256-sess';

/** Parses one or more WWW-Authenticate header values; one value may hold several challenges. */
export function parseWwwAuthenticate(values: readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const v of values) out.push(...parseChallengeList(v));
  return out;
}

function parseChallengeList(text: string): AuthChallenge[] {
  const out: { scheme: string; params: Record<string, string> }[] = [];
  let i = 0;
  const n = text.length;
  const skipSpace = () => {
    while (i < n && (text[i] === ' ' || text[i] === '\t' || text[i] === ',')) i++;
  };
  const token = () => {
    const s = i;
    while (i < n && /[!#$%&'*+\-.^_`|~0-9A-Za-z]/.test(text[i] as string)) i++;
    return text.slice(s, i);
  };
  while (i < n) {
    skipSpace();
    if (i >= n) break;
    const t = token();
    if (t === '') throw new RtspParseError('bad-auth-header', 'malformed WWW-Authenticate');
    while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
    if (text[i] === '=') {
      // A parameter of the current challenge.
      const cur = out[out.length - 1];
      if (!cur) throw new RtspParseError('bad-auth-header', 'WWW-Authenticate parameter before a scheme');
      i++;
      while (i < n && (text[i] === ' ' || text[i] === '\t')) i++;
      let value = '';
      if (text[i] === '"') {
        i++;
        while (i < n && text[i] !== '"') {
          if (text[i] === '\\' && i + 1 < n) i++;
          value += text[i];
          i++;
        }
        if (i >= n) throw new RtspParseError('bad-auth-header', 'unterminated quoted string in WWW-Authenticate');
        i++;
      } else {
        const s = i;
        while (i < n && text[i] !== ',' && text[i] !== ' ' && text[i] !== '\t') i++;
        value = text.slice(s, i);
      }
      cur.params[t.toLowerCase()] = value;
    } else {
      out.push({ scheme: t.toLowerCase(), params: {} });
    }
  }
  return out;
}

function algorithmOf(c: AuthChallenge): DigestAlgorithm | undefined {
  const a = (c.params.algorithm ?? 'MD5').toUpperCase();
  if (a === 'MD5') return 'MD5';
  if (a === 'MD5-SESS') return 'MD5-sess';
  if (a === 'SHA-256') return 'SHA-256';
  if (a === 'SHA-256-SESS') return 'SHA-256-sess';
  return undefined;
}

/** Digest over Basic; among Digest, SHA-256 over MD5 (RFC 7616 §3.7). Unknown schemes never. */
export function chooseChallenge(challenges: readonly AuthChallenge[]): AuthChallenge | undefined {
  const rank = (c: AuthChallenge): number => {
    if (c.scheme === 'digest') {
      const alg = algorithmOf(c);
      if (alg === undefined || c.params.nonce === undefined) return -1;
      const qop = c.params.qop;
      if (
        qop !== undefined &&
        !qop
          .split(',')
          .map((q) => q.trim())
          .includes('auth')
      )
        return -1;
      return alg.startsWith('SHA-256') ? 3 : 2;
    }
    if (c.scheme === 'basic') return 1;
    return -1;
  };
  let best: AuthChallenge | undefined;
  let bestRank = 0;
  for (const c of challenges) {
    const r = rank(c);
    if (r > bestRank) {
      best = c;
      bestRank = r;
    }
  }
  return best;
}

function hash(alg: DigestAlgorithm, s: string): string {
  return createHash(alg.startsWith('SHA-256') ? 'sha256' : 'md5')
    .update(s, 'utf8')
    .digest('hex');
}

export interface DigestInput {
  readonly algorithm: DigestAlgorithm;
  readonly username: string;
  readonly password: string;
  readonly realm: string;
  readonly nonce: string;
  readonly method: string;
  readonly uri: string;
  /** Present for qop=auth. */
  readonly qop?: 'auth';
  readonly nc?: number;
  readonly cnonce?: string;
}

export function digestResponse(d: DigestInput): string {
  let ha1 = hash(d.algorithm, `${d.username}:${d.realm}:${d.password}`);
  if (d.algorithm.endsWith('-sess')) ha1 = hash(d.algorithm, `${ha1}:${d.nonce}:${d.cnonce ?? ''}`);
  const ha2 = hash(d.algorithm, `${d.method}:${d.uri}`);
  if (d.qop === 'auth') {
    return hash(d.algorithm, `${ha1}:${d.nonce}:${formatNc(d.nc ?? 1)}:${d.cnonce ?? ''}:auth:${ha2}`);
  }
  return hash(d.algorithm, `${ha1}:${d.nonce}:${ha2}`);
}

function formatNc(nc: number): string {
  return (nc >>> 0).toString(16).padStart(8, '0');
}

function quote(s: string): string {
  return `"${s.replace(/["\\]/g, '\\$&')}"`;
}

export interface Credentials {
  readonly username: string;
  readonly password: string;
}

/** The Authorization header value answering a challenge for one request. */
export function buildAuthorization(
  challenge: AuthChallenge,
  creds: Credentials,
  method: string,
  uri: string,
  nc = 1,
  cnonce: string = randomBytes(8).toString('hex'),
): string {
  if (challenge.scheme === 'basic') {
    return `Basic ${Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64')}`;
  }
  const algorithm = algorithmOf(challenge);
  if (challenge.scheme !== 'digest' || algorithm === undefined) {
    throw new Error(`unsupported authentication scheme ${challenge.scheme}`);
  }
  const realm = challenge.params.realm ?? '';
  const nonce = challenge.params.nonce ?? '';
  const qop = challenge.params.qop !== undefined ? 'auth' : undefined;
  const response = digestResponse({
    algorithm,
    username: creds.username,
    password: creds.password,
    realm,
    nonce,
    method,
    uri,
    ...(qop ? { qop, nc, cnonce } : {}),
  });
  const parts = [`username=${quote(creds.username)}`, `realm=${quote(realm)}`, `nonce=${quote(nonce)}`, `uri=${quote(uri)}`, `response=${quote(response)}`];
  if (challenge.params.algorithm !== undefined) parts.push(`algorithm=${challenge.params.algorithm}`);
  if (qop) parts.push(`qop=auth`, `nc=${formatNc(nc)}`, `cnonce=${quote(cnonce)}`);
  if (challenge.params.opaque !== undefined) parts.push(`opaque=${quote(challenge.params.opaque)}`);
  return `Digest ${parts.join(', ')}`;
}

/** Parses an Authorization header (server side). */
export function parseAuthorization(value: string): AuthChallenge {
  const list = parseChallengeList(value.trim().replace(/^basic\s+(\S+)$/i, 'Basic token="$1"'));
  const first = list[0];
  if (!first) throw new RtspParseError('bad-auth-header', 'empty Authorization');
  return first;
}

export function formatChallenge(c: AuthChallenge): string {
  const params = Object.entries(c.params).map(([k, v]) => (k === 'algorithm' || k === 'stale' ? `${k}=${v}` : `${k}=${quote(v)}`));
  const scheme = c.scheme === 'digest' ? 'Digest' : c.scheme === 'basic' ? 'Basic' : c.scheme;
  return params.length > 0 ? `${scheme} ${params.join(', ')}` : scheme;
}

/**
 * Server side: checks an Authorization value against known credentials for a method. For
 * Digest, `nonceOk` says whether the nonce is one the server issued and still accepts.
 */
export function verifyAuthorization(
  value: string | undefined,
  creds: Credentials,
  method: string,
  nonceOk: (nonce: string) => boolean,
): 'ok' | 'missing' | 'bad' | 'stale' {
  if (value === undefined) return 'missing';
  let a: AuthChallenge;
  try {
    a = parseAuthorization(value);
  } catch {
    return 'bad';
  }
  if (a.scheme === 'basic') {
    const expected = Buffer.from(`${creds.username}:${creds.password}`, 'utf8').toString('base64');
    return a.params.token === expected ? 'ok' : 'bad';
  }
  if (a.scheme !== 'digest') return 'bad';
  const p = a.params;
  const algorithm = algorithmOf({ scheme: 'digest', params: p });
  if (algorithm === undefined || p.username !== creds.username || p.nonce === undefined || p.uri === undefined) return 'bad';
  const qop = p.qop === 'auth' ? 'auth' : undefined;
  const expected = digestResponse({
    algorithm,
    username: creds.username,
    password: creds.password,
    realm: p.realm ?? '',
    nonce: p.nonce,
    method,
    uri: p.uri,
    ...(qop ? { qop, nc: Number.parseInt(p.nc ?? '1', 16), cnonce: p.cnonce ?? '' } : {}),
  });
  if (expected !== p.response) return 'bad';
  return nonceOk(p.nonce) ? 'ok' : 'stale';
}
