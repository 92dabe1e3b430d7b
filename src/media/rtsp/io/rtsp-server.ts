// A small RTSP 1.0 server: OPTIONS, DESCRIBE, SETUP (TCP interleaved or UDP), PLAY,
// GET_PARAMETER, TEARDOWN, optional Basic/Digest auth, RTSP-over-HTTP tunnelling. It serves
// the simulated camera and lets tests reproduce camera quirks (options, not subclasses).
import { createServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createHmac, randomBytes } from 'node:crypto';
import { RtspStreamParser } from '../parser.ts';
import { serializeInterleaved, serializeResponse } from '../serialize.ts';
import { getHeader, type RtspHeader, type RtspRequest } from '../message.ts';
import { formatTransport, parseTransport, type TransportSpec } from '../headers/transport.ts';
import { formatChallenge, verifyAuthorization, type AuthChallenge } from '../headers/auth.ts';

/** What a `garbageAfterRequests` server answers: no RTSP message starts with a NUL or these. */
const GARBAGE = Uint8Array.from({ length: 64 }, (_, i) => (i * 37) % 32);

/** What a served path plays. Track `i` is announced with `a=control:trackID=i`. */
export interface RtspServedStream {
  /** Complete SDP whose media carry `a=control:trackID=<index>`. */
  readonly sdp: string;
  /** Starts sending to one client; returns a function that stops it. */
  play(sink: RtspMediaSink): () => void;
  /** The SSRC a track is sent with, announced in the SETUP answer. */
  ssrcOf?(track: number): number | undefined;
}

export interface RtspMediaSink {
  readonly sessionId: string;
  /** Tracks the client set up (indexes into the SDP media). */
  readonly tracks: ReadonlySet<number>;
  sendRtp(track: number, packet: Uint8Array): void;
  sendRtcp(track: number, packet: Uint8Array): void;
}

export interface RtspServerAuth {
  readonly username: string;
  readonly password: string;
  readonly scheme: 'basic' | 'digest';
  /** Digest algorithms offered, strongest first in the answer (default ['MD5']). */
  readonly algorithms?: readonly ('MD5' | 'SHA-256')[];
  /** Offer qop="auth" (default true). */
  readonly qop?: boolean;
  /** Also offer Basic next to Digest (clients should choose Digest). */
  readonly alsoBasic?: boolean;
  /** Nonces older than this are answered with 401 stale=true (mid-session re-auth). */
  readonly nonceLifetimeMs?: number;
}

export interface RtspServerQuirks {
  /** Answer SETUP with interleaved channels shifted by this (e.g. 2 → `interleaved=2-3` for the first track). */
  readonly interleavedChannelOffset?: number;
  readonly omitContentBase?: boolean;
  /** Start media, then answer PLAY this many ms later (RTP arrives before the PLAY answer). */
  readonly delayPlayResponseMs?: number;
  /** Close the TCP connection (no TEARDOWN) this long after PLAY. */
  readonly closeAfterPlayMs?: number;
  /** Stop sending RTP this long after PLAY while the connection stays open. */
  readonly stopRtpAfterPlayMs?: number;
  /** Answer requests after the first N with garbage bytes. */
  readonly garbageAfterRequests?: number;
  /** Answer DESCRIBE with 302 to this URL (first `redirectCount` times, default always). */
  readonly redirectTo?: string;
  readonly omitCSeq?: boolean;
  readonly omitSsrc?: boolean;
  /** Session timeout announced in SETUP (default 60). */
  readonly sessionTimeoutSec?: number;
  /** Methods listed in OPTIONS' Public (default all we implement). */
  readonly publicMethods?: readonly string[];
  /** Methods answered 405 (e.g. ['GET_PARAMETER'] for servers accepting only OPTIONS). */
  readonly rejectMethods?: readonly string[];
  /** Drop every Nth RTP packet to each client (loss on any transport). */
  readonly dropRtpEvery?: number;
  /** Answer nothing to these methods (request deadline tests). */
  readonly ignoreMethods?: readonly string[];
}

export interface RtspServerOptions {
  readonly host?: string;
  readonly port?: number;
  /** Looks up a path such as `/live` (no trailing slash); undefined → 404. */
  readonly streams: (path: string) => RtspServedStream | undefined;
  readonly auth?: RtspServerAuth;
  readonly quirks?: RtspServerQuirks;
  /** Serve rtsps:// with this certificate and key (PEM). */
  readonly tls?: { readonly key: string | Buffer; readonly cert: string | Buffer };
  /** Observes every request (tests count keep-alives, check headers). */
  readonly onRequest?: (req: RtspRequest) => void;
}

