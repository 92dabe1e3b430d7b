// SDP (RFC 8866) as RTSP cameras send it in DESCRIBE answers: the session part and the
// media parts with what a receiver needs (payload types, rtpmap, fmtp, control, framerate).
// Lenient where cameras are sloppy (bare LF, trailing spaces, unknown lines), strict where
// a wrong guess would break decoding (m= and a=rtpmap syntax).
import { SdpParseError } from './errors.ts';

export interface SdpConnection {
  readonly netType: string;
  readonly addrType: string;
  readonly address: string;
}

export interface SdpRtpMap {
  readonly payloadType: number;
  /** Encoding name as sent (`H264`, `H265`, `mpeg4-generic`, `PCMU`, …). */
  readonly encoding: string;
  readonly clockRate: number;
  /** Channels for audio (`/2`), when given. */
  readonly channels?: number;
}

export interface SdpMedia {
  readonly type: string;
  readonly port: number;
  readonly protocol: string;
  readonly formats: readonly number[];
  /** By payload type. */
  readonly rtpmap: ReadonlyMap<number, SdpRtpMap>;
  /** By payload type: fmtp parameters with lower-case names. */
  readonly fmtp: ReadonlyMap<number, Readonly<Record<string, string>>>;
  readonly control?: string;
  readonly framerate?: number;
  readonly connection?: SdpConnection;
  /** `b=` lines: type → kbit/s. */
  readonly bandwidth: Readonly<Record<string, number>>;
  /** Every a= line in order, name → value ('' for flags). */
  readonly attributes: readonly (readonly [string, string])[];
}

export interface SessionDescription {
  readonly version: number;
  readonly origin?: string;
  readonly sessionName?: string;
  readonly connection?: SdpConnection;
  readonly bandwidth: Readonly<Record<string, number>>;
  readonly control?: string;
  readonly range?: string;
  readonly attributes: readonly (readonly [string, string])[];
  readonly media: readonly SdpMedia[];
}

export interface SdpParseOptions {
  readonly maxBytes?: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });

export function parseSdp(input: string | Uint8Array, opts: SdpParseOptions = {}): SessionDescription {
  const maxBytes = opts.maxBytes ?? 256 * 1024;
  if (input.length > maxBytes) throw new SdpParseError('too-large', `SDP larger than ${maxBytes} bytes`);
  const text = typeof input === 'string' ? input : utf8.decode(input);
  const lines = text.split(/\r?\n|\r/);
  let version: number | undefined;
  let origin: string | undefined;
  let sessionName: string | undefined;
  let connection: SdpConnection | undefined;
  const bandwidth: Record<string, number> = {};
  const attributes: [string, string][] = [];
  const media: MediaBuilder[] = [];
  let cur: MediaBuilder | undefined;

  for (let i = 0; i < lines.length; i++) {
    const line = (lines[i] as string).trim();
    if (line.length === 0) continue;
    const lineNo = i + 1;
    if (line.length < 2 || line[1] !== '=' || !/[a-z]/.test(line[0] as string)) {
      throw new SdpParseError('bad-line', `not an SDP line "${line.slice(0, 30)}"`, lineNo);
    }
    const type = line[0] as string;
    const value = line.slice(2).trim();
    switch (type) {
      case 'v':
        if (value !== '0') throw new SdpParseError('bad-version', `unsupported SDP version "${value.slice(0, 10)}"`, lineNo);
        version = 0;
        break;
      case 'o':
        if (!cur) origin = value;
        break;
      case 's':
        if (!cur) sessionName = value;
        break;
      case 'c': {
        const c = parseConnection(value, lineNo);
        if (cur) cur.connection = c;
        else connection = c;
        break;
      }
      case 'b': {
        const m = /^([A-Za-z0-9_-]+):(\d{1,10})$/.exec(value);
        if (m) (cur ? cur.bandwidth : bandwidth)[m[1] as string] = Number(m[2]);
        break;
      }
      case 'm':
        cur = parseMediaLine(value, lineNo);
        media.push(cur);
        break;
      case 'a': {
        const colon = value.indexOf(':');
        const name = colon < 0 ? value : value.slice(0, colon);
        const v = colon < 0 ? '' : value.slice(colon + 1).trim();
        if (cur) addMediaAttribute(cur, name, v, lineNo);
        else attributes.push([name, v]);
        break;
      }
      default:
        break; // t=, i=, u=, e=, p=, z=, k=, r= carry nothing a receiver needs
    }
  }
  if (version === undefined) throw new SdpParseError('bad-version', 'SDP without v=0');
  const attr = (n: string) => attributes.find(([k]) => k.toLowerCase() === n)?.[1];
  const control = attr('control');
  const range = attr('range');
  return {
    version,
    ...(origin !== undefined ? { origin } : {}),
    ...(sessionName !== undefined ? { sessionName } : {}),
    ...(connection ? { connection } : {}),
    bandwidth,
    ...(control !== undefined ? { control } : {}),
    ...(range !== undefined ? { range } : {}),
    attributes,
    media: media.map(finishMedia),
  };
}

