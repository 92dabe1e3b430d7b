// RTSP 1.0 client: OPTIONS → DESCRIBE → SETUP per track → PLAY, then keep-alive, RTCP
// receiver reports and media-silence detection until stop() sends TEARDOWN. One instance
// is one session attempt; reconnecting is the caller's job (a fresh instance each time).
//
// RTP is delivered raw (`onRtp(trackIndex, bytes, arrivalMs)`); parsing, reordering and
// depacketizing belong to the media session layer.
import { RtspStreamParser, type RtspStreamSink } from '../parser.ts';
import { serializeInterleaved, serializeRequest } from '../serialize.ts';
import { RtspError, RtspParseError } from '../errors.ts';
import { bodyText, getCSeq, getHeader, getHeaders, type RtspHeader, type RtspResponse } from '../message.ts';
import { Authenticator } from '../authenticator.ts';
import { formatTransport, parseTransport, type TransportSpec } from '../headers/transport.ts';
import { DEFAULT_SESSION_TIMEOUT_SEC, parseSession, type SessionHeader } from '../headers/session.ts';
import { parseRtpInfo, type RtpInfoEntry } from '../headers/rtp-info.ts';
import { controlBase, parseRtspUrl, redactText, redactUrl, resolveControlUrl, rtspOrigin, rtspOriginOf, type RtspUrlParts } from '../headers/url.ts';
import { parseSdp, type SdpMedia, type SessionDescription } from '../../sdp/sdp.ts';
import { SdpParseError } from '../../sdp/errors.ts';
import { connectHttpTunnel, connectRtsp, type RtspConnection, type TlsOptions } from './connection.ts';
import { openUdpPair, type UdpPair } from './udp-pair.ts';
import { sharedTicker, type PeriodicTicker } from './periodic-ticker.ts';

export type RtspTransportKind = 'tcp' | 'udp' | 'http';

export interface RtspClientOptions {
  /** rtsp:// or rtsps:// URL; userinfo, if any, is used as credentials and never logged. */
  readonly url: string;
  readonly username?: string;
  readonly password?: string;
  /** `tcp` (interleaved, default), `udp`, or `http` (RTSP over HTTP tunnelling, LVA's `Http`). */
  readonly transport?: RtspTransportKind;
  readonly tls?: TlsOptions;
  /** Deadline for connecting and for each request (default 10 s). */
  readonly requestTimeoutMs?: number;
  /** No RTP on any track for this long after PLAY is an error (default 10 s; 0 disables). */
  readonly mediaTimeoutMs?: number;
  readonly maxRedirects?: number;
  /**
   * Other origins (`rtsp://host:port`) the user trusts with the same credentials. A redirect
   * to any origin but the configured URL's and these proceeds without credentials.
   */
  readonly credentialOrigins?: readonly string[];
  /** Keep-alive period; default half the Session timeout. */
  readonly keepAliveMs?: number;
  /**
   * onRtp/onRtcp bytes are valid only during the call (the handler copies what it keeps):
   * the socket is then read into one reused buffer, with no allocation per read. Default false.
   */
  readonly transientMedia?: boolean;
  /** Period of RTCP receiver reports (default 5 s; 0 disables). */
  readonly rtcpIntervalMs?: number;
  readonly userAgent?: string;
  /** Which SDP media to set up (default: every media with an RTP payload type). */
  readonly selectMedia?: (media: SdpMedia, index: number) => boolean;
  /** Builds the RTCP receiver report for a track, or undefined to skip it this round. */
  readonly buildReceiverReport?: (trackIndex: number) => Uint8Array | undefined;
  /** Wall clock for arrival times (injectable for tests). */
  readonly now?: () => number;
  /** Runs keep-alive, the media-silence check and RTCP reports (default: the process's shared one). */
  readonly ticker?: PeriodicTicker;
}

export interface RtspClientTrack {
  /** Index among the set-up tracks (the `trackIndex` passed to onRtp). */
  readonly index: number;
  /** Index of the media in the SDP. */
  readonly mediaIndex: number;
  readonly media: SdpMedia;
  readonly controlUrl: string;
  readonly transport: TransportSpec;
}

