import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { RtspStreamParser } from '../../src/media/rtsp/parser.ts';
import { serializeInterleaved, serializeRequest, serializeResponse } from '../../src/media/rtsp/serialize.ts';
import { RtspParseError } from '../../src/media/rtsp/errors.ts';
import { bodyText, getCSeq, getHeader, getHeaders, type RtspStreamItem } from '../../src/media/rtsp/message.ts';

const enc = (s: string) => new TextEncoder().encode(s);

function pushAll(p: RtspStreamParser, chunks: Uint8Array[]): RtspStreamItem[] {
  return chunks.flatMap((c) => p.push(c));
}

describe('RTSP stream parser', () => {
  test('response with body by Content-Length, header names in any case, extra spaces', () => {
    const p = new RtspStreamParser();
    const items = p.push(enc('RTSP/1.0 200 OK\r\ncseq:   3\r\ncontent-LENGTH:    5\r\nContent-Type: application/sdp\r\n\r\nv=0\r\n'));
    assert.equal(items.length, 1);
    const r = items[0];
    assert.ok(r && r.kind === 'response');
    assert.equal(r.status, 200);
    assert.equal(getCSeq(r), 3);
    assert.equal(getHeader(r, 'CONTENT-TYPE'), 'application/sdp');
    assert.equal(bodyText(r), 'v=0\r\n');
    assert.equal(p.buffered, 0);
  });

  test('missing CSeq and missing reason phrase are accepted', () => {
    const p = new RtspStreamParser();
    const [r] = p.push(enc('RTSP/1.0 401\r\nWWW-Authenticate: Basic realm="a"\r\nWWW-Authenticate: Digest realm="a", nonce="n"\r\n\r\n'));
    assert.ok(r && r.kind === 'response');
    assert.equal(r.status, 401);
    assert.equal(getCSeq(r), undefined);
    assert.deepEqual(getHeaders(r, 'www-authenticate').length, 2);
  });

  test('interleaved frames mixed with a response, split at every byte boundary', () => {
    const rtp1 = new Uint8Array([0x80, 0x60, 0, 1, 9, 9, 9]);
    const rtp2 = new Uint8Array(300).fill(7);
    const whole = new Uint8Array([
      ...serializeInterleaved(0, rtp1),
      ...enc('RTSP/1.0 200 OK\r\nCSeq: 5\r\nSession: abc\r\n\r\n'),
      ...serializeInterleaved(3, rtp2),
      ...serializeRequest({ method: 'GET_PARAMETER', uri: 'rtsp://h/s', headers: [['CSeq', '9']], body: 'x' }),
    ]);
    for (let cut = 0; cut <= whole.length; cut += 1) {
      const p = new RtspStreamParser();
      const items = pushAll(p, [whole.subarray(0, cut), whole.subarray(cut)]);
      assert.deepEqual(
        items.map((i) => i.kind),
        ['interleaved', 'response', 'interleaved', 'request'],
        `cut ${cut}`,
      );
      const [f0, , f2, req] = items;
      assert.ok(f0?.kind === 'interleaved' && f2?.kind === 'interleaved' && req?.kind === 'request');
      assert.equal(f0.channel, 0);
      assert.deepEqual([...f0.payload], [...rtp1]);
      assert.equal(f2.channel, 3);
      assert.equal(f2.payload.length, 300);
      assert.equal(req.method, 'GET_PARAMETER');
      assert.equal(bodyText(req), 'x');
    }
  });

  test('one byte at a time', () => {
    const whole = new Uint8Array([
      ...enc('OPTIONS rtsp://h/ RTSP/1.0\r\nCSeq: 1\r\n\r\n'),
      ...serializeInterleaved(1, new Uint8Array([1, 2, 3])),
      ...serializeResponse({ status: 200, headers: [['CSeq', '1']], body: 'hello' }),
    ]);
    const p = new RtspStreamParser();
    const items: RtspStreamItem[] = [];
    for (const b of whole) items.push(...p.push(new Uint8Array([b])));
    assert.deepEqual(
      items.map((i) => i.kind),
      ['request', 'interleaved', 'response'],
    );
  });

  test('interleaved payloads are views over the pushed chunk, not copies', () => {
    const chunk = serializeInterleaved(0, new Uint8Array([5, 6, 7, 8]));
    const p = new RtspStreamParser();
    const [f] = p.push(chunk);
    assert.ok(f?.kind === 'interleaved');
    assert.equal(f.payload.buffer, chunk.buffer);
    assert.equal(f.payload.byteOffset, chunk.byteOffset + 4);
  });

  test('garbage gets a typed error and the parser stays failed', () => {
    const p = new RtspStreamParser();
    assert.throws(() => p.push(new Uint8Array([0x00, 0xff, 0x13, 0x37, 0x20])), RtspParseError);
    assert.throws(() => p.push(enc('RTSP/1.0 200 OK\r\n\r\n')), RtspParseError);
    const q = new RtspStreamParser();
    assert.throws(
      () => q.push(enc('HELLO WORLD\r\n\r\n')),
      (e) => e instanceof RtspParseError && e.code === 'bad-start-line',
    );
  });

  test('bytes that begin with a space cannot start a message: refused at once, not waited on', () => {
    // Without a header terminator the parser judges only the start; an empty first token is already wrong.
    assert.throws(
      () => new RtspStreamParser().push(new Uint8Array([0x20, 0x41, 0x42, 0x00, 0x99])),
      (e) => e instanceof RtspParseError && e.code === 'bad-start-line',
    );
    // A token and then a space may still be a message whose rest has not come yet.
    const p = new RtspStreamParser();
    assert.deepEqual(p.push(enc('RTSP/1.0 ')), []);
    assert.equal(p.push(enc('200 OK\r\nCSeq: 1\r\n\r\n')).length, 1);
  });

  test("a peer's control bytes reach the error message escaped, never as-is (it goes to events, logs, status)", () => {
    const hostile = [
      'RTSP/1.0 200 OK\x1b[2J\x7f\x9b\rX\r\n\r\n', // ESC, DEL, C1 CSI, a lone CR in the start line
      'RTSP/1.0 200 OK\r\nCSeq 1\x1b]0;owned\x07\r\n\r\n', // a header line without a colon
      'RTSP/1.0 200 OK\r\nC\x1bSeq: 1\r\n\r\n', // a header name
    ];
    for (const text of hostile) {
      const p = new RtspStreamParser();
      assert.throws(
        () => p.push(new Uint8Array(Buffer.from(text, 'latin1'))),
        (e) => {
          assert.ok(e instanceof RtspParseError);
          assert.match(e.message, /^[\x20-\x7e]+$/, `printable ASCII only: ${JSON.stringify(e.message)}`);
          assert.match(e.message, /\\u001b|\\x7f|\\x9b/);
          return true;
        },
      );
    }
  });

  test('bounded header and body sizes', () => {
    const p = new RtspStreamParser({ maxHeaderBytes: 1024 });
    assert.throws(
      () => {
        for (let i = 0; i < 100; i++) p.push(enc('RTSP/1.0 200 OK\r\nX-Pad: ' + 'a'.repeat(50) + '\r\n'));
      },
      (e) => e instanceof RtspParseError && e.code === 'header-too-large',
    );
    const q = new RtspStreamParser({ maxBodyBytes: 1000 });
    assert.throws(
      () => q.push(enc('RTSP/1.0 200 OK\r\nContent-Length: 1001\r\n\r\n')),
      (e) => e instanceof RtspParseError && e.code === 'body-too-large',
    );
    const r = new RtspStreamParser();
    assert.throws(
      () => r.push(enc('RTSP/1.0 200 OK\r\nContent-Length: -1\r\n\r\n')),
      (e) => e instanceof RtspParseError && e.code === 'bad-content-length',
    );
  });

  test('bare LF line endings and folded headers', () => {
    const p = new RtspStreamParser();
    const [r] = p.push(enc('RTSP/1.0 200 OK\nCSeq: 2\nPublic: OPTIONS,\n DESCRIBE\n\n'));
    assert.ok(r?.kind === 'response');
    assert.equal(getHeader(r, 'public'), 'OPTIONS, DESCRIBE');
  });

  test('serializer round trip', () => {
    const bytes = serializeRequest({
      method: 'SETUP',
      uri: 'rtsp://h/s/trackID=1',
      headers: [
        ['CSeq', '4'],
        ['Transport', 'RTP/AVP/TCP;unicast;interleaved=0-1'],
      ],
    });
    const [r] = new RtspStreamParser().push(bytes);
    assert.ok(r?.kind === 'request');
    assert.equal(r.uri, 'rtsp://h/s/trackID=1');
    assert.equal(getHeader(r, 'transport'), 'RTP/AVP/TCP;unicast;interleaved=0-1');
    assert.throws(() => serializeRequest({ method: 'X', uri: 'u', headers: [['A', 'b\r\nInjected: 1']] }));
  });
});