interface MediaBuilder {
  type: string;
  port: number;
  protocol: string;
  formats: number[];
  rtpmap: Map<number, SdpRtpMap>;
  fmtp: Map<number, Record<string, string>>;
  control?: string;
  framerate?: number;
  connection?: SdpConnection;
  bandwidth: Record<string, number>;
  attributes: [string, string][];
}

function parseConnection(value: string, lineNo: number): SdpConnection {
  const parts = value.split(/\s+/);
  if (parts.length < 3) throw new SdpParseError('bad-line', 'bad c= line', lineNo);
  return { netType: parts[0] as string, addrType: parts[1] as string, address: parts[2] as string };
}

function parseMediaLine(value: string, lineNo: number): MediaBuilder {
  const parts = value.split(/\s+/);
  const [type, portText, protocol, ...fmts] = parts;
  const portMatch = /^(\d{1,5})(?:\/\d+)?$/.exec(portText ?? '');
  if (!type || !portMatch || !protocol) throw new SdpParseError('bad-media', `bad m= line "${value.slice(0, 40)}"`, lineNo);
  const formats: number[] = [];
  for (const f of fmts) {
    // Non-RTP protocols may list non-numeric formats; keep only RTP payload types.
    if (/^\d{1,3}$/.test(f) && Number(f) <= 127) formats.push(Number(f));
    else if (/RTP/i.test(protocol)) throw new SdpParseError('bad-media', `bad payload type "${f.slice(0, 10)}"`, lineNo);
  }
  return { type: type.toLowerCase(), port: Number(portMatch[1]), protocol, formats, rtpmap: new Map(), fmtp: new Map(), bandwidth: {}, attributes: [] };
}

function addMediaAttribute(m: MediaBuilder, name: string, v: string, lineNo: number): void {
  m.attributes.push([name, v]);
  switch (name.toLowerCase()) {
    case 'rtpmap': {
      const r = /^(\d{1,3})\s+([^/\s]+)\/(\d{1,10})(?:\/(\d{1,3}))?\s*$/.exec(v);
      if (!r || Number(r[1]) > 127) throw new SdpParseError('bad-rtpmap', `bad a=rtpmap "${v.slice(0, 40)}"`, lineNo);
      const pt = Number(r[1]);
      const clockRate = Number(r[3]);
      if (clockRate === 0) throw new SdpParseError('bad-rtpmap', 'a=rtpmap with clock rate 0', lineNo);
      m.rtpmap.set(pt, { payloadType: pt, encoding: r[2] as string, clockRate, ...(r[4] !== undefined ? { channels: Number(r[4]) } : {}) });
      break;
    }
    case 'fmtp': {
      const f = /^(\d{1,3})\s*(.*)$/.exec(v);
      if (!f) return; // some cameras send junk fmtp: ignore rather than fail the session
      const params: Record<string, string> = {};
      for (const p of (f[2] as string).split(';')) {
        const t = p.trim();
        if (t.length === 0) continue;
        const eq = t.indexOf('=');
        if (eq < 0) params[t.toLowerCase()] = '';
        else params[t.slice(0, eq).trim().toLowerCase()] = t.slice(eq + 1).trim();
      }
      m.fmtp.set(Number(f[1]), params);
      break;
    }
    case 'control':
      m.control = v;
      break;
    case 'framerate': {
      const n = Number.parseFloat(v);
      if (Number.isFinite(n) && n > 0) m.framerate = n;
      break;
    }
    default:
      break;
  }
}

