// LVA's direct methods unchanged (docs/architecture.md, Control plane): the body is the method's payload, the answer
// is `{status, payload}` with the HTTP status equal to `status`.
import { invokeMethod } from '../../../runtime/lva-methods.ts';
import { readJson, sendJson } from '../http-io.ts';
import type { Route } from '../router.ts';

export const methodRoutes: readonly Route[] = [
  {
    method: 'POST',
    path: '/api/methods/{methodName}',
    handler: async ({ host, req, res, params }) => {
      const payload = await readJson(req);
      const r = await invokeMethod(host, params['methodName']!, payload);
      // A 204 may not carry a body (HTTP), so LVA's `{status: 204, payload: null}` is the status alone.
      if (r.status === 204) return sendJson(res, 204, undefined);
      sendJson(res, r.status, { status: r.status, payload: r.payload });
    },
  },
];
