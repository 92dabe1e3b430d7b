// The route table: each route is (method, OpenAPI path template, handler). The same table
// drives dispatch and the OpenAPI consistency test, so the doc cannot drift from the server.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MediaGraphHost } from '../../runtime/host.ts';
import type { HttpMetrics } from './metrics.ts';
import type { PlaybackSource } from './playback/source.ts';
import type { RecordingAssets } from './playback/recording-assets.ts';
import type { FleetView } from '../../fleet/fleet-view.ts';
import { HttpError } from './http-io.ts';

export type HttpMethod = 'GET' | 'PUT' | 'POST' | 'DELETE';

export interface RouteContext {
  readonly host: MediaGraphHost;
  readonly metrics: HttpMetrics;
  readonly playback: PlaybackSource | undefined;
  /** Assets this host stopped recording into (their playlists end). */
  readonly recordingAssets?: RecordingAssets;
  /** Fleet mode: the fleet as seen from this host (`GET /api/fleet`). */
  readonly fleet?: { view(): Promise<FleetView> };
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  /** Path parameters, already percent-decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** Resolves when the server is closing (long-lived responses end then). */
  readonly closing: Promise<void>;
  /** True while the host is open and the server is not closing. */
  readonly ready: () => boolean;
}

export interface Route {
  readonly method: HttpMethod;
  /** OpenAPI-style template: `/api/topologies/{name}`. */
  readonly path: string;
  /** Reachable without the bearer token (liveness only). */
  readonly public?: boolean;
  readonly handler: (ctx: RouteContext) => Promise<void> | void;
}

interface Compiled {
  readonly route: Route;
  readonly pattern: RegExp;
  readonly names: readonly string[];
}

export class Router {
  readonly #compiled: Compiled[];

  constructor(readonly routes: readonly Route[]) {
    this.#compiled = routes.map((route) => {
      const names: string[] = [];
      const source = route.path
        .split('/')
        .map((part) => {
          const m = /^\{(\w+)\}(.*)$/.exec(part);
          if (!m) return escape(part);
          names.push(m[1]!);
          return `([^/]+)${escape(m[2]!)}`;
        })
        .join('/');
      return { route, pattern: new RegExp(`^${source}$`), names };
    });
  }

  /** The route for a request, or a 404/405 HttpError. */
  match(method: string, pathname: string): { route: Route; params: Record<string, string> } {
    let pathMatched = false;
    for (const c of this.#compiled) {
      const m = c.pattern.exec(pathname);
      if (!m) continue;
      pathMatched = true;
      if (c.route.method !== method && !(method === 'HEAD' && c.route.method === 'GET')) continue;
      const params: Record<string, string> = {};
      c.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(m[i + 1]!);
        } catch {
          throw new HttpError(400, 'InvalidPath', `path segment "${name}" is not valid percent-encoding`);
        }
      });
      return { route: c.route, params };
    }
    if (pathMatched) throw new HttpError(405, 'MethodNotAllowed', `${method} is not allowed on ${pathname}`);
    throw new HttpError(404, 'RouteNotFound', `no route for ${pathname}`);
  }
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
