// Our RTSP client against our RTSP server over loopback, with the server reproducing
// camera quirks. Media is a synthetic stream of numbered RTP packets (the simulated camera
// with real media is covered in sim-camera-*.test.ts).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { startRtspServer, type RtspServedStream, type RtspServerOptions, type RtspServer } from '../../src/media/rtsp/io/rtsp-server.ts';
import { RtspClient, type RtspClientOptions } from '../../src/media/rtsp/io/rtsp-client.ts';
import { PeriodicTicker } from '../../src/media/rtsp/io/periodic-ticker.ts';
import { RtspError } from '../../src/media/rtsp/errors.ts';
import { formatSdp } from '../../src/media/sdp/sdp.ts';
import type { TestContext } from 'node:test';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { until } from '../helpers/until.ts';

const SECRET = 'pa:ss@w0rd';

function syntheticStream(periodMs = 5): RtspServedStream & { plays: number } {
  const s = {
    plays: 0,
    sdp: formatSdp({
      media: [
        { type: 'video', payloadType: 96, rtpmap: 'H264/90000', fmtp: 'packetization-mode=1', control: 'trackID=0' },
        {
          type: 'audio',
          payloadType: 97,
          rtpmap: 'mpeg4-generic/48000/2',
          fmtp: 'mode=AAC-hbr;config=1190;sizelength=13;indexlength=3;indexdeltalength=3',
          control: 'trackID=1',
        },
      ],
    }),
    play(sink: Parameters<RtspServedStream['play']>[0]) {
      s.plays++;
      let seq = 0;
      const timer = setInterval(() => {
        for (const track of sink.tracks) {
          const p = new Uint8Array(20);
          p[0] = 0x80;
          p[1] = track === 0 ? 96 : 97;
          p[2] = seq >> 8;
          p[3] = seq & 0xff;
          sink.sendRtp(track, p);
          if (seq % 20 === 0) sink.sendRtcp(track, new Uint8Array([0x80, 200, 0, 6, ...new Array(24).fill(0)]));
        }
        seq = (seq + 1) & 0xffff;
      }, periodMs);
      return () => clearInterval(timer);
    },
  };
  return s;
}

async function server(t: TestContext, opts: Partial<RtspServerOptions> = {}, stream = syntheticStream()): Promise<RtspServer> {
  const srv = await startRtspServer({ streams: (p) => (p === '/live' ? stream : undefined), ...opts });
  t.after(() => srv.close());
  return srv;
}

/** Starts a client, collects RTP counts per track, and stops it at test end. */
async function play(t: TestContext, opts: RtspClientOptions) {
  const rtp = [0, 0];
  const rtcp = [0, 0];
  const errors: RtspError[] = [];
  const client = new RtspClient(
    { requestTimeoutMs: 2000, ...opts },
    {
      onRtp: (i) => {
        rtp[i] = (rtp[i] ?? 0) + 1;
      },
      onRtcp: (i) => {
        rtcp[i] = (rtcp[i] ?? 0) + 1;
      },
      onError: (e) => errors.push(e),
    },
  );
  t.after(() => client.stop());
  const info = await client.start();
  return { client, info, rtp, rtcp, errors };
}

