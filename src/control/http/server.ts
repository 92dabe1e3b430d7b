// The HTTP control plane (docs/architecture.md, Control plane): a thin adapter over one MediaGraphHost, on node:http.
// Loopback by default; any other address needs a bearer token, and with a token every route
// but /healthz requires it.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createHash, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { MediaGraphHost } from '../../runtime/host.ts';
import { HttpError, sendError } from './http-io.ts';
import { HttpMetrics, type MetricsContributor } from './metrics.ts';
import { Router, type Route, type HttpMethod } from './router.ts';
import { methodRoutes } from './routes/methods.ts';
import { topologyRoutes, instanceRoutes } from './routes/resources.ts';
import { eventRoutes, type EventRouteOptions } from './routes/events.ts';
import { healthRoutes } from './routes/health.ts';
import { playbackRoutes } from './routes/playback.ts';
import { assetDeletionRoutes } from './routes/asset-deletion.ts';
import { viewerRoutes } from './routes/viewer.ts';
import { downloadRoutes } from './routes/download.ts';
import { cameraBoardFor } from './viewer/camera-status.ts';
import type { PlaybackSource } from './playback/source.ts';
import { RecordingAssets } from './playback/recording-assets.ts';
import { fleetRoutes } from './routes/fleet.ts';
import type { FleetView } from '../../fleet/fleet-view.ts';

/** How long close() lets running requests (e.g. a deactivation) finish before cutting them. */
const CLOSE_GRACE_MS = 5000;

export interface HttpServerOptions {
  /** Address to bind; default 127.0.0.1. Anything but loopback requires `token`. */
  readonly host?: string;
  /** 0 (the default) picks any free port. */
  readonly port?: number;
  /** Bearer token required on every route except /healthz. */
  readonly token?: string;
  /** Where recorded assets are read for playback; without it the playback routes answer 503. */
  readonly playback?: PlaybackSource;
  /** Interval of SSE keep-alive comments (default 15 s). */
  readonly sseKeepAliveMs?: number;
  /** Bytes one SSE client may leave unread before it is dropped (default 1 MiB). */
  readonly sseMaxBufferedBytes?: number;
  /** How long a dropped SSE client has to read its final `dropped` event before it is cut (default 10 s). */
  readonly sseDropGraceMs?: number;
  /** Fleet mode: answers `GET /api/fleet`. */
  readonly fleet?: { view(): Promise<FleetView> };
}

export interface HttpServerHandle {
  /** `http://host:port` as bound (IPv6 in brackets). */
  readonly url: string;
  /** Adds metrics to the server's own Prometheus registry. */
  registerMetrics(fn: MetricsContributor): void;
  /** Ends event streams, stops listening and closes connections. */
  close(): Promise<void>;
}

/** Every route the server answers, in dispatch order (also checked against docs/openapi.json). */
export function routeTable(events: EventRouteOptions = {}): readonly Route[] {
  return [
    ...healthRoutes,
    ...methodRoutes,
    ...topologyRoutes,
    ...instanceRoutes,
    ...eventRoutes(events),
    ...playbackRoutes,
    ...downloadRoutes,
    ...assetDeletionRoutes,
    ...viewerRoutes,
    ...fleetRoutes,
  ];
}

/** (method, path template) of every route, e.g. `GET /api/topologies/{name}`. */
export const ROUTES: readonly { readonly method: HttpMethod; readonly path: string }[] = routeTable().map((r) => ({ method: r.method, path: r.path }));

export function isLoopback(address: string): boolean {
  const a = address.toLowerCase().replace(/^\[|\]$/g, '');
  return a === 'localhost' || a === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(a) || a === '::ffff:127.0.0.1';
}

function tokenCheck(token: string): (header: string | undefined) => boolean {
  // Compare digests so the comparison time depends on neither length nor content.
  const expected = createHash('sha256').update(token).digest();
  return (header) => {
    const m = /^Bearer\s+(.+)$/i.exec(header ?? '');
    if (!m) return false;
    return timingSafeEqual(createHash('sha256').update(m[1]!.trim()).digest(), expected);
  };
}

/** The request target as a URL; `//x` would otherwise read as a host name and throw (a 500). */
function requestUrl(target: string): URL {
  if (!target.startsWith('/')) throw new HttpError(400, 'InvalidRequestTarget', 'the request target must be a path starting with "/"');
  try {
    return new URL(`http://localhost${target}`);
  } catch {
    throw new HttpError(400, 'InvalidRequestTarget', 'the request target is not a valid path');
  }
}

const TOKEN_COOKIE = 'mediagraph_token';