export interface RtspSessionInfo {
  /** The URL the session runs on after redirects, without credentials. */
  readonly url: string;
  readonly sdp: SessionDescription;
  readonly sdpText: string;
  readonly tracks: readonly RtspClientTrack[];
  readonly session: SessionHeader;
  readonly rtpInfo: readonly RtpInfoEntry[];
  readonly transport: RtspTransportKind;
}

export interface RtspClientHandlers {
  onRtp?(trackIndex: number, bytes: Uint8Array, arrivalMs: number): void;
  onRtcp?(trackIndex: number, bytes: Uint8Array, arrivalMs: number): void;
  /** A terminal error after start() resolved (server closed, silence, keep-alive failed). */
  onError?(err: RtspError): void;
  /** Human-readable progress, already redacted. */
  onLog?(level: 'debug' | 'info' | 'warn', message: string): void;
}

type State = 'idle' | 'connecting' | 'describing' | 'setting-up' | 'playing' | 'closed';

interface Pending {
  readonly cseq: number;
  readonly method: string;
  resolve(r: RtspResponse): void;
  reject(e: Error): void;
  timer: NodeJS.Timeout;
}

interface ChannelRoute {
  readonly trackIndex: number;
  readonly rtcp: boolean;
}

export class RtspClient {
  private state: State = 'idle';
  private target: RtspUrlParts;
  private readonly username: string | undefined;
  private readonly password: string | undefined;
  /** Hidden from every message: the user's password, and any a redirect's Location carried. */
  private readonly secrets: (string | undefined)[] = [];
  private auth: Authenticator;
  /** The Authenticator with the user's credentials (kept while a redirect goes elsewhere). */
  private readonly userAuth: Authenticator;
  private authIsUsers = true;
  private readonly configuredOrigin: string;
  /** Origins our credentials may be sent to: the configured URL's and any the user added. */
  private readonly credentialOrigins: ReadonlySet<string>;
  /** Set after a redirect to an origin our credentials are not for (named in auth errors). */
  private withheldFrom: { readonly from: string; readonly to: string } | undefined;
  private readonly transportKind: RtspTransportKind;
  private readonly requestTimeoutMs: number;
  private readonly mediaTimeoutMs: number;
  private readonly rtcpIntervalMs: number;
  private readonly userAgent: string;
  private readonly now: () => number;
  private conn: RtspConnection | undefined;
  private parser = new RtspStreamParser();
  private cseq = 0;
  private pending: Pending[] = [];
  private queue: Promise<unknown> = Promise.resolve();
  private session: SessionHeader | undefined;
  private publicMethods = new Set<string>();
  private tracks: RtspClientTrack[] = [];
  private channels = new Map<number, ChannelRoute>();
  private udp: UdpPair[] = [];
  /** Cancels the periodic work registered with the ticker while playing. */
  private periodic: (() => void)[] = [];
  private lastRtpMs = 0;
  private terminalError: RtspError | undefined;
  /** Interleaved frames on channels nobody announced (counted, dropped). */
  unknownChannelFrames = 0;

  constructor(
    private readonly opts: RtspClientOptions,
    private readonly handlers: RtspClientHandlers = {},
  ) {
    this.target = parseRtspUrl(opts.url);
    this.username = opts.username ?? this.target.username;
    this.password = opts.password ?? this.target.password;
    this.auth = new Authenticator(this.username !== undefined ? { username: this.username, password: this.password ?? '' } : undefined);
    this.userAuth = this.auth;
    this.secrets.push(this.password);
    this.configuredOrigin = rtspOrigin(this.target);
    this.credentialOrigins = new Set([this.configuredOrigin, ...(opts.credentialOrigins ?? []).map(originOfSetting)]);
    this.transportKind = opts.transport ?? 'tcp';
    this.requestTimeoutMs = opts.requestTimeoutMs ?? 10_000;
    this.mediaTimeoutMs = opts.mediaTimeoutMs ?? 10_000;
    this.rtcpIntervalMs = opts.rtcpIntervalMs ?? 5_000;
    this.userAgent = opts.userAgent ?? 'mediagraph';
    this.now = opts.now ?? Date.now;
  }

  get currentState(): State {
    return this.state;
  }

