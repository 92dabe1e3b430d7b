// LVA's direct methods over the host: `{methodName, payload}` in,
// `{status, payload}` out, with LVA's status codes and OData error bodies. HTTP and the
// `invoke` command are thin adapters over this.
import { MediaGraphError } from './errors.ts';
import type { MediaGraphHost } from './host.ts';

export interface MethodResponse {
  readonly status: number;
  readonly payload: unknown;
}

type Method = (host: MediaGraphHost, payload: Record<string, unknown>) => Promise<MethodResponse>;

const PAGE_SIZE = 100;

function nameOf(payload: Record<string, unknown>): string {
  const key = Object.keys(payload).find((k) => k.toLowerCase() === 'name');
  const name = key ? payload[key] : undefined;
  if (typeof name !== 'string' || !name)
    throw new MediaGraphError('InvalidResource', 'the payload needs a "name"', [
      { code: 'PropertyRequired', target: '/name', message: 'required property "name" is missing' },
    ]);
  return name;
}

function page<T extends { name: string }>(items: readonly T[], payload: Record<string, unknown>): MethodResponse {
  const token = payload['@continuationToken'];
  const query = payload['@query'];
  let sorted = [...items];
  if (typeof query === 'string' && /\$orderby=name\s+desc/i.test(query)) sorted.reverse();
  let start = 0;
  if (typeof token === 'string' && token) {
    const after = Buffer.from(token, 'base64url').toString('utf8');
    start = sorted.findIndex((i) => i.name === after) + 1;
  }
  const slice = sorted.slice(start, start + PAGE_SIZE);
  const more = start + PAGE_SIZE < sorted.length;
  return {
    status: 200,
    payload: { value: slice, ...(more ? { '@continuationToken': Buffer.from(slice[slice.length - 1]!.name).toString('base64url') } : {}) },
  };
}

const METHODS: Record<string, Method> = {
  graphtopologyset: async (h, p) => {
    const r = await h.topologySet(p);
    return { status: r.created ? 201 : 200, payload: r.value };
  },
  graphtopologyget: async (h, p) => ({ status: 200, payload: h.topologyGet(nameOf(p)) }),
  graphtopologylist: async (h, p) => page(h.topologyList(), p),
  graphtopologydelete: async (h, p) => ({ status: (await h.topologyDelete(nameOf(p))) ? 200 : 204, payload: null }),
  graphinstanceset: async (h, p) => {
    const r = await h.instanceSet(p);
    return { status: r.created ? 201 : 200, payload: r.value };
  },
  graphinstanceget: async (h, p) => ({ status: 200, payload: h.instanceGet(nameOf(p)) }),
  graphinstancelist: async (h, p) => page(h.instanceList(), p),
  graphinstancedelete: async (h, p) => ({ status: (await h.instanceDelete(nameOf(p))) ? 200 : 204, payload: null }),
  graphinstanceactivate: async (h, p) => {
    await h.instanceActivate(nameOf(p));
    return { status: 200, payload: null };
  },
  graphinstancedeactivate: async (h, p) => {
    await h.instanceDeactivate(nameOf(p));
    return { status: 200, payload: null };
  },
};

export const LVA_METHOD_NAMES = [
  'GraphTopologySet',
  'GraphTopologyGet',
  'GraphTopologyList',
  'GraphTopologyDelete',
  'GraphInstanceSet',
  'GraphInstanceGet',
  'GraphInstanceList',
  'GraphInstanceDelete',
  'GraphInstanceActivate',
  'GraphInstanceDeactivate',
] as const;

export async function invokeMethod(host: MediaGraphHost, methodName: string, payload: unknown): Promise<MethodResponse> {
  try {
    const method = METHODS[String(methodName).toLowerCase()];
    if (!method) throw new MediaGraphError('MethodNotFound', `unknown method "${methodName}"; known: ${LVA_METHOD_NAMES.join(', ')}`);
    const body = (typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? payload : {}) as Record<string, unknown>;
    const version = body['@apiVersion'];
    if (version !== undefined && version !== '1.0' && version !== '2.0') {
      throw new MediaGraphError('ApiVersionNotSupported', `the API version '${String(version)}' is not supported. Supported version(s): 1.0, 2.0`, [
        { code: 'ApiVersionNotSupported', target: '/@apiVersion', message: 'supported: 1.0, 2.0' },
      ]);
    }
    return await method(host, body);
  } catch (e) {
    if (!(e instanceof MediaGraphError)) {
      // an unexpected error's message may hold paths or stack details: the log gets it, the caller does not
      host.logger.error('direct method failed', { method: String(methodName), error: e instanceof Error ? e.message : String(e) });
    }
    const error = e instanceof MediaGraphError ? e : new MediaGraphError('InternalError', 'internal error; see the server log');
    return { status: error.status, payload: error.toODataError() };
  }
}
