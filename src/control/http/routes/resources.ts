// Friendlier REST beside the direct methods, on the same host methods (through the same
// method table, so status codes and error bodies match the direct methods exactly).
import { invokeMethod } from '../../../runtime/lva-methods.ts';
import type { MediaGraphHost } from '../../../runtime/host.ts';
import { HttpError, readJson, sendJson } from '../http-io.ts';
import type { Route, RouteContext } from '../router.ts';

type Kind = 'Topology' | 'Instance';

async function answer(ctx: RouteContext, method: string, payload: unknown): Promise<void> {
  const r = await invokeMethod(ctx.host, method, payload);
  sendJson(ctx.res, r.status, r.status === 204 ? undefined : (r.payload ?? undefined));
}

function list(host: MediaGraphHost, kind: Kind): unknown[] {
  return kind === 'Topology' ? host.topologyList() : host.instanceList();
}

function crud(kind: Kind, base: string): Route[] {
  const method = (verb: string): string => `Graph${kind}${verb}`;
  return [
    { method: 'GET', path: base, handler: ({ host, res }) => sendJson(res, 200, { value: list(host, kind) }) },
    { method: 'GET', path: `${base}/{name}`, handler: (ctx) => answer(ctx, method('Get'), { name: ctx.params['name'] }) },
    {
      method: 'PUT',
      path: `${base}/{name}`,
      handler: async (ctx) => {
        const body = await readJson(ctx.req);
        if (typeof body !== 'object' || body === null || Array.isArray(body))
          throw new HttpError(400, 'InvalidResource', `the body must be a ${kind.toLowerCase()} object`);
        const given = (body as { name?: unknown }).name;
        const name = ctx.params['name']!;
        if (given !== undefined && (typeof given !== 'string' || given.toLowerCase() !== name.toLowerCase())) {
          throw new HttpError(400, 'NameMismatch', `the body names "${String(given)}" but the URL names "${name}"`, '/name');
        }
        await answer(ctx, method('Set'), { ...body, name });
      },
    },
    {
      method: 'DELETE',
      path: `${base}/{name}`,
      handler: (ctx) => answer(ctx, method('Delete'), { name: ctx.params['name'] }),
    },
  ];
}

export const topologyRoutes: readonly Route[] = crud('Topology', '/api/topologies');

export const instanceRoutes: readonly Route[] = [
  ...crud('Instance', '/api/instances'),
  {
    method: 'POST',
    path: '/api/instances/{name}/activate',
    handler: async ({ host, res, params }) => {
      const name = params['name']!;
      const r = await invokeMethod(host, 'GraphInstanceActivate', { name });
      if (r.status !== 200) return sendJson(res, r.status, r.payload);
      sendJson(res, 200, { name, ...host.instanceStatus(name) });
    },
  },
  {
    method: 'POST',
    path: '/api/instances/{name}/deactivate',
    handler: async ({ host, res, params }) => {
      const name = params['name']!;
      const r = await invokeMethod(host, 'GraphInstanceDeactivate', { name });
      if (r.status !== 200) return sendJson(res, r.status, r.payload);
      sendJson(res, 200, { name, ...host.instanceStatus(name) });
    },
  },
  {
    method: 'GET',
    path: '/api/instances/{name}/status',
    handler: ({ host, res, params }) => sendJson(res, 200, { name: params['name'], ...host.instanceStatus(params['name']!) }),
  },
];
