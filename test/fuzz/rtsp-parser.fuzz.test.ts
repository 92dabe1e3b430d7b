// Property tests: random and mutated valid input never escapes as anything but a typed
// error, and never hangs. Bounded numRuns keeps each under ~1 s.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RtspStreamParser } from '../../src/media/rtsp/parser.ts';
import { RtspParseError } from '../../src/media/rtsp/errors.ts';
import { serializeInterleaved, serializeResponse } from '../../src/media/rtsp/serialize.ts';
import { parseTransport } from '../../src/media/rtsp/headers/transport.ts';
import { parseSession } from '../../src/media/rtsp/headers/session.ts';
import { parseWwwAuthenticate } from '../../src/media/rtsp/headers/auth.ts';
import { parseRtpInfo } from '../../src/media/rtsp/headers/rtp-info.ts';

const enc = new TextEncoder();
const valid = new Uint8Array([
  ...serializeResponse({
    status: 200,
    headers: [
      ['CSeq', '2'],
      ['Content-Type', 'application/sdp'],
      ['Session', 'abc;timeout=60'],
    ],
    body: 'v=0\r\ns=x\r\n',
  }),
  ...serializeInterleaved(0, new Uint8Array([0x80, 0x60, 0x00, 0x01, 1, 2, 3, 4, 5, 6, 7, 8])),
  ...enc.encode('GET_PARAMETER rtsp://h/s RTSP/1.0\r\nCSeq: 3\r\n\r\n'),
]);

function feed(bytes: Uint8Array, cuts: number[]): void {
  const p = new RtspStreamParser({ maxHeaderBytes: 4096, maxBodyBytes: 65536 });
  let prev = 0;
  try {
    for (const c of [...cuts.map((x) => x % (bytes.length + 1)).sort((a, b) => a - b), bytes.length]) {
      p.push(bytes.subarray(prev, c));
      prev = c;
    }
  } catch (e) {
    assert.ok(e instanceof RtspParseError, `untyped error: ${String(e)}`);
  }
  assert.ok(p.buffered <= 4096 + 65536 + 8, 'parser holds more than its bounds');
}

test('random bytes', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 5 }), (b, cuts) => feed(b, cuts)),
    { numRuns: 300 },
  );
});

test('mutated valid streams', () => {
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 5 }), (muts, cuts) => {
      const b = valid.slice();
      for (const [i, v] of muts) b[i % b.length] = v;
      feed(b, cuts);
    }),
    { numRuns: 500 },
  );
});

test('random text shaped like RTSP', () => {
  const line = fc.oneof(
    fc.constantFrom('RTSP/1.0 200 OK', 'OPTIONS * RTSP/1.0', 'CSeq: 1', 'Content-Length: 3', 'Content-Length: 99999999999', 'x', ':', ''),
    fc.string({ maxLength: 40 }),
  );
  fc.assert(
    fc.property(fc.array(line, { maxLength: 12 }), fc.array(fc.nat(), { maxLength: 3 }), (lines, cuts) => {
      feed(enc.encode(lines.join('\r\n') + '\r\n\r\n'), cuts);
    }),
    { numRuns: 400 },
  );
});

test('header parsers throw only RtspParseError', () => {
  const parsers: ((s: string) => unknown)[] = [parseTransport, parseSession, (s) => parseWwwAuthenticate([s]), parseRtpInfo];
  const text = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc
      .constantFrom('RTP/AVP/TCP;interleaved=0-1', 'Digest realm="a", nonce="b"', 'url=rtsp://h;seq=1', '1;timeout=60')
      .chain((s) => fc.tuple(fc.nat(s.length), fc.string({ maxLength: 3 })).map(([i, ins]) => s.slice(0, i) + ins + s.slice(i))),
  );
  fc.assert(
    fc.property(text, (s) => {
      for (const p of parsers) {
        try {
          p(s);
        } catch (e) {
          assert.ok(e instanceof RtspParseError, `untyped error for ${JSON.stringify(s)}: ${String(e)}`);
        }
      }
    }),
    { numRuns: 500 },
  );
});

test('any split of a stream of frames and messages parses to the same items', () => {
  const frame = fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ minLength: 0, maxLength: 3000 })).map(([ch, p]) => {
    const b = new Uint8Array(4 + p.length);
    b[0] = 0x24;
    b[1] = ch;
    b[2] = p.length >> 8;
    b[3] = p.length & 0xff;
    b.set(p, 4);
    return b;
  });
  const message = fc.integer({ min: 1, max: 999 }).map((n) => enc.encode(`RTSP/1.0 200 OK\r\nCSeq: ${n}\r\nContent-Length: 3\r\n\r\nabc`));
  const describe = (items: readonly unknown[]) => JSON.stringify(items, (_k, v) => (v instanceof Uint8Array ? Array.from(v).join(',') : v));
  fc.assert(
    fc.property(fc.array(fc.oneof(frame, frame, message), { minLength: 1, maxLength: 12 }), fc.array(fc.nat(), { maxLength: 8 }), (parts, cuts) => {
      const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
      let o = 0;
      for (const p of parts) {
        all.set(p, o);
        o += p.length;
      }
      const whole = describe(new RtspStreamParser().push(all));
      const points = [...new Set(cuts.map((c) => c % (all.length + 1)))].sort((a, b) => a - b);
      const parser = new RtspStreamParser();
      const items: unknown[] = [];
      let at = 0;
      for (const p of [...points, all.length]) {
        items.push(...parser.push(all.slice(at, p)));
        at = p;
      }
      return describe(items) === whole;
    }),
    { numRuns: 300 },
  );
});
