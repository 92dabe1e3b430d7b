// Host events as Server-Sent Events: `event: <type>` + `data: <json>` per GraphEvent, comment
// lines as keep-alive so proxies do not time the stream out. Everything is released when the
// client goes away, the host closes, or the server closes.
import type { Route } from '../router.ts';

export const DEFAULT_SSE_KEEPALIVE_MS = 15_000;

export function eventRoutes(keepAliveMs = DEFAULT_SSE_KEEPALIVE_MS): readonly Route[] {
  return [
    {
      method: 'GET',
      path: '/api/events',
      handler: ({ host, res, query, closing }) =>
        new Promise<void>((resolve) => {
          // Optional filter on one instance: `?instance=cam1` keeps events whose subject is under it.
          const instance = query.get('instance')?.toLowerCase();
          res.writeHead(200, {
            'content-type': 'text/event-stream; charset=utf-8',
            'cache-control': 'no-store',
            connection: 'keep-alive',
            'x-accel-buffering': 'no',
          });
          res.write(': connected\n\n');
          const subscription = host.events$.subscribe({
            next: (e) => {
              if (instance && e.subject.toLowerCase().split('/')[2] !== instance) return;
              res.write(`event: ${e.type}\ndata: ${JSON.stringify(e)}\n\n`);
            },
            complete: () => finish(),
          });
          const timer = setInterval(() => res.write(': keep-alive\n\n'), keepAliveMs);
          let done = false;
          function finish(): void {
            if (done) return;
            done = true;
            clearInterval(timer);
            subscription.unsubscribe();
            if (!res.writableEnded) res.end();
            resolve();
          }
          // res 'close' fires when the connection goes, whoever ends it.
          res.on('close', finish);
          res.on('error', finish);
          void closing.then(finish);
        }),
    },
  ];
}