/** The viewer's cookie as an Authorization header value, so one check serves both. */
function bearerFromCookie(cookie: string | undefined): string | undefined {
  for (const part of (cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === TOKEN_COOKIE) {
      try {
        return `Bearer ${decodeURIComponent(part.slice(eq + 1).trim())}`;
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

function hostName(hostHeader: string): string {
  try {
    return new URL(`http://${hostHeader}`).hostname;
  } catch {
    return '';
  }
}

/**
 * Guards for a server that browsers can reach: on loopback, a web page could otherwise drive
 * the host through DNS rebinding (its own name resolving to 127.0.0.1) or a cross-site POST.
 */
function checkOrigin(req: IncomingMessage, loopbackOnly: boolean): void {
  const hostHeader = req.headers.host ?? '';
  if (loopbackOnly && !isLoopback(hostName(hostHeader))) {
    throw new HttpError(403, 'HostNotAllowed', 'this server listens on loopback and answers only loopback host names (localhost, 127.0.0.1, [::1])');
  }
  const origin = req.headers.origin;
  if (origin !== undefined && req.method !== 'GET' && req.method !== 'HEAD') {
    let originHost = '';
    try {
      originHost = new URL(origin).host;
    } catch {
      // "null" and other opaque origins are cross-origin
    }
    if (originHost !== hostHeader) throw new HttpError(403, 'CrossOriginRequest', "requests that change something must come from this server's own pages");
  }
}

export async function startHttpServer(host: MediaGraphHost, opts: HttpServerOptions = {}): Promise<HttpServerHandle> {
  const bind = opts.host ?? '127.0.0.1';
  if (opts.token !== undefined && opts.token.length < 16) {
    throw new Error('the bearer token must be at least 16 characters long');
  }
  if (!isLoopback(bind) && !opts.token) {
    throw new Error(
      `refusing to listen on ${bind} without a bearer token: anyone on the network could control the host; give a token (e.g. --token or MEDIAGRAPH_TOKEN), or bind 127.0.0.1`,
    );
  }
  const authorized = opts.token ? tokenCheck(opts.token) : undefined;
  const loopbackOnly = isLoopback(bind);
  const metrics = new HttpMetrics(host);
  const router = new Router(
    routeTable({
      ...(opts.sseKeepAliveMs !== undefined ? { keepAliveMs: opts.sseKeepAliveMs } : {}),
      ...(opts.sseMaxBufferedBytes !== undefined ? { maxBufferedBytes: opts.sseMaxBufferedBytes } : {}),
      ...(opts.sseDropGraceMs !== undefined ? { dropGraceMs: opts.sseDropGraceMs } : {}),
    }),
  );
  let hostOpen = true;
  let closingServer = false;
  const hostWatch = host.events$.subscribe({ complete: () => (hostOpen = false) });
  const recordingAssets = new RecordingAssets(host.events$);
  // the viewer's camera status is built from events: watch them from the start
  cameraBoardFor(host);
  let signalClosing!: () => void;
  const closing = new Promise<void>((resolve) => (signalClosing = resolve));
  const log = (message: string): void => host.logger.error('http request failed', { error: message });

  let inFlight = 0;
  let idle: (() => void) | undefined;
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    res.setHeader('x-content-type-options', 'nosniff');
    inFlight++;
    try {
      const url = requestUrl(req.url ?? '/');
      checkOrigin(req, loopbackOnly);
      const { route, params } = router.match(req.method ?? 'GET', url.pathname);
      if (authorized && !route.public && !authorized(req.headers.authorization) && !authorized(bearerFromCookie(req.headers.cookie))) {
        // A browser cannot add a header to page loads, EventSource or media requests: opening
        // `/?token=…` once trades the token for an HttpOnly cookie and drops it from the URL.
        // SameSite=Lax: a link from elsewhere still opens the viewer, while cross-site
        // POST/PUT/DELETE (the only routes that change anything) never carry the cookie.
        const fromUrl = url.searchParams.get('token');
        if (route.path === '/' && fromUrl !== null && authorized(`Bearer ${fromUrl}`)) {
          res.writeHead(303, {
            location: '/',
            'set-cookie': `${TOKEN_COOKIE}=${encodeURIComponent(fromUrl)}; HttpOnly; SameSite=Lax; Path=/`,
            'cache-control': 'no-store',
          });
          res.end();
          return;
        }
        throw new HttpError(401, 'Unauthorized', 'this server requires "Authorization: Bearer <token>" (browsers: open /?token=<token> once)');
      }
      await route.handler({
        host,
        metrics,
        playback: opts.playback,
        recordingAssets,
        ...(opts.fleet ? { fleet: opts.fleet } : {}),
        req,
        res,
        params,
        query: url.searchParams,
        closing,
        ready: () => hostOpen && !closingServer,
      });
    } catch (e) {
      sendError(res, e, log);
    } finally {
      if (--inFlight === 0) idle?.();
    }
  }

  const server = createServer((req, res) => void handle(req, res));
  server.headersTimeout = 30_000;
  // CONNECT (proxy tunnels) is no route of ours; without a listener Node drops the socket unanswered
  server.on('connect', (_req, socket) => {
    socket.on('error', () => undefined);
    socket.end('HTTP/1.1 405 Method Not Allowed\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, bind, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shownHost = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  let closed: Promise<void> | undefined;
  return {
    url: `http://${shownHost}:${address.port}`,
    registerMetrics: (fn) => metrics.registerMetrics(fn),
    close: () => {
      closed ??= (async () => {
        closingServer = true;
        signalClosing();
        hostWatch.unsubscribe();
        recordingAssets.close();
        metrics.close();
        const done = new Promise<void>((resolve) => server.close(() => resolve()));
        // Event streams end on the closing signal; other requests get a grace period to finish,
        // then every connection (keep-alive ones included) is cut.
        if (inFlight > 0) {
          await new Promise<void>((resolve) => {
            idle = resolve;
            setTimeout(resolve, CLOSE_GRACE_MS).unref();
          });
        }
        server.closeAllConnections();
        await done;
      })();
      return closed;
    },
  };
}