  /** Runs the handshake up to PLAY. Rejects with an RtspError; cleans up on failure. */
  async start(): Promise<RtspSessionInfo> {
    this.checkState('start', ['idle']);
    try {
      return await this.handshake();
    } catch (e) {
      const err = this.toRtspError(e);
      this.shutdown();
      throw err;
    }
  }

  /** TEARDOWN (best effort, bounded) and close everything. Idempotent. */
  async stop(): Promise<void> {
    if (this.state === 'closed') return;
    const hadSession = this.session !== undefined && this.conn !== undefined;
    this.clearTimers();
    if (hadSession) {
      try {
        await this.request('TEARDOWN', this.sessionUrl(), [], Math.min(this.requestTimeoutMs, 2000));
      } catch {
        // The server may already be gone; TEARDOWN is a courtesy.
      }
    }
    this.shutdown();
  }

  // ---- handshake ----

  private async handshake(): Promise<RtspSessionInfo> {
    const maxRedirects = this.opts.maxRedirects ?? 3;
    let redirects = 0;
    let describe: RtspResponse;
    for (;;) {
      this.state = 'connecting';
      await this.connect();
      this.state = 'describing';
      const options = await this.request('OPTIONS', this.target.url, []);
      if (options.status >= 300 && options.status < 400) {
        // handled below through DESCRIBE's redirect logic too; some cameras redirect OPTIONS
        if (++redirects > maxRedirects) throw new RtspError('protocol', `more than ${maxRedirects} redirects`);
        this.redirectTo(options);
        continue;
      }
      if (options.status === 200) {
        for (const m of (getHeader(options, 'Public') ?? '').split(',')) this.publicMethods.add(m.trim().toUpperCase());
      } else if (options.status !== 404 && options.status !== 405 && options.status !== 501) {
        this.throwForStatus('OPTIONS', options);
      }
      describe = await this.request('DESCRIBE', this.target.url, [['Accept', 'application/sdp']]);
      if (describe.status >= 300 && describe.status < 400) {
        if (++redirects > maxRedirects) throw new RtspError('protocol', `more than ${maxRedirects} redirects`);
        this.redirectTo(describe);
        continue;
      }
      if (describe.status !== 200) this.throwForStatus('DESCRIBE', describe);
      break;
    }
    const sdpText = bodyText(describe);
    let sdp: SessionDescription;
    try {
      sdp = parseSdp(describe.body);
    } catch (e) {
      if (e instanceof SdpParseError) throw new RtspError('protocol', `bad SDP in DESCRIBE answer: ${e.message}`);
      throw e;
    }
    const base = controlBase(this.target.url, getHeader(describe, 'Content-Base'), getHeader(describe, 'Content-Location'));
    this.aggregateUrl = resolveControlUrl(base, sdp.control);

    this.state = 'setting-up';
    const select = this.opts.selectMedia ?? ((m: SdpMedia) => m.formats.length > 0 && /RTP/i.test(m.protocol));
    for (let mi = 0; mi < sdp.media.length; mi++) {
      const media = sdp.media[mi] as SdpMedia;
      if (!select(media, mi)) continue;
      await this.setupTrack(media, mi, resolveControlUrl(base, media.control));
    }
    if (this.tracks.length === 0) throw new RtspError('unsupported', 'no track to set up in the SDP');

    const play = await this.request('PLAY', this.sessionUrl(), [['Range', 'npt=0.000-']]);
    if (play.status !== 200) this.throwForStatus('PLAY', play);
    let rtpInfo: RtpInfoEntry[] = [];
    const rtpInfoText = getHeader(play, 'RTP-Info');
    if (rtpInfoText) {
      try {
        rtpInfo = parseRtpInfo(rtpInfoText);
      } catch {
        /* advisory only */
      }
    }
    this.state = 'playing';
    this.lastRtpMs = this.now();
    this.startTimers();
    const session = this.session as SessionHeader;
    this.log('info', `playing ${redactUrl(this.target.url)} over ${this.transportKind}, ${this.tracks.length} track(s)`);
    return { url: this.target.url, sdp, sdpText, tracks: this.tracks, session, rtpInfo, transport: this.transportKind };
  }

  private aggregateUrl = '';

