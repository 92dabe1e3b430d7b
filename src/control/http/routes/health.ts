// Liveness, readiness and the Prometheus scrape endpoint.
import { sendJson, sendText } from '../http-io.ts';
import type { Route } from '../router.ts';
import type { MediaGraphHost } from '../../../runtime/host.ts';

export interface NotRecordingInstance {
  readonly instance: string;
  readonly since?: string;
  readonly reason?: string;
  readonly restarts: number;
  readonly lastError?: { readonly code: string; readonly message: string; readonly at: string };
}

/** Instances set to record that are not recording now, with since when and why. */
export function notRecordingInstances(host: MediaGraphHost): NotRecordingInstance[] {
  const out: NotRecordingInstance[] = [];
  for (const i of host.instanceList()) {
    const s = host.instanceStatus(i.name);
    if (!s.shouldRecord || s.recording) continue;
    out.push({
      instance: i.name,
      since: s.notRecordingSince,
      reason: s.notRecordingReason,
      restarts: s.restarts,
      ...(s.lastError ? { lastError: s.lastError } : {}),
    });
  }
  return out;
}

export const healthRoutes: readonly Route[] = [
  { method: 'GET', path: '/healthz', public: true, handler: ({ res }) => sendJson(res, 200, { status: 'ok' }) },
  {
    method: 'GET',
    path: '/readyz',
    // The server starts only with an opened host; it stops being ready when the host closes,
    // and while an instance that should record is not recording through a fault of its own
    // (restarting after a node failure, or not Active). A lost camera is listed but keeps the
    // recorder ready: the recorder is doing its job, and taking it out of service would only
    // hide the viewer and API while the camera is away.
    handler: ({ res, ready, host }) => {
      if (!ready()) return sendJson(res, 503, { status: 'not ready' });
      const notRecording = notRecordingInstances(host);
      const failing = notRecording.filter((i) => i.reason !== 'camera-lost');
      return sendJson(res, failing.length ? 503 : 200, { status: failing.length ? 'not recording' : 'ready', notRecording });
    },
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
