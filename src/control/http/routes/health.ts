// Liveness, readiness and the Prometheus scrape endpoint.
import { sendJson, sendText } from '../http-io.ts';
import type { Route } from '../router.ts';

export const healthRoutes: readonly Route[] = [
  { method: 'GET', path: '/healthz', public: true, handler: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
  {
    method: 'GET',
    path: '/readyz',
    // The server starts only with an opened host; it stops being ready when the host closes.
    handler: ({ res, ready }) => (ready() ? sendJson(res, 200, { status: 'ready' }) : sendJson(res, 503, { status: 'not ready' })),
  },
  {
    method: 'GET',
    path: '/metrics',
    handler: async ({ metrics, res }) => {
      const { contentType, body } = await metrics.render();
      sendText(res, 200, contentType, body, { 'cache-control': 'no-store' });
    },
  },
];