  private sessionUrl(): string {
    return this.aggregateUrl || this.target.url;
  }

  private async setupTrack(media: SdpMedia, mediaIndex: number, controlUrl: string): Promise<void> {
    const index = this.tracks.length;
    let requested: TransportSpec;
    let pair: UdpPair | undefined;
    if (this.transportKind === 'udp') {
      pair = await openUdpPair();
      this.udp.push(pair);
      requested = { protocol: 'RTP/AVP', lowerTransport: 'UDP', delivery: 'unicast', clientPort: [pair.rtpPort, pair.rtpPort + 1] };
    } else {
      requested = { protocol: 'RTP/AVP/TCP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [2 * index, 2 * index + 1] };
    }
    const headers: RtspHeader[] = [['Transport', formatTransport(requested)]];
    const res = await this.request('SETUP', controlUrl, headers);
    if (res.status === 461) throw new RtspError('unsupported', `server does not support ${this.transportKind} transport`, 461);
    if (res.status !== 200) this.throwForStatus('SETUP', res);
    const sessionText = getHeader(res, 'Session');
    if (sessionText === undefined && this.session === undefined) throw new RtspError('protocol', 'SETUP answer without Session');
    if (sessionText !== undefined) {
      try {
        const s = parseSession(sessionText);
        if (this.session === undefined) this.session = s;
      } catch (e) {
        throw new RtspError('protocol', e instanceof Error ? e.message : 'bad Session');
      }
    }
    const transportText = getHeader(res, 'Transport');
    let transport: TransportSpec = requested;
    if (transportText !== undefined) {
      try {
        transport = parseTransport(transportText)[0] as TransportSpec;
      } catch (e) {
        throw new RtspError('protocol', `bad Transport in SETUP answer: ${e instanceof Error ? e.message : ''}`);
      }
    }
    if (this.transportKind === 'udp') {
      if (transport.lowerTransport !== 'UDP') throw new RtspError('unsupported', 'server answered a UDP SETUP with a TCP transport');
      this.attachUdp(index, pair as UdpPair, transport);
    } else {
      if (transport.lowerTransport !== 'TCP') throw new RtspError('unsupported', 'server answered a TCP SETUP with a UDP transport');
      // The server may pick other channels than we asked for; route both the answered and
      // the requested pair, since some servers announce one and send on the other.
      const ch = transport.interleaved ?? requested.interleaved ?? [2 * index, 2 * index + 1];
      for (const [c, rtcp] of [
        [ch[0], false],
        [ch[1], true],
        [2 * index, false],
        [2 * index + 1, true],
      ] as const) {
        if (!this.channels.has(c)) this.channels.set(c, { trackIndex: index, rtcp });
      }
      transport = { ...transport, interleaved: ch };
    }
    this.tracks.push({ index, mediaIndex, media, controlUrl, transport });
  }

  private attachUdp(index: number, pair: UdpPair, transport: TransportSpec): void {
    const serverHost = transport.source ?? this.target.host;
    // Only packets from the server's address are media; a host name cannot be checked here.
    const isIp = /^[\d.]+$|:/.test(serverHost);
    const from = (addr: string) => !isIp || addr === serverHost || addr === '::ffff:' + serverHost;
    pair.rtp.on('message', (msg, rinfo) => {
      if (!from(rinfo.address)) return;
      this.onMedia(index, new Uint8Array(msg.buffer, msg.byteOffset, msg.length), false);
    });
    pair.rtcp.on('message', (msg, rinfo) => {
      if (!from(rinfo.address)) return;
      this.onMedia(index, new Uint8Array(msg.buffer, msg.byteOffset, msg.length), true);
    });
  }

  // ---- transport of RTSP messages ----

  private async connect(): Promise<void> {
    this.conn?.close();
    const t = {
      host: this.target.host,
      port: this.target.port,
      secure: this.target.secure,
      timeoutMs: this.requestTimeoutMs,
      ...(this.opts.tls ? { tls: this.opts.tls } : {}),
    };
    let conn: RtspConnection;
    if (this.transportKind === 'http') {
      const path = new URL(this.target.url).pathname + new URL(this.target.url).search;
      // The tunnel usually listens on the RTSP port; an explicit http port is the caller's URL choice.
      conn = await connectHttpTunnel(t, path || '/', this.userAgent);
    } else {
      conn = await connectRtsp(t, this.opts.transientMedia ?? false);
    }
    if (this.state === 'closed') {
      conn.close();
      throw new RtspError('closed', 'client stopped');
    }
    this.conn = conn;
    this.parser = new RtspStreamParser({ transientInput: conn.transient });
    conn.start(
      (chunk) => this.onBytes(conn, chunk),
      (err) => this.onConnectionClosed(conn, err),
    );
  }

  private onBytes(conn: RtspConnection, chunk: Uint8Array): void {
    if (conn !== this.conn) return;
    // one arrival time per read, taken when its first frame is found: every frame in it arrived together
    this.chunkArrivalMs = NaN;
    try {
      this.parser.feed(chunk, this.sink);
    } catch (e) {
      if (!(e instanceof RtspParseError)) throw e;
      this.fail(new RtspError('protocol', `server sent garbage: ${e.message}`));
    }
  }

  private chunkArrivalMs = NaN;

  /** Where the parser delivers what it finds in the server's bytes. */
  private readonly sink: RtspStreamSink = {
    onInterleaved: (channel, payload) => {
      const route = this.channels.get(channel);
      if (!route) {
        this.unknownChannelFrames++;
        return;
      }
      if (Number.isNaN(this.chunkArrivalMs)) this.chunkArrivalMs = this.now();
      this.onMedia(route.trackIndex, payload, route.rtcp, this.chunkArrivalMs);
    },
    onMessage: (item) => {
      if (item.kind === 'response') {
        this.onResponse(item);
      } else {
        // Servers may send requests (e.g. ANNOUNCE, GET_PARAMETER pings); answer politely.
        const cseq = getHeader(item, 'CSeq');
        this.conn?.write(serializeRequestAnswer(cseq));
      }
    },
  };

  private onResponse(res: RtspResponse): void {
    const cseq = getCSeq(res);
    // Match by CSeq; a response without one answers the oldest request. Anything else is a
    // stale answer to a request that already timed out.
    const idx = cseq === undefined ? (this.pending.length > 0 ? 0 : -1) : this.pending.findIndex((p) => p.cseq === cseq);
    if (idx < 0) return;
    const p = this.pending.splice(idx, 1)[0] as Pending;
    clearTimeout(p.timer);
    p.resolve(res);
  }

  private onMedia(trackIndex: number, bytes: Uint8Array, rtcp: boolean, t = this.now()): void {
    if (rtcp) {
      this.handlers.onRtcp?.(trackIndex, bytes, t);
    } else {
      this.lastRtpMs = t;
      this.handlers.onRtp?.(trackIndex, bytes, t);
    }
  }

  private onConnectionClosed(conn: RtspConnection, err?: Error): void {
    if (conn !== this.conn) return;
    this.conn = undefined;
    const reason = err ? `: ${(err as NodeJS.ErrnoException).code ?? err.message}` : '';
    const e = new RtspError(this.state === 'playing' ? 'protocol' : 'unreachable', `server closed the connection${reason}`);
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(e);
    }
    if (this.state === 'playing') this.fail(e);
  }

