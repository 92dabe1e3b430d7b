// A counting HTTP proxy for storage tests: forwards every request to one upstream (Azurite)
// and records what it was, so a test can count the transactions a recording costs as a
// storage account would bill them (docs/performance.md). Loopback only; bodies are streamed,
// never parsed; requests are counted when they arrive, whatever the answer.
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface CountedRequest {
  readonly method: string;
  /** The path without the query (the account and blob name, URL-encoded). */
  readonly path: string;
  /** `comp` and `restype` query values, when present (`list`, `container`, …). */
  readonly comp?: string;
  readonly restype?: string;
  /** Billed as a write: PUT, POST, DELETE (blob uploads, container creation, deletes). */
  readonly write: boolean;
}

export interface CountingHttpProxy {
  /** The proxy's base URL, e.g. `http://127.0.0.1:41234`. */
  readonly url: string;
  readonly port: number;
  readonly requests: readonly CountedRequest[];
  writes(): number;
  /** Forgets what was counted so far. */
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingHttpProxy(upstream: { host: '127.0.0.1'; port: number }): Promise<CountingHttpProxy> {
  const requests: CountedRequest[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://upstream');
    const method = req.method ?? 'GET';
    const comp = url.searchParams.get('comp');
    const restype = url.searchParams.get('restype');
    requests.push({
      method,
      path: url.pathname,
      ...(comp ? { comp } : {}),
      ...(restype ? { restype } : {}),
      write: method === 'PUT' || method === 'POST' || method === 'DELETE',
    });
    const out = request({ host: upstream.host, port: upstream.port, method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.statusMessage, up.headers);
      up.pipe(res);
    });
    out.on('error', () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(out);
  });
  server.keepAliveTimeout = 5000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    get requests() {
      return requests;
    },
    writes: () => requests.filter((r) => r.write).length,
    reset: () => {
      requests.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The connection string of `connectionString`'s account, reached through `proxy` instead. */
export function throughProxy(connectionString: string, proxy: CountingHttpProxy): string {
  return connectionString.replace(/BlobEndpoint=http:\/\/127\.0\.0\.1:\d+/, `BlobEndpoint=${proxy.url}`);
}
