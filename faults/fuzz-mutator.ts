// A seeded byte mutator for the socket fuzzers: reproducible from (seed, input number), fast
// enough for a million inputs, and biased towards what breaks protocol parsers: numbers at
// their limits, cut or repeated lines, lengths that lie, flipped bits.
export class Rng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0 || 0x9e3779b9;
  }
  /** xorshift32 */
  next(): number {
    let x = this.s;
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    this.s = x;
    return x;
  }
  int(n: number): number {
    return this.next() % Math.max(1, n);
  }
  chance(p: number): boolean {
    return this.next() / 0x100000000 < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.next() & 0xff;
    return b;
  }
}

const EDGE_NUMBERS = [
  '0',
  '-1',
  '1',
  '65535',
  '65536',
  '2147483647',
  '2147483648',
  '4294967295',
  '4294967296',
  '18446744073709551616',
  '99999999999999999999',
  '1e9',
  'NaN',
  '',
  ' ',
  '0x10',
  '-0',
];
const EDGE_TEXT = [
  '\r\n',
  '\r\n\r\n',
  '\n',
  '\r',
  '\0',
  ':',
  ';',
  '=',
  ',',
  '"',
  '$',
  'RTSP/1.0 ',
  'Content-Length: 99999\r\n',
  'CSeq: 1\r\n',
  'Transport: RTP/AVP/TCP;interleaved=255-0\r\n',
  'Session: ;timeout=-5\r\n',
  'm=video 0 RTP/AVP 96\r\n',
  'a=rtpmap:96 H264/0\r\n',
  'a=fmtp:96 sprop-parameter-sets=AAAA,,==\r\n',
  'a=control:\r\n',
  'WWW-Authenticate: Digest realm="x", nonce=""\r\n',
];

function replaceNumber(text: string, rng: Rng): string {
  const nums = [...text.matchAll(/\d+/g)];
  if (nums.length === 0) return text;
  const m = rng.pick(nums);
  return text.slice(0, m.index) + rng.pick(EDGE_NUMBERS) + text.slice(m.index + m[0].length);
}

function mutateLines(text: string, rng: Rng): string {
  const lines = text.split('\r\n');
  const i = rng.int(lines.length);
  switch (rng.int(4)) {
    case 0:
      lines.splice(i, 1);
      break; // drop a line
    case 1:
      lines.splice(i, 0, lines[rng.int(lines.length)] ?? '');
      break; // repeat one
    case 2:
      lines[i] = (lines[i] ?? '').slice(0, rng.int((lines[i] ?? '').length + 1));
      break; // cut one
    default:
      lines.splice(i, 0, rng.pick(EDGE_TEXT).replace(/\r\n$/, ''));
      break;
  }
  return lines.join(rng.chance(0.1) ? '\n' : '\r\n');
}

/** Mutates text (RTSP messages, SDP): number edits, line edits, then maybe byte edits. */
export function mutateText(text: string, rng: Rng): Uint8Array {
  let t = text;
  const n = 1 + rng.int(3);
  for (let i = 0; i < n; i++) t = rng.chance(0.5) ? replaceNumber(t, rng) : mutateLines(t, rng);
  const b = Buffer.from(t, 'latin1');
  return rng.chance(0.3) ? mutateBytes(b, rng) : b;
}

/** Mutates bytes (RTP, RTCP, interleaved frames): flips, overwrites, inserts, cuts, repeats. */
export function mutateBytes(input: Uint8Array, rng: Rng): Uint8Array {
  let b: Uint8Array = Uint8Array.from(input);
  const n = 1 + rng.int(4);
  for (let k = 0; k < n; k++) {
    const len = b.length;
    switch (rng.int(7)) {
      case 0:
        if (len) b[rng.int(len)]! ^= 1 << rng.int(8);
        break;
      case 1:
        if (len) b[rng.int(len)] = rng.pick([0, 0xff, 0x7f, 0x80, 0x24, 0x1c, 0x7c, 0x5c, rng.int(256)]);
        break;
      case 2: {
        const at = rng.int(len + 1);
        b = concat(b.subarray(0, at), rng.bytes(1 + rng.int(16)), b.subarray(at));
        break;
      }
      case 3: {
        const at = rng.int(len + 1);
        b = b.subarray(0, at).slice();
        break;
      }
      case 4: {
        const at = rng.int(len + 1);
        const l = rng.int(Math.min(64, len - at) + 1);
        b = concat(b.subarray(0, at), b.subarray(at, at + l), b.subarray(at));
        break;
      }
      case 5: {
        const at = rng.int(len + 1);
        const l = rng.int(len - at + 1);
        b = concat(b.subarray(0, at), b.subarray(at + l));
        break;
      }
      default:
        if (len >= 2) {
          const at = rng.int(len - 1);
          b[at] = rng.pick([0, 0xff]);
          b[at + 1] = rng.pick([0, 0xff, 1]);
        }
        break;
    }
  }
  return b;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const VALUE_NOISE = [
  '',
  ' ',
  '0',
  '-1',
  '4294967296',
  '99999999999999999999',
  ';;;',
  '=',
  ',,',
  '"',
  '\\',
  '%00',
  'a'.repeat(300),
  '\u00ff\u00fe',
  'RTP/AVP/TCP;interleaved=999-1000',
  'Digest username="',
  'npt=-',
  'timeout=0',
];

/** Keeps the message's framing (start line, CRLFs, blank line) and mutates one header value. */
export function mutateHeaderValue(text: string, rng: Rng): Uint8Array {
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const rest = end < 0 ? '' : text.slice(end);
  const lines = head.split('\r\n');
  if (lines.length < 2) return Buffer.from(text, 'latin1');
  const i = 1 + rng.int(lines.length - 1);
  const line = lines[i]!;
  const colon = line.indexOf(':');
  const value = rng.chance(0.5) ? replaceNumber(line.slice(colon + 1), rng) : rng.pick(VALUE_NOISE);
  lines[i] = `${colon > 0 ? line.slice(0, colon) : 'X-Fuzz'}: ${value}`;
  return Buffer.from(lines.join('\r\n') + rest, 'latin1');
}