  /** Sends one request at a time (cameras mishandle pipelining), with auth retry. */
  private request(method: string, uri: string, headers: readonly RtspHeader[], timeoutMs = this.requestTimeoutMs): Promise<RtspResponse> {
    const run = async (): Promise<RtspResponse> => {
      let retried = false;
      for (let attempt = 0; attempt < 4; attempt++) {
        const res = await this.send(method, uri, headers, timeoutMs);
        if (res.status !== 401) return res;
        const verdict = this.auth.onUnauthorized(getHeaders(res, 'WWW-Authenticate'), retried);
        if (verdict !== 'retry') {
          const why =
            verdict === 'no-credentials'
              ? this.noCredentialsReason()
              : verdict === 'unsupported'
                ? 'no supported authentication scheme offered'
                : verdict === 'downgrade'
                  ? 'the server asks for Basic after Digest was used; the password is not sent in clear'
                  : 'credentials rejected';
          throw new RtspError(verdict === 'unsupported' ? 'unsupported' : 'auth-failed', `${method} ${redactUrl(uri)}: 401 Unauthorized (${why})`, 401);
        }
        retried = true;
      }
      throw new RtspError('auth-failed', `${method} ${redactUrl(uri)}: authentication did not converge`, 401);
    };
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  private send(method: string, uri: string, headers: readonly RtspHeader[], timeoutMs: number): Promise<RtspResponse> {
    return new Promise((resolve, reject) => {
      const conn = this.conn;
      if (!conn) {
        reject(new RtspError(this.state === 'closed' ? 'closed' : 'protocol', `${method}: not connected`));
        return;
      }
      const cseq = ++this.cseq;
      const all: RtspHeader[] = [['CSeq', String(cseq)], ['User-Agent', this.userAgent], ...headers];
      if (this.session && method !== 'OPTIONS' && method !== 'DESCRIBE') all.push(['Session', this.session.id]);
      const authz = this.auth.authorize(method, uri);
      if (authz !== undefined) all.push(['Authorization', authz]);
      const timer = setTimeout(() => {
        const i = this.pending.findIndex((x) => x.cseq === cseq);
        if (i >= 0) this.pending.splice(i, 1);
        reject(new RtspError('timeout', `${method} ${redactUrl(uri)}: no answer within ${timeoutMs} ms`));
      }, timeoutMs);
      this.pending.push({ cseq, method, resolve, reject, timer });
      conn.write(serializeRequest({ method, uri, headers: all }));
    });
  }

  private throwForStatus(method: string, res: RtspResponse): never {
    const what = `${method} ${redactUrl(this.target.url)}: ${res.status} ${redactText(res.reason, this.secrets)}`;
    if (res.status === 401 || res.status === 403) throw new RtspError('auth-failed', what, res.status);
    if (res.status === 404) throw new RtspError('not-found', what, 404);
    if (res.status === 461 || res.status === 501 || res.status === 551) throw new RtspError('unsupported', what, res.status);
    throw new RtspError('protocol', what, res.status);
  }

  private redirectTo(res: RtspResponse): void {
    const location = getHeader(res, 'Location');
    if (!location) throw new RtspError('protocol', `redirect ${res.status} without Location`, res.status);
    let next: RtspUrlParts;
    try {
      next = parseRtspUrl(new URL(location, this.target.url).toString());
    } catch {
      throw new RtspError('protocol', `redirect to an invalid URL ${redactUrl(location)}`);
    }
    this.log('info', `redirected to ${redactUrl(next.url)}`);
    const from = rtspOrigin(this.target);
    const to = rtspOrigin(next);
    this.withheldFrom = undefined;
    if (next.username !== undefined) {
      // Credentials in the Location were given by the redirecting server for that target.
      this.auth = new Authenticator({ username: next.username, password: next.password ?? '' });
      this.authIsUsers = false;
      if (next.password) this.secrets.push(next.password);
    } else if (this.credentialOrigins.has(to)) {
      // The user's credentials, but nothing sent before the new server's own challenge.
      if (to !== from || !this.authIsUsers) this.auth = (this.authIsUsers ? this.auth : this.userAuth).forNextServer();
      this.authIsUsers = true;
    } else {
      // Another origin: the user's password is not for it (a camera, or whoever controls its
      // answers, could name any host). Carry on without credentials.
      this.auth = new Authenticator(undefined);
      this.authIsUsers = false;
      if (this.username !== undefined) this.withheldFrom = { from: this.configuredOrigin, to };
    }
    this.target = next;
    this.conn?.close();
    this.conn = undefined;
  }

  private noCredentialsReason(): string {
    if (!this.withheldFrom) return 'credentials required';
    const { from, to } = this.withheldFrom;
    return (
      `redirected from ${from} to ${to}, another origin: the configured credentials are sent only to ${from}; ` +
      `to record from ${to}, configure its URL (with its credentials) as the camera's URL`
    );
  }

  // ---- playing ----

  private startTimers(): void {
    const ticker = this.opts.ticker ?? sharedTicker();
    const timeoutSec = this.session?.timeoutSec ?? DEFAULT_SESSION_TIMEOUT_SEC;
    const keepAliveMs = this.opts.keepAliveMs ?? Math.max(1000, (timeoutSec * 1000) / 2);
    const keepAliveMethod = this.publicMethods.has('GET_PARAMETER') ? 'GET_PARAMETER' : 'OPTIONS';
    this.periodic.push(
      ticker.every(keepAliveMs, () => {
        const uri = keepAliveMethod === 'OPTIONS' ? this.target.url : this.sessionUrl();
        this.request(keepAliveMethod, uri, []).then(
          (res) => {
            if (res.status === 454) this.fail(new RtspError('protocol', 'server forgot the session (454)', 454));
          },
          (e: unknown) => {
            if (this.state === 'playing') this.fail(this.toRtspError(e));
          },
        );
      }),
    );
    if (this.mediaTimeoutMs > 0) {
      const check = Math.max(50, Math.min(1000, this.mediaTimeoutMs / 4));
      this.periodic.push(
        ticker.every(check, () => {
          const silent = this.now() - this.lastRtpMs;
          if (silent >= this.mediaTimeoutMs) {
            this.fail(new RtspError('media-timeout', `no RTP from ${redactUrl(this.target.url)} for ${Math.round(silent)} ms`));
          }
        }),
      );
    }
    if (this.rtcpIntervalMs > 0 && this.opts.buildReceiverReport) {
      const build = this.opts.buildReceiverReport;
      this.periodic.push(
        ticker.every(this.rtcpIntervalMs, () => {
          for (const t of this.tracks) {
            const rr = build(t.index);
            if (rr) this.sendRtcp(t, rr);
          }
        }),
      );
    }
  }

  private sendRtcp(track: RtspClientTrack, bytes: Uint8Array): void {
    if (this.transportKind === 'udp') {
      const pair = this.udp[track.index];
      const port = track.transport.serverPort?.[1];
      if (pair && port !== undefined) pair.rtcp.send(bytes, port, this.target.host);
    } else if (track.transport.interleaved) {
      this.conn?.write(serializeInterleaved(track.transport.interleaved[1], bytes));
    }
  }

  private fail(err: RtspError): void {
    if (this.state === 'closed') return;
    const wasPlaying = this.state === 'playing';
    this.terminalError = err;
    this.log('warn', err.message);
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(err);
    }
    this.shutdown();
    if (wasPlaying) this.handlers.onError?.(err);
  }