export interface RtspServerStats {
  connections: number;
  requests: number;
  plays: number;
  teardowns: number;
  rtcpFromClients: number;
  droppedPackets: number;
}

export interface RtspServer {
  readonly host: string;
  readonly port: number;
  /** `rtsp://host:port<path>` (`rtsps://` with TLS; no credentials). */
  url(path: string): string;
  readonly stats: Readonly<RtspServerStats>;
  /** Closes the listener and every client connection. */
  close(): Promise<void>;
}

/** Where replies and media for one RTSP control connection go. */
interface Output {
  write(bytes: Uint8Array): void;
  /** Bytes queued and not yet sent (backpressure: media is dropped above a bound). */
  pending(): number;
  close(): void;
}

interface ClientSession {
  readonly id: string;
  readonly tracks: Map<number, { transport: TransportSpec; clientHost: string }>;
  stop?: () => void;
  timers: NodeJS.Timeout[];
  rtpStopped: boolean;
}

const MAX_QUEUED_BYTES = 4 * 1024 * 1024;
const ALL_METHODS = ['OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'GET_PARAMETER', 'TEARDOWN'];

export async function startRtspServer(opts: RtspServerOptions): Promise<RtspServer> {
  const host = opts.host ?? '127.0.0.1';
  const q = opts.quirks ?? {};
  const stats: RtspServerStats = { connections: 0, requests: 0, plays: 0, teardowns: 0, rtcpFromClients: 0, droppedPackets: 0 };
  const sockets = new Set<Socket>();
  const sessions = new Map<string, ClientSession>();
  // Stateless Digest nonces: issue time + an HMAC of it under a per-server key, so a flood of
  // unauthorized requests costs no memory (a map of issued nonces grew without bound).
  const nonceKey = randomBytes(32);
  const nonceMac = (issued: string) => createHmac('sha256', nonceKey).update(issued).digest('hex').slice(0, 32);
  const issueNonce = (): string => {
    const issued = Date.now().toString(16).padStart(12, '0');
    return `${issued}${nonceMac(issued)}`;
  };
  const nonceIssuedAt = (nonce: string): number | undefined => {
    if (!/^[0-9a-f]{44}$/.test(nonce)) return undefined;
    const issued = nonce.slice(0, 12);
    return nonceMac(issued) === nonce.slice(12) ? parseInt(issued, 16) : undefined;
  };
  const tunnels = new Map<string, { out: Socket; conn?: (bytes: Uint8Array) => void }>();

  // Server-side UDP ports: one socket for RTP, one for RTCP, shared by every session.
  const udpRtp = createSocket('udp4');
  const udpRtcp = createSocket('udp4');
  await bindPair(udpRtp, udpRtcp, host);
  udpRtcp.on('message', () => {
    stats.rtcpFromClients++;
  });
  udpRtp.on('error', () => {});
  udpRtcp.on('error', () => {});

  const server: Server = opts.tls
    ? createTlsServer({ key: opts.tls.key, cert: opts.tls.cert }, (sock) => onSocket(sock))
    : createServer((sock) => onSocket(sock));
  server.on('tlsClientError', () => {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = (path: string) => `${opts.tls ? 'rtsps' : 'rtsp'}://${host}:${port}${path}`;

  function onSocket(sock: Socket): void {
    stats.connections++;
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('error', () => {});
    sock.on('close', () => sockets.delete(sock));
    // Peek at the first bytes: an HTTP GET/POST is the tunnel, anything else plain RTSP.
    sock.once('data', (first: Buffer) => {
      const head = first.subarray(0, 8).toString('latin1');
      if (/^(GET|POST) /.test(head)) {
        onHttp(sock, first);
        return;
      }
      const out = socketOutput(sock);
      const feed = rtspConnection(out, () => sock.destroy());
      sock.on('close', () => feed.closed());
      feed.push(first);
      sock.on('data', (chunk: Buffer) => feed.push(chunk));
    });
  }

  function onHttp(sock: Socket, first: Buffer): void {
    let buf = first;
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      tryHead();
    };
    const tryHead = () => {
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16384) sock.destroy();
        return;
      }
      sock.off('data', onData);
      const text = buf.subarray(0, end).toString('latin1');
      const rest = buf.subarray(end + 4);
      const method = text.slice(0, text.indexOf(' '));
      const cookie = /\r\nx-sessioncookie:\s*(\S+)/i.exec(text)?.[1];
      if (!cookie) {
        sock.end('HTTP/1.0 400 Bad Request\r\n\r\n');
        return;
      }
      if (method === 'GET') {
        sock.write(
          'HTTP/1.0 200 OK\r\nServer: mediagraph\r\nConnection: close\r\nCache-Control: no-store\r\nPragma: no-cache\r\nContent-Type: application/x-rtsp-tunnelled\r\n\r\n',
        );
        tunnels.set(cookie, { out: sock });
        sock.on('close', () => tunnels.delete(cookie));
        return;
      }
      const t = tunnels.get(cookie);
      if (!t) {
        sock.end('HTTP/1.0 404 Not Found\r\n\r\n');
        return;
      }
      const out = socketOutput(t.out);
      const feed = rtspConnection(out, () => {
        t.out.destroy();
        sock.destroy();
      });
      t.out.on('close', () => {
        feed.closed();
        sock.destroy();
      });
      // The POST body is base64 in arbitrary chunks: decode whole quads only.
      let b64 = '';
      const onPost = (chunk: Buffer) => {
        b64 += chunk.toString('latin1').replace(/[^A-Za-z0-9+/=]/g, '');
        const usable = b64.length - (b64.length % 4);
        if (usable === 0) return;
        const bytes = Buffer.from(b64.slice(0, usable), 'base64');
        b64 = b64.slice(usable);
        feed.push(bytes);
      };
      if (rest.length > 0) onPost(rest);
      sock.on('data', onPost);
    };
    sock.on('data', onData);
    tryHead();
  }

  function socketOutput(sock: Socket): Output {
    return {
      write(bytes) {
        if (!sock.destroyed) sock.write(bytes);
      },
      pending: () => sock.writableLength,
      close: () => sock.destroy(),
    };
  }

  /** One RTSP control connection (plain or tunnelled). */
  function rtspConnection(out: Output, destroy: () => void): { push(b: Uint8Array): void; closed(): void } {
    const parser = new RtspStreamParser();
    let session: ClientSession | undefined;
    let requestCount = 0;
    let dead = false;

    const reply = (req: RtspRequest, status: number, headers: RtspHeader[] = [], body?: string) => {
      const cseq = getHeader(req, 'CSeq');
      const all: RtspHeader[] = [];
      // a CSeq is echoed only if it is one (a hostile client may put line breaks in it)
      if (cseq !== undefined && !q.omitCSeq && /^\s*\d{1,10}\s*$/.test(cseq)) all.push(['CSeq', cseq.trim()]);
      all.push(['Server', 'mediagraph-sim'], ...headers);
      let bytes: Uint8Array;
      try {
        bytes = serializeResponse({ status, headers: all, ...(body !== undefined ? { body } : {}) });
      } catch {
        bytes = serializeResponse({ status: 400, headers: [['Server', 'mediagraph-sim']] });
      }
      out.write(bytes);
    };

    const endSession = () => {
      if (!session) return;
      session.stop?.();
      for (const t of session.timers) clearTimeout(t);
      sessions.delete(session.id);
      session = undefined;
    };

    const handle = (req: RtspRequest) => {
      stats.requests++;
      requestCount++;
      opts.onRequest?.(req);
      if (q.garbageAfterRequests !== undefined && requestCount > q.garbageAfterRequests) {
        // Fixed bytes, so the test is repeatable: random ones can by chance look like the start of a
        // message (a token then a space) and leave the client waiting for the rest.
        out.write(GARBAGE);
        return;
      }
      if (q.ignoreMethods?.includes(req.method)) return;
      if (q.rejectMethods?.includes(req.method)) {
        reply(req, 405, [['Allow', ALL_METHODS.filter((m) => !q.rejectMethods?.includes(m)).join(', ')]]);
        return;
      }
      if (opts.auth && req.method !== 'OPTIONS' && !authorized(req)) return;
      let path: string;
      let trackId: number | undefined;
      try {
        ({ path, trackId } = splitUri(req.uri));
      } catch {
        reply(req, 400);
        return;
      }
      switch (req.method) {
        case 'OPTIONS':
          reply(req, 200, [['Public', (q.publicMethods ?? ALL_METHODS).join(', ')]]);
          return;
        case 'DESCRIBE': {
          if (q.redirectTo !== undefined) {
            reply(req, 302, [['Location', q.redirectTo]]);
            return;
          }
          const stream = opts.streams(path);
          if (!stream) {
            reply(req, 404);
            return;
          }
          const headers: RtspHeader[] = [['Content-Type', 'application/sdp']];
          if (!q.omitContentBase) headers.push(['Content-Base', `${url(path)}/`]);
          reply(req, 200, headers, stream.sdp);
          return;
        }
        case 'SETUP': {
          const stream = opts.streams(path);
          if (!stream || trackId === undefined) {
            reply(req, 404);
            return;
          }
          const transportText = getHeader(req, 'Transport');
          let requested: TransportSpec | undefined;
          try {
            requested = transportText !== undefined ? parseTransport(transportText)[0] : undefined;
          } catch {
            requested = undefined;
          }
          if (!requested) {
            reply(req, 461);
            return;
          }
          const sessionHeader = getHeader(req, 'Session');
          if (session && sessionHeader !== undefined && sessionHeader.split(';')[0]?.trim() !== session.id) {
            reply(req, 454);
            return;
          }
          if (!session) {
            session = { id: randomBytes(6).toString('hex').toUpperCase(), tracks: new Map(), timers: [], rtpStopped: false };
            sessions.set(session.id, session);
          }
          const ssrc = q.omitSsrc ? undefined : (stream.ssrcOf?.(trackId) ?? randomBytes(4).readUInt32BE(0));
          let answer: TransportSpec;
          if (requested.lowerTransport === 'TCP') {
            const base = requested.interleaved ?? [2 * trackId, 2 * trackId + 1];
            const off = q.interleavedChannelOffset ?? 0;
            answer = {
              protocol: 'RTP/AVP/TCP',
              lowerTransport: 'TCP',
              delivery: 'unicast',
              interleaved: [base[0] + off, base[1] + off],
              ...(ssrc !== undefined ? { ssrc } : {}),
            };
          } else {
            const ports = requested.clientPort;
            // port 0 (or out of range) cannot be sent to: refuse the transport, never throw later
            if (!ports || !ports.every((n) => Number.isInteger(n) && n > 0 && n < 65536)) {
              reply(req, 461);
              return;
            }
            answer = {
              protocol: 'RTP/AVP',
              lowerTransport: 'UDP',
              delivery: 'unicast',
              clientPort: requested.clientPort,
              serverPort: [udpPort(udpRtp), udpPort(udpRtcp)],
              ...(ssrc !== undefined ? { ssrc } : {}),
            };
          }
          session.tracks.set(trackId, { transport: answer, clientHost: host });
          reply(req, 200, [
            ['Transport', formatTransport(answer)],
            ['Session', `${session.id};timeout=${q.sessionTimeoutSec ?? 60}`],
          ]);
          return;
        }
        case 'PLAY': {
          const stream = opts.streams(path);
          if (!session || !checkSession(req, session)) {
            reply(req, 454);
            return;
          }
          if (!stream) {
            reply(req, 404);
            return;
          }
          stats.plays++;
          const s = session;
          session.stop?.();
          session.stop = stream.play(makeSink(s, out));
          const answer = () =>
            reply(req, 200, [
              ['Session', s.id],
              ['Range', 'npt=now-'],
            ]);
          if (q.delayPlayResponseMs !== undefined) s.timers.push(setTimeout(answer, q.delayPlayResponseMs));
          else answer();
          if (q.closeAfterPlayMs !== undefined)
            s.timers.push(
              setTimeout(() => {
                endSession();
                destroy();
              }, q.closeAfterPlayMs),
            );
          if (q.stopRtpAfterPlayMs !== undefined)
            s.timers.push(
              setTimeout(() => {
                s.rtpStopped = true;
              }, q.stopRtpAfterPlayMs),
            );
          return;
        }
        case 'GET_PARAMETER':
          if (session && !checkSession(req, session)) {
            reply(req, 454);
            return;
          }
          reply(req, 200, session ? [['Session', session.id]] : []);
          return;
        case 'TEARDOWN':
          stats.teardowns++;
          endSession();
          reply(req, 200);
          return;
        default:
          reply(req, 501);
      }
    };

    const authorized = (req: RtspRequest): boolean => {
      const a = opts.auth as RtspServerAuth;
      const verdict = verifyAuthorization(getHeader(req, 'Authorization'), a, req.method, (n) => {
        const born = nonceIssuedAt(n);
        return born !== undefined && (a.nonceLifetimeMs === undefined || Date.now() - born < a.nonceLifetimeMs);
      });
      if (verdict === 'ok') return true;
      const challenges: AuthChallenge[] = [];
      if (a.scheme === 'digest') {
        const nonce = issueNonce();
        for (const alg of a.algorithms ?? ['MD5']) {
          challenges.push({
            scheme: 'digest',
            params: {
              realm: 'mediagraph',
              nonce,
              ...(a.qop === false ? {} : { qop: 'auth' }),
              ...(alg === 'SHA-256' ? { algorithm: 'SHA-256' } : {}),
              ...(verdict === 'stale' ? { stale: 'TRUE' } : {}),
            },
          });
        }
      }
      if (a.scheme === 'basic' || a.alsoBasic) challenges.push({ scheme: 'basic', params: { realm: 'mediagraph' } });
      reply(
        req,
        401,
        challenges.map((c) => ['WWW-Authenticate', formatChallenge(c)] as const),
      );
      return false;
    };

    return {
      push(bytes) {
        if (dead) return;
        let items;
        try {
          items = parser.push(bytes);
        } catch {
          dead = true;
          out.write(serializeResponse({ status: 400, headers: [] }));
          destroy();
          return;
        }
        for (const item of items) {
          if (item.kind === 'request') handle(item);
          else if (item.kind === 'interleaved') stats.rtcpFromClients++;
        }
      },
      closed() {
        dead = true;
        endSession();
      },
    };
  }

  function checkSession(req: RtspRequest, s: ClientSession): boolean {
    const h = getHeader(req, 'Session');
    return h === undefined || h.split(';')[0]?.trim() === s.id;
  }

  function makeSink(s: ClientSession, out: Output): RtspMediaSink {
    let sent = 0;
    const send = (track: number, packet: Uint8Array, rtcp: boolean) => {
      if (s.rtpStopped) return;
      if (!rtcp && q.dropRtpEvery !== undefined && ++sent % q.dropRtpEvery === 0) return;
      const t = s.tracks.get(track);
      if (!t) return;
      const tr = t.transport;
      if (tr.interleaved) {
        if (out.pending() > MAX_QUEUED_BYTES) {
          stats.droppedPackets++;
          return;
        }
        out.write(serializeInterleaved(rtcp ? tr.interleaved[1] : tr.interleaved[0], packet));
      } else if (tr.clientPort) {
        try {
          (rtcp ? udpRtcp : udpRtp).send(packet, rtcp ? tr.clientPort[1] : tr.clientPort[0], t.clientHost);
        } catch {
          stats.droppedPackets++; // a send error must not escape a media timer
        }
      }
    };
    return {
      sessionId: s.id,
      tracks: new Set(s.tracks.keys()),
      sendRtp: (track, packet) => send(track, packet, false),
      sendRtcp: (track, packet) => send(track, packet, true),
    };
  }

  return {
    host,
    port,
    url,
    stats,
    async close() {
      for (const s of sessions.values()) {
        s.stop?.();
        for (const t of s.timers) clearTimeout(t);
      }
      sessions.clear();
      for (const sock of sockets) sock.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      udpRtp.close();
      udpRtcp.close();
    },
  };
}

function splitUri(uri: string): { path: string; trackId?: number } {
  const u = new URL(uri);
  let path = decodeURIComponent(u.pathname);
  let trackId: number | undefined;
  const m = /\/trackID=(\d+)\/?$/.exec(path);
  if (m) {
    trackId = Number(m[1]);
    path = path.slice(0, m.index);
  }
  path = path.replace(/\/+$/, '');
  return trackId === undefined ? { path } : { path, trackId };
}

function udpPort(s: UdpSocket): number {
  return s.address().port;
}

async function bindPair(rtp: UdpSocket, rtcp: UdpSocket, host: string): Promise<void> {
  const bind = (s: UdpSocket, port: number) =>
    new Promise<boolean>((resolve) => {
      const onErr = () => resolve(false);
      s.once('error', onErr);
      s.bind(port, host, () => {
        s.off('error', onErr);
        resolve(true);
      });
    });
  if (await bind(rtp, 0)) {
    if (await bind(rtcp, 0)) return;
  }
  throw new Error('cannot bind server UDP sockets');
}