async function rejects(p: Promise<unknown>, code: string): Promise<RtspError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof RtspError, `not an RtspError: ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.ok(!e.message.includes(SECRET) && !e.message.includes('pa:ss'), `secret in message: ${e.message}`);
    return e;
  }
  assert.fail(`expected ${code}`);
}

describe('RTSP client ↔ server', () => {
  for (const transport of ['tcp', 'udp', 'http'] as const) {
    test(`plays both tracks over ${transport}, RTCP both ways, TEARDOWN on stop`, async (t) => {
      const srv = await server(t);
      let reports = 0;
      const { client, info, rtp, rtcp } = await play(t, {
        url: srv.url('/live'),
        transport,
        rtcpIntervalMs: 50,
        buildReceiverReport: () => {
          reports++;
          return new Uint8Array([0x80, 201, 0, 1, 0, 0, 0, 1]);
        },
      });
      assert.equal(info.tracks.length, 2);
      assert.equal(info.transport, transport);
      assert.equal(info.tracks[0]?.controlUrl, `${srv.url('/live')}/trackID=0`);
      await until(() => (rtp[0] ?? 0) > 20 && (rtp[1] ?? 0) > 20 && (rtcp[0] ?? 0) > 0 && srv.stats.rtcpFromClients > 0);
      assert.ok(reports > 0);
      await client.stop();
      await until(() => srv.stats.teardowns === 1);
    });
  }

  test('Basic auth, credentials from the URL userinfo', async (t) => {
    const srv = await server(t, { auth: { username: 'admin', password: SECRET, scheme: 'basic' } });
    const url = srv.url('/live').replace('rtsp://', `rtsp://admin:${encodeURIComponent(SECRET)}@`);
    const { rtp } = await play(t, { url });
    await until(() => (rtp[0] ?? 0) > 5);
  });

  for (const algorithms of [['MD5'], ['SHA-256', 'MD5']] as const) {
    test(`Digest ${algorithms.join('+')} with Basic also offered`, async (t) => {
      const seen: string[] = [];
      const srv = await server(t, {
        auth: { username: 'admin', password: SECRET, scheme: 'digest', algorithms, alsoBasic: true },
        onRequest: (r) => {
          const a = r.headers.find(([n]) => n === 'Authorization')?.[1];
          if (a) seen.push(a);
        },
      });
      const { rtp } = await play(t, { url: srv.url('/live'), username: 'admin', password: SECRET });
      await until(() => (rtp[0] ?? 0) > 5);
      assert.ok(seen.length > 0 && seen.every((a) => a.startsWith('Digest ')));
      if (algorithms[0] === 'SHA-256') assert.ok(seen.every((a) => a.includes('algorithm=SHA-256')));
    });
  }

  test('Digest without qop; nonce expiry mid-session answered by a retry (stale=true)', async (t) => {
    let keepAlives = 0;
    const nonces = new Set<string>();
    const srv = await server(t, {
      auth: { username: 'u', password: SECRET, scheme: 'digest', qop: false, nonceLifetimeMs: 150 },
      onRequest: (r) => {
        if (r.method === 'GET_PARAMETER') keepAlives++;
        const n = /nonce="([^"]+)"/.exec(r.headers.find(([k]) => k === 'Authorization')?.[1] ?? '')?.[1];
        if (n) nonces.add(n);
      },
    });
    const { rtp, errors, client } = await play(t, { url: srv.url('/live'), username: 'u', password: SECRET, keepAliveMs: 100 });
    await until(() => keepAlives >= 6);
    assert.deepEqual(errors, []);
    assert.equal(client.currentState, 'playing');
    assert.ok((rtp[0] ?? 0) > 10);
    assert.ok(nonces.size >= 2, 'the client answered a fresh nonce mid-session');
  });

  test('wrong password → auth-failed without the password in the message', async (t) => {
    const srv = await server(t, { auth: { username: 'u', password: 'right', scheme: 'digest' } });
    const c = new RtspClient({ url: srv.url('/live'), username: 'u', password: SECRET });
    t.after(() => c.stop());
    await rejects(c.start(), 'auth-failed');
    const c2 = new RtspClient({ url: srv.url('/live') });
    t.after(() => c2.stop());
    await rejects(c2.start(), 'auth-failed');
  });

  test('404, unreachable port, request deadline', async (t) => {
    const srv = await server(t);
    await rejects(new RtspClient({ url: srv.url('/nope') }).start(), 'not-found');
    const closed = await new Promise<number>((resolve) => {
      const s = createServer();
      s.listen(0, '127.0.0.1', () => {
        const p = (s.address() as { port: number }).port;
        s.close(() => resolve(p));
      });
    });
    await rejects(new RtspClient({ url: `rtsp://u:${encodeURIComponent(SECRET)}@127.0.0.1:${closed}/x` }).start(), 'unreachable');
    const silent = await server(t, { quirks: { ignoreMethods: ['DESCRIBE'] } });
    const t0 = Date.now();
    await rejects(new RtspClient({ url: silent.url('/live'), requestTimeoutMs: 300 }).start(), 'timeout');
    assert.ok(Date.now() - t0 < 2000);
  });

  test('camera quirks: other interleaved channels, no Content-Base, RTP before PLAY answer, no CSeq, no ssrc', async (t) => {
    const srv = await server(t, { quirks: { interleavedChannelOffset: 4, omitContentBase: true, delayPlayResponseMs: 100, omitCSeq: true, omitSsrc: true } });
    const { info, rtp, client } = await play(t, { url: srv.url('/live') });
    assert.deepEqual(
      info.tracks.map((x) => x.transport.interleaved),
      [
        [4, 5],
        [6, 7],
      ],
    );
    assert.equal(info.tracks[1]?.controlUrl, `${srv.url('/live')}/trackID=1`);
    assert.ok((rtp[0] ?? 0) > 0, 'RTP that came before the PLAY answer was delivered');
    await until(() => (rtp[1] ?? 0) > 10);
    assert.equal(client.unknownChannelFrames, 0);
  });

  test('keep-alive uses OPTIONS when GET_PARAMETER is not public', async (t) => {
    const methods: string[] = [];
    const srv = await server(t, {
      quirks: { publicMethods: ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'TEARDOWN'], sessionTimeoutSec: 2 },
      onRequest: (r) => methods.push(r.method),
    });
    await play(t, { url: srv.url('/live') });
    // timeout 2 s → keep-alive every ~1 s
    await until(() => methods.filter((m) => m === 'OPTIONS').length >= 2, 2500);
    assert.ok(!methods.includes('GET_PARAMETER'));
  });

  test('redirect to another server, bounded redirect loop', async (t) => {
    const target = await server(t);
    const front = await server(t, { quirks: { redirectTo: target.url('/live') } });
    const { info, rtp } = await play(t, { url: front.url('/anything') });
    assert.equal(info.url, target.url('/live'));
    await until(() => (rtp[0] ?? 0) > 5);
    const c = new RtspClient({ url: front.url('/y'), maxRedirects: 0 });
    await rejects(c.start(), 'protocol');
  });

  test('keep-alive, silence check and RTCP run on the ticker they are given (the shared one by default), and leave it on stop', async (t) => {
    let keepAlives = 0;
    const srv = await server(t, {
      onRequest: (r) => {
        if (r.method === 'GET_PARAMETER' || r.method === 'OPTIONS') keepAlives++;
      },
    });
    let fakeNow = 1_000_000;
    let tick: (() => void) | undefined;
    const ticker = new PeriodicTicker({
      now: () => fakeNow,
      setInterval: (fn) => (tick = fn),
      clearInterval: () => (tick = undefined),
    });
    const { client, errors } = await play(t, { url: srv.url('/live'), keepAliveMs: 100, mediaTimeoutMs: 400, ticker });
    const afterHandshake = keepAlives;
    assert.equal(ticker.size, 2, 'keep-alive and silence check registered (no RTCP builder given)');
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(keepAlives, afterHandshake, 'no keep-alive of its own timer while the ticker stands still');
    fakeNow += 100;
    tick?.();
    await until(() => keepAlives === afterHandshake + 1, 3000);
    assert.deepEqual(errors, []);
    await client.stop();
    assert.equal(ticker.size, 0);
    assert.equal(tick, undefined, 'the ticker stopped its interval');
  });

  test('media silence with the connection open → media-timeout', async (t) => {
    const srv = await server(t, { quirks: { stopRtpAfterPlayMs: 200 } });
    const t0 = Date.now();
    const { errors } = await play(t, { url: srv.url('/live'), mediaTimeoutMs: 300 });
    await until(() => errors.length > 0, 3000);
    assert.equal(errors[0]?.code, 'media-timeout');
    assert.ok(Date.now() - t0 < 1500);
  });

  test('server closes without TEARDOWN → protocol error', async (t) => {
    const srv = await server(t, { quirks: { closeAfterPlayMs: 150 } });
    const { errors, client } = await play(t, { url: srv.url('/live') });
    await until(() => errors.length > 0);
    assert.equal(errors[0]?.code, 'protocol');
    assert.equal(client.currentState, 'closed');
  });

  test('garbage answer → protocol error, no hang', async (t) => {
    const srv = await server(t, { quirks: { garbageAfterRequests: 1 } });
    await rejects(new RtspClient({ url: srv.url('/live'), requestTimeoutMs: 1000 }).start(), 'protocol');
  });
});

describe('rtsps:// (TLS)', () => {
  test('CA list, host-name check, insecure mode', { skip: skipUnless(hasCommand('openssl', ['version']), 'openssl') }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'mg-tls-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const r = spawnSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-subj',
        '/CN=camera.example',
        '-days',
        '1',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    assert.equal(r.status, 0);
    const cert = readFileSync(join(dir, 'cert.pem'));
    const srv = await server(t, { tls: { key: readFileSync(join(dir, 'key.pem')), cert } });
    assert.match(srv.url('/live'), /^rtsps:/);
    // Our CA, but the certificate names camera.example, not 127.0.0.1.
    const e = await rejects(new RtspClient({ url: srv.url('/live'), tls: { ca: cert } }).start(), 'unreachable');
    assert.match(e.message, /127\.0\.0\.1/);
    await rejects(new RtspClient({ url: srv.url('/live') }).start(), 'unreachable');
    const { rtp } = await play(t, { url: srv.url('/live'), tls: { ca: cert, ignoreHostname: true } });
    await until(() => (rtp[0] ?? 0) > 5);
    const insecure = await play(t, { url: srv.url('/live'), tls: { insecure: true } });
    await until(() => (insecure.rtp[0] ?? 0) > 5);
  });
});
