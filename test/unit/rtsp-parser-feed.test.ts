// RtspStreamParser.feed (the client's media path: items straight to a sink) must deliver
// exactly what push() returns, in the same order, however the stream is cut into reads.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { RtspStreamParser } from '../../src/media/rtsp/parser.ts';
import { serializeInterleaved, serializeResponse } from '../../src/media/rtsp/serialize.ts';
import type { RtspStreamItem } from '../../src/media/rtsp/message.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function cut(bytes: Uint8Array, points: readonly number[]): Uint8Array[] {
  const at = [...new Set(points.map((p) => p % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of [...at, bytes.length]) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  return out;
}

describe('RTSP stream parser: feed', () => {
  test('feed delivers what push returns, in order, across any cuts', () => {
    const item = fc.oneof(
      fc.tuple(fc.integer({ min: 0, max: 255 }), fc.uint8Array({ maxLength: 1500 })).map(([ch, p]) => serializeInterleaved(ch, p)),
      fc
        .tuple(fc.integer({ min: 1, max: 99 }), fc.string({ maxLength: 30 }))
        .map(([cseq, body]) =>
          serializeResponse({ status: 200, reason: 'OK', headers: [['CSeq', String(cseq)]], body: enc(body.replace(/[^\x20-\x7e]/g, 'x')) }),
        ),
    );
    fc.assert(
      fc.property(fc.array(item, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 20 }), (items, points) => {
        const stream = new Uint8Array(items.reduce((n, b) => n + b.length, 0));
        let o = 0;
        for (const b of items) {
          stream.set(b, o);
          o += b.length;
        }
        const expected = new RtspStreamParser().push(stream);
        const fed: RtspStreamItem[] = [];
        const p = new RtspStreamParser();
        for (const chunk of cut(stream, points)) {
          p.feed(chunk, {
            onInterleaved: (channel, payload) => fed.push({ kind: 'interleaved', channel, payload: payload.slice() }),
            onMessage: (m) => fed.push(m),
          });
        }
        assert.equal(expected.length, items.length);
        assert.deepEqual(fed, expected);
        assert.equal(p.buffered, 0);
      }),
      { numRuns: 300 },
    );
  });
});
