// Credentials follow the origin they were given for (scheme, host, port), never a redirect:
// two real RTSP servers on loopback (different ports, so different origins); the second one
// records every Authorization header it receives.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { startRtspServer, type RtspServerAuth, type RtspServedStream, type RtspServer } from '../../src/media/rtsp/io/rtsp-server.ts';
import { RtspClient, type RtspClientOptions } from '../../src/media/rtsp/io/rtsp-client.ts';
import { RtspError } from '../../src/media/rtsp/errors.ts';
import { getHeader } from '../../src/media/rtsp/message.ts';
import { formatSdp } from '../../src/media/sdp/sdp.ts';
import { until } from '../helpers/until.ts';

const USER = 'admin';
const PASSWORD = 'Redirect-Pw-4c1e9b07';
const BASIC_TOKEN = Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

function stream(): RtspServedStream {
  return {
    sdp: formatSdp({ media: [{ type: 'video', payloadType: 96, rtpmap: 'H264/90000', fmtp: 'packetization-mode=1', control: 'trackID=0' }] }),
    play(sink) {
      let seq = 0;
      const timer = setInterval(() => {
        const p = new Uint8Array(20);
        p[0] = 0x80;
        p[1] = 96;
        p[2] = seq >> 8;
        p[3] = seq & 0xff;
        sink.sendRtp(0, p);
        seq = (seq + 1) & 0xffff;
      }, 5);
      return () => clearInterval(timer);
    },
  };
}

interface Seen {
  readonly method: string;
  readonly authorization: string | undefined;
}

/** The redirect target: records what each request carried. */
async function target(t: TestContext, auth: RtspServerAuth): Promise<RtspServer & { seen: Seen[] }> {
  const seen: Seen[] = [];
  const srv = await startRtspServer({
    streams: (p) => (p === '/live' ? stream() : undefined),
    auth,
    onRequest: (r) => seen.push({ method: r.method, authorization: getHeader(r, 'Authorization') }),
  });
  t.after(() => srv.close());
  return Object.assign(srv, { seen });
}

/** The configured camera: authenticates DESCRIBE, then answers it with 302 to `to`. */
async function front(t: TestContext, scheme: 'basic' | 'digest', to: string): Promise<RtspServer> {
  const srv = await startRtspServer({ streams: () => stream(), auth: { username: USER, password: PASSWORD, scheme }, quirks: { redirectTo: to } });
  t.after(() => srv.close());
  return srv;
}

async function startFails(opts: RtspClientOptions): Promise<RtspError> {
  const client = new RtspClient({ requestTimeoutMs: 2000, ...opts });
  try {
    await client.start();
  } catch (e) {
    assert.ok(e instanceof RtspError, String(e));
    assert.ok(!e.message.includes(PASSWORD), `password in the error: ${e.message}`);
    return e;
  } finally {
    await client.stop();
  }
  assert.fail('start() succeeded');
}

function assertNoCredentials(seen: readonly Seen[]): void {
  assert.ok(seen.length > 0, 'the redirect target was asked');
  for (const s of seen) {
    assert.equal(s.authorization, undefined, `${s.method} reached the redirect target with Authorization: ${s.authorization?.slice(0, 12)}…`);
  }
}

describe('RTSP credentials and redirects', () => {
  for (const scheme of ['basic', 'digest'] as const) {
    test(`${scheme} camera redirecting to another origin: the target gets no credentials, the error names both origins`, async (t) => {
      const other = await target(t, { username: USER, password: PASSWORD, scheme: 'basic' });
      const cam = await front(t, scheme, other.url('/live'));
      const err = await startFails({ url: cam.url('/live'), username: USER, password: PASSWORD });
      assertNoCredentials(other.seen);
      assert.ok(!other.seen.some((s) => s.authorization?.includes(BASIC_TOKEN)));
      assert.equal(err.code, 'auth-failed');
      assert.match(err.message, new RegExp(`redirected from rtsp://127\\.0\\.0\\.1:${cam.port} to rtsp://127\\.0\\.0\\.1:${other.port}`));
    });
  }

  test('a redirect to another origin that needs no credentials still plays', async (t) => {
    const seen: Seen[] = [];
    const open = await startRtspServer({
      streams: (p) => (p === '/live' ? stream() : undefined),
      onRequest: (r) => seen.push({ method: r.method, authorization: getHeader(r, 'Authorization') }),
    });
    t.after(() => open.close());
    const cam = await front(t, 'basic', open.url('/live'));
    const client = new RtspClient({ url: cam.url('/live'), username: USER, password: PASSWORD, requestTimeoutMs: 2000 });
    t.after(() => client.stop());
    const info = await client.start();
    assert.equal(info.url, open.url('/live'));
    assertNoCredentials(seen);
  });

  test('an origin the user allowed gets the credentials only after its own challenge, and never Basic after Digest', async (t) => {
    const basicTarget = await target(t, { username: USER, password: PASSWORD, scheme: 'basic' });
    const cam = await front(t, 'digest', basicTarget.url('/live'));
    const err = await startFails({ url: cam.url('/live'), username: USER, password: PASSWORD, credentialOrigins: [`rtsp://127.0.0.1:${basicTarget.port}`] });
    assert.equal(err.code, 'auth-failed');
    assert.match(err.message, /Basic after Digest/);
    assertNoCredentials(basicTarget.seen);

    const digestTarget = await target(t, { username: USER, password: PASSWORD, scheme: 'digest' });
    const cam2 = await front(t, 'digest', digestTarget.url('/live'));
    const client = new RtspClient({
      url: cam2.url('/live'),
      username: USER,
      password: PASSWORD,
      requestTimeoutMs: 2000,
      credentialOrigins: [digestTarget.url('/')],
    });
    t.after(() => client.stop());
    await client.start();
    await until(() => digestTarget.seen.some((s) => s.method === 'PLAY'));
    assert.equal(digestTarget.seen[0]?.authorization, undefined, 'nothing sent before the target challenged');
    assert.ok(digestTarget.seen.filter((s) => s.authorization !== undefined).every((s) => /^Digest /.test(s.authorization!)));
  });
});
