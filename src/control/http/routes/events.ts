// Host events as Server-Sent Events: `event: <type>` + `data: <json>` per GraphEvent, comment
// lines as keep-alive so proxies do not time the stream out. Everything is released when the
// client goes away, the host closes, or the server closes.
//
// A client that does not read must not make the server hold every event for it: once more
// than `maxBufferedBytes` wait in its response (and socket) buffer, it gets one last
// `event: dropped` and is disconnected. A client that reads keeps up, and a short burst fits.
import type { ServerResponse } from 'node:http';
import type { Route } from '../router.ts';

export const DEFAULT_SSE_KEEPALIVE_MS = 15_000;
/** Bytes an event stream may have waiting for one client before that client is dropped. */
export const DEFAULT_SSE_MAX_BUFFERED_BYTES = 1024 * 1024;
/**
 * How long the final `dropped` event may take to leave before the connection is cut. The event
 * sits behind everything the client left unread (up to `maxBufferedBytes`), so a client that
 * wakes up late still learns why it was dropped; one that never reads is cut after this.
 */
export const DEFAULT_SSE_DROP_GRACE_MS = 10_000;

export interface EventRouteOptions {
  readonly keepAliveMs?: number;
  readonly maxBufferedBytes?: number;
  readonly dropGraceMs?: number;
}

const STREAM_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-store',
  connection: 'keep-alive',
  'x-accel-buffering': 'no',
};

/** Bytes written to `res` that the client has not taken yet (response buffer + socket buffer). */
function pendingBytes(res: ServerResponse): number {
  return res.writableLength + (res.socket?.writableLength ?? 0);
}

export function eventRoutes(opts: EventRouteOptions = {}): readonly Route[] {
  const keepAliveMs = opts.keepAliveMs ?? DEFAULT_SSE_KEEPALIVE_MS;
  const maxBuffered = opts.maxBufferedBytes ?? DEFAULT_SSE_MAX_BUFFERED_BYTES;
  const dropGraceMs = opts.dropGraceMs ?? DEFAULT_SSE_DROP_GRACE_MS;
  return [
    {
      method: 'GET',
      path: '/api/events',
      handler: ({ host, req, res, query, closing }) =>
        new Promise<void>((resolve) => {
          res.writeHead(200, STREAM_HEADERS);
          // HEAD: the headers a GET would get, and no endless body
          if (req.method === 'HEAD') {
            res.end();
            resolve();
            return;
          }
          // Optional filter on one instance: `?instance=cam1` keeps events whose subject is under it.
          const instance = query.get('instance')?.toLowerCase();
          let done = false;
          const send = (text: string): void => {
            if (done) return;
            if (pendingBytes(res) + text.length > maxBuffered) return drop();
            res.write(text);
          };
          res.write(': connected\n\n');
          const subscription = host.events$.subscribe({
            next: (e) => {
              if (instance && e.subject.toLowerCase().split('/')[2] !== instance) return;
              send(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
            },
            complete: () => finish(),
          });
          const timer = setInterval(() => send(': keep-alive\n\n'), keepAliveMs);
          function drop(): void {
            const body = {
              reason: 'slow-client',
              message: `this client did not read its events; more than ${maxBuffered} bytes were waiting`,
              maxBufferedBytes: maxBuffered,
            };
            finish(`event: dropped\ndata: ${JSON.stringify(body)}\n\n`);
            // a client that reads nothing will not take the last event either
            setTimeout(() => res.destroy(), dropGraceMs).unref();
          }
          function finish(last?: string): void {
            if (done) return;
            done = true;
            clearInterval(timer);
            subscription.unsubscribe();
            if (!res.writableEnded) res.end(last);
            resolve();
          }
          // res 'close' fires when the connection goes, whoever ends it.
          res.on('close', () => finish());
          res.on('error', () => finish());
          void closing.then(() => finish());
        }),
    },
  ];
}
