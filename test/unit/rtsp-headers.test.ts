import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { formatTransport, parseTransport } from '../../src/media/rtsp/headers/transport.ts';
import { parseSession, formatSession } from '../../src/media/rtsp/headers/session.ts';
import { parseRtpInfo } from '../../src/media/rtsp/headers/rtp-info.ts';
import { controlBase, parseRtspUrl, redactText, redactUrl, resolveControlUrl } from '../../src/media/rtsp/headers/url.ts';
import { buildAuthorization, chooseChallenge, digestResponse, parseWwwAuthenticate, verifyAuthorization } from '../../src/media/rtsp/headers/auth.ts';
import { RtspParseError } from '../../src/media/rtsp/errors.ts';

describe('Transport', () => {
  test('interleaved, client/server ports, ssrc optional, alternatives', () => {
    const [t] = parseTransport('RTP/AVP/TCP;unicast;interleaved=2-3;ssrc=0A0B0C0D;mode="PLAY"');
    assert.deepEqual(t, { protocol: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [2, 3], ssrc: 0x0a0b0c0d, mode: 'PLAY' });
    const specs = parseTransport('RTP/AVP;unicast;client_port=5000-5001;server_port=6970-6971, RTP/AVP/TCP;interleaved=0-1');
    assert.equal(specs.length, 2);
    assert.deepEqual(specs[0]?.clientPort, [5000, 5001]);
    assert.deepEqual(specs[0]?.serverPort, [6970, 6971]);
    assert.equal(specs[0]?.lowerTransport, 'UDP');
    assert.equal(specs[0]?.ssrc, undefined);
    assert.deepEqual(parseTransport('RTP/AVP/TCP;interleaved=4')[0]?.interleaved, [4, 5]);
    assert.equal(
      formatTransport({ protocol: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1], ssrc: 0xdeadbeef }),
      'RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=DEADBEEF',
    );
    assert.throws(() => parseTransport('HTTP/1.1'), RtspParseError);
    assert.throws(() => parseTransport('RTP/AVP;client_port=99999-100000'), RtspParseError);
  });
});

describe('Session', () => {
  test('id and timeout', () => {
    assert.deepEqual(parseSession('12345678;timeout=60'), { id: '12345678', timeoutSec: 60 });
    assert.deepEqual(parseSession('ABC ; timeout = 30'), { id: 'ABC', timeoutSec: 30 });
    assert.deepEqual(parseSession('x'), { id: 'x' });
    assert.equal(formatSession({ id: 'a', timeoutSec: 5 }), 'a;timeout=5');
    assert.throws(() => parseSession(''), RtspParseError);
  });
});

describe('RTP-Info', () => {
  test('several entries, query strings with commas', () => {
    const e = parseRtpInfo('url=rtsp://h/s/trackID=0;seq=10;rtptime=4294967295, url=rtsp://h/s?a=1,2/trackID=1;seq=65535');
    assert.deepEqual(e, [
      { url: 'rtsp://h/s/trackID=0', seq: 10, rtptime: 4294967295 },
      { url: 'rtsp://h/s?a=1,2/trackID=1', seq: 65535 },
    ]);
  });
});

describe('control URLs', () => {
  test('base selection and resolution', () => {
    assert.equal(controlBase('rtsp://u:p@h/live'), 'rtsp://h/live');
    assert.equal(controlBase('rtsp://h/live', 'rtsp://h/live/'), 'rtsp://h/live/');
    assert.equal(resolveControlUrl('rtsp://h/live/', 'trackID=1'), 'rtsp://h/live/trackID=1');
    assert.equal(resolveControlUrl('rtsp://h/live', 'trackID=1'), 'rtsp://h/live/trackID=1');
    assert.equal(resolveControlUrl('rtsp://h/live?ch=1', 'trackID=1'), 'rtsp://h/live?ch=1/trackID=1');
    assert.equal(resolveControlUrl('rtsp://h/live', '?ctype=video'), 'rtsp://h/live?ctype=video');
    assert.equal(resolveControlUrl('rtsp://h/live', '*'), 'rtsp://h/live');
    assert.equal(resolveControlUrl('rtsp://h/live', undefined), 'rtsp://h/live');
    assert.equal(resolveControlUrl('rtsp://h/live', 'rtsp://other:8554/x/track2'), 'rtsp://other:8554/x/track2');
  });
  test('redaction', () => {
    assert.equal(redactUrl('rtsp://admin:s3cret@10.0.0.1:554/x?password=s3cret&a=1'), 'rtsp://***@10.0.0.1:554/x?password=***&a=1');
    assert.equal(redactUrl('rtsp://10.0.0.1/x'), 'rtsp://10.0.0.1/x');
    const t = redactText('failed rtsp://admin:hunter2@h/ with hunter2', ['hunter2']);
    assert.ok(!t.includes('hunter2'));
    const u = parseRtspUrl('rtsp://ad%40min:p%3Ass@cam:8554/a/b?c=d');
    assert.deepEqual([u.username, u.password, u.host, u.port, u.url], ['ad@min', 'p:ss', 'cam', 8554, 'rtsp://cam:8554/a/b?c=d']);
    assert.throws(
      () => parseRtspUrl('http://u:pw@h/'),
      (e: Error) => !e.message.includes('pw'),
    );
  });
});