  private shutdown(): void {
    this.state = 'closed';
    this.clearTimers();
    this.conn?.close();
    this.conn = undefined;
    for (const u of this.udp) u.close();
    this.udp = [];
    for (const p of this.pending.splice(0)) {
      clearTimeout(p.timer);
      p.reject(this.terminalError ?? new RtspError('closed', 'client stopped'));
    }
  }

  private clearTimers(): void {
    for (const cancel of this.periodic) cancel();
    this.periodic = [];
  }

  private checkState(op: string, allowed: readonly State[]): void {
    if (!allowed.includes(this.state)) {
      throw new RtspError('protocol', `${op} not allowed in state ${this.state} (allowed: ${allowed.join(', ')})`);
    }
  }

  private toRtspError(e: unknown): RtspError {
    if (e instanceof RtspError) return new RtspError(e.code, redactText(e.message, this.secrets), e.status);
    const m = e instanceof Error ? e.message : String(e);
    return new RtspError('protocol', redactText(m, this.secrets));
  }

  private log(level: 'debug' | 'info' | 'warn', message: string): void {
    this.handlers.onLog?.(level, redactText(message, this.secrets));
  }
}

/** `rtsp://host:port` (or a whole URL) as given in credentialOrigins, as an origin. */
function originOfSetting(text: string): string {
  try {
    return rtspOriginOf(text);
  } catch {
    throw new RtspError('protocol', `credentialOrigins: not an rtsp:// or rtsps:// origin: ${redactUrl(text)}`);
  }
}

function serializeRequestAnswer(cseq: string | undefined): Uint8Array {
  const headers: RtspHeader[] = cseq !== undefined ? [['CSeq', cseq]] : [];
  let text = 'RTSP/1.0 200 OK\r\n';
  for (const [n, v] of headers) text += `${n}: ${v}\r\n`;
  return new TextEncoder().encode(text + '\r\n');
}