function finishMedia(m: MediaBuilder): SdpMedia {
  return {
    type: m.type,
    port: m.port,
    protocol: m.protocol,
    formats: m.formats,
    rtpmap: m.rtpmap,
    fmtp: m.fmtp,
    ...(m.control !== undefined ? { control: m.control } : {}),
    ...(m.framerate !== undefined ? { framerate: m.framerate } : {}),
    ...(m.connection ? { connection: m.connection } : {}),
    bandwidth: m.bandwidth,
    attributes: m.attributes,
  };
}

/** The rtpmap of a media's first payload type, with static payload types filled in (RFC 3551). */
export function primaryFormat(m: SdpMedia): SdpRtpMap | undefined {
  const pt = m.formats[0];
  if (pt === undefined) return undefined;
  const r = m.rtpmap.get(pt);
  if (r) return r;
  return STATIC_PAYLOAD_TYPES.get(pt);
}

const STATIC_PAYLOAD_TYPES: ReadonlyMap<number, SdpRtpMap> = new Map([
  [0, { payloadType: 0, encoding: 'PCMU', clockRate: 8000, channels: 1 }],
  [8, { payloadType: 8, encoding: 'PCMA', clockRate: 8000, channels: 1 }],
  [14, { payloadType: 14, encoding: 'MPA', clockRate: 90000 }],
  [26, { payloadType: 26, encoding: 'JPEG', clockRate: 90000 }],
  [32, { payloadType: 32, encoding: 'MPV', clockRate: 90000 }],
  [33, { payloadType: 33, encoding: 'MP2T', clockRate: 90000 }],
]);

/** Writes an SDP (used by our server and simulated camera). */
export function formatSdp(s: {
  origin?: string;
  sessionName?: string;
  connection?: string;
  attributes?: readonly (readonly [string, string])[];
  media: readonly {
    type: string;
    port?: number;
    protocol?: string;
    payloadType: number;
    rtpmap: string;
    fmtp?: string;
    control?: string;
    framerate?: number;
    bandwidthKbps?: number;
  }[];
}): string {
  const lines = ['v=0', `o=${s.origin ?? '- 0 0 IN IP4 127.0.0.1'}`, `s=${s.sessionName ?? 'mediagraph'}`];
  if (s.connection !== undefined) lines.push(`c=${s.connection}`);
  lines.push('t=0 0');
  for (const [k, v] of s.attributes ?? []) lines.push(v === '' ? `a=${k}` : `a=${k}:${v}`);
  for (const m of s.media) {
    lines.push(`m=${m.type} ${m.port ?? 0} ${m.protocol ?? 'RTP/AVP'} ${m.payloadType}`);
    if (m.bandwidthKbps !== undefined) lines.push(`b=AS:${m.bandwidthKbps}`);
    lines.push(`a=rtpmap:${m.payloadType} ${m.rtpmap}`);
    if (m.fmtp !== undefined) lines.push(`a=fmtp:${m.payloadType} ${m.fmtp}`);
    if (m.framerate !== undefined) lines.push(`a=framerate:${m.framerate}`);
    if (m.control !== undefined) lines.push(`a=control:${m.control}`);
  }
  return lines.join('\r\n') + '\r\n';
}