describe('authentication', () => {
  test('RFC 2617 Digest MD5 with qop=auth', () => {
    assert.equal(
      digestResponse({
        algorithm: 'MD5',
        username: 'Mufasa',
        password: 'Circle Of Life',
        realm: 'testrealm@host.com',
        nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
        method: 'GET',
        uri: '/dir/index.html',
        qop: 'auth',
        nc: 1,
        cnonce: '0a4f113b',
      }),
      '6629fae49393a05397450978507c4ef1',
    );
  });
  test('RFC 7616 §3.9.1 MD5 and SHA-256', () => {
    const base = {
      username: 'Mufasa',
      password: 'Circle of Life',
      realm: 'http-auth@example.org',
      nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
      method: 'GET',
      uri: '/dir/index.html',
      qop: 'auth' as const,
      nc: 1,
      cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
    };
    assert.equal(digestResponse({ ...base, algorithm: 'MD5' }), '8ca523f5e9506fed4657c9700eebdbec');
    assert.equal(digestResponse({ ...base, algorithm: 'SHA-256' }), '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
  });
  test('challenge parsing and choice', () => {
    const cs = parseWwwAuthenticate([
      'Basic realm="cam"',
      'Digest realm="cam", nonce="abc", stale=TRUE',
      'Digest realm="cam", nonce="n2", algorithm=SHA-256, qop="auth,auth-int"',
    ]);
    assert.equal(cs.length, 3);
    assert.equal(cs[1]?.params.stale, 'TRUE');
    assert.equal(chooseChallenge(cs)?.params.algorithm, 'SHA-256');
    assert.equal(chooseChallenge(cs.slice(0, 2))?.scheme, 'digest');
    assert.equal(chooseChallenge(cs.slice(0, 1))?.scheme, 'basic');
    // Both in one header value.
    const one = parseWwwAuthenticate(['Digest realm="r", nonce="x", Basic realm="r"']);
    assert.deepEqual(
      one.map((c) => c.scheme),
      ['digest', 'basic'],
    );
    assert.throws(() => parseWwwAuthenticate(['Digest realm="unterminated']), RtspParseError);
  });
  test('client and server agree: Basic, Digest MD5 without qop, SHA-256 with qop', () => {
    const creds = { username: 'admin', password: 'p"w\\d' };
    for (const header of ['Basic realm="r"', 'Digest realm="r", nonce="N1"', 'Digest realm="r", nonce="N1", qop="auth", algorithm=SHA-256, opaque="o"']) {
      const ch = chooseChallenge(parseWwwAuthenticate([header]));
      assert.ok(ch);
      const auth = buildAuthorization(ch, creds, 'DESCRIBE', 'rtsp://h/s', 1);
      assert.equal(
        verifyAuthorization(auth, creds, 'DESCRIBE', (n) => n === 'N1'),
        'ok',
        header,
      );
      assert.equal(
        verifyAuthorization(auth, { ...creds, password: 'wrong' }, 'DESCRIBE', () => true),
        'bad',
      );
      if (ch.scheme === 'digest')
        assert.equal(
          verifyAuthorization(auth, creds, 'DESCRIBE', () => false),
          'stale',
        );
    }
    assert.equal(
      verifyAuthorization(undefined, creds, 'X', () => true),
      'missing',
    );
  });
});
