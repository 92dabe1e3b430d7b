// Transport header (RFC 2326 §12.39): `RTP/AVP/TCP;unicast;interleaved=0-1` and friends.
// A request may list alternatives separated by commas; a response carries one.
import { RtspParseError } from '../errors.ts';

export interface TransportSpec {
  /** `RTP/AVP`, `RTP/AVP/UDP` or `RTP/AVP/TCP` (also `RTP/SAVP…`, kept verbatim). */
  readonly protocol: string;
  readonly lowerTransport: 'UDP' | 'TCP';
  readonly delivery?: 'unicast' | 'multicast';
  readonly interleaved?: readonly [number, number];
  readonly clientPort?: readonly [number, number];
  readonly serverPort?: readonly [number, number];
  /** 32-bit SSRC as an unsigned number. */
  readonly ssrc?: number;
  readonly mode?: string;
  readonly destination?: string;
  readonly source?: string;
  readonly ttl?: number;
  /** Parameters we do not interpret, kept for round trips. */
  readonly other?: readonly string[];
}

function range(name: string, v: string): readonly [number, number] {
  const m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(v.trim());
  if (!m) throw new RtspParseError('bad-transport', `bad ${name} "${v.slice(0, 30)}"`);
  const a = Number(m[1]);
  const b = m[2] === undefined ? a + 1 : Number(m[2]);
  if (a > 65535 || b > 65535) throw new RtspParseError('bad-transport', `${name} out of range`);
  return [a, b];
}

export function parseTransportSpec(text: string): TransportSpec {
  const parts = text
    .split(';')
    .map((p) => p.trim())
    .filter((p) => p.length > 0);
  const protocol = parts.shift();
  if (protocol === undefined || !/^RTP\/S?AVPF?(\/(UDP|TCP))?$/i.test(protocol)) {
    throw new RtspParseError('bad-transport', `unsupported transport protocol "${(protocol ?? '').slice(0, 30)}"`);
  }
  const lowerTransport = /\/TCP$/i.test(protocol) ? 'TCP' : 'UDP';
  const spec: {
    -readonly [K in keyof TransportSpec]: TransportSpec[K];
  } = { protocol, lowerTransport };
  const other: string[] = [];
  for (const p of parts) {
    const eq = p.indexOf('=');
    const key = (eq < 0 ? p : p.slice(0, eq)).trim().toLowerCase();
    const value =
      eq < 0
        ? ''
        : p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, '');
    switch (key) {
      case 'unicast':
      case 'multicast':
        spec.delivery = key;
        break;
      case 'interleaved':
        spec.interleaved = range(key, value);
        break;
      case 'client_port':
        spec.clientPort = range(key, value);
        break;
      case 'server_port':
        spec.serverPort = range(key, value);
        break;
      case 'ssrc': {
        // Hex per RFC 2326; a few servers send decimal with more than 8 digits.
        if (/^[0-9a-f]{1,8}$/i.test(value)) spec.ssrc = Number.parseInt(value, 16);
        else if (/^\d{9,10}$/.test(value) && Number(value) <= 0xffffffff) spec.ssrc = Number(value);
        else throw new RtspParseError('bad-transport', `bad ssrc "${value.slice(0, 20)}"`);
        break;
      }
      case 'mode':
        spec.mode = value.toUpperCase();
        break;
      case 'destination':
        spec.destination = value;
        break;
      case 'source':
        spec.source = value;
        break;
      case 'ttl': {
        const n = Number.parseInt(value, 10);
        if (!Number.isFinite(n)) throw new RtspParseError('bad-transport', 'bad ttl');
        spec.ttl = n;
        break;
      }
      default:
        other.push(p);
    }
  }
  if (other.length > 0) spec.other = other;
  return spec;
}

/** All alternatives of a Transport header value. */
export function parseTransport(value: string): TransportSpec[] {
  const specs = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(parseTransportSpec);
  if (specs.length === 0) throw new RtspParseError('bad-transport', 'empty Transport header');
  return specs;
}

export function formatTransport(spec: TransportSpec): string {
  const parts: string[] = [spec.protocol];
  if (spec.delivery) parts.push(spec.delivery);
  if (spec.destination !== undefined) parts.push(`destination=${spec.destination}`);
  if (spec.source !== undefined) parts.push(`source=${spec.source}`);
  if (spec.interleaved) parts.push(`interleaved=${spec.interleaved[0]}-${spec.interleaved[1]}`);
  if (spec.clientPort) parts.push(`client_port=${spec.clientPort[0]}-${spec.clientPort[1]}`);
  if (spec.serverPort) parts.push(`server_port=${spec.serverPort[0]}-${spec.serverPort[1]}`);
  if (spec.ttl !== undefined) parts.push(`ttl=${spec.ttl}`);
  if (spec.ssrc !== undefined) parts.push(`ssrc=${(spec.ssrc >>> 0).toString(16).toUpperCase().padStart(8, '0')}`);
  if (spec.mode !== undefined) parts.push(`mode=${spec.mode}`);
  for (const o of spec.other ?? []) parts.push(o);
  return parts.join(';');
}
