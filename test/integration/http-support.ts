// Shared by the http-* tests: a real host with the #Test nodes in a temp dir, and a real server on 127.0.0.1:0.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startHttpServer, type HttpServerHandle, type HttpServerOptions } from '../../src/control/http/server.ts';
import { collectNode, tickerNode } from '../helpers/test-nodes.ts';

export interface TestContextLike {
  after(fn: () => unknown): void;
}

export async function openTestHost(t: TestContextLike): Promise<MediaGraphHost> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-http-'));
  const registry = createBuiltinRegistry().register(tickerNode).register(collectNode);
  const host = await MediaGraphHost.open({ dataDirectory: dir, registry, logLevel: 'silent', deactivateTimeoutMs: 5000 });
  t.after(async () => {
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return host;
}

export async function serve(t: TestContextLike, host: MediaGraphHost, opts: HttpServerOptions = {}): Promise<HttpServerHandle> {
  const server = await startHttpServer(host, opts);
  t.after(() => server.close());
  return server;
}

/** fetch with a deadline, so a hung route fails the test instead of hanging it. */
export function get(url: string, init: RequestInit = {}): Promise<Response> {
  return fetch(url, { signal: AbortSignal.timeout(10_000), ...init });
}

export function send(url: string, method: string, body?: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(url, {
    method,
    signal: AbortSignal.timeout(10_000),
    headers: { 'content-type': 'application/json', ...headers },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

export const instanceDoc = (name: string, topologyName: string, bucket: string): Record<string, unknown> => ({
  '@apiVersion': '2.0',
  name,
  properties: { topologyName, parameters: [{ name: 'bucket', value: bucket }] },
});
