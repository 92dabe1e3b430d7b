// The hostile side of faults/isolation.ts: instances that cannot record and requests that try
// to hold the server's event loop or memory, each aimed at a running `mediagraph serve` on
// loopback. Every function returns what the server answered, for the scenario to judge.
import { connect, createServer, type Server, type Socket } from 'node:net';
export { rawExchange } from './raw-http.ts';
import { randomBytes } from 'node:crypto';

export interface Answer {
  readonly status?: number;
  readonly ms: number;
  readonly body: string;
}

/** A request through fetch with a deadline; a network error or timeout is an answer without status. */
export async function call(url: string, init: RequestInit = {}, timeoutMs = 10_000): Promise<Answer> {
  const t0 = performance.now();
  try {
    const r = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    const body = await r.text();
    return { status: r.status, ms: performance.now() - t0, body: body.slice(0, 4096) };
  } catch (e) {
    return { ms: performance.now() - t0, body: e instanceof Error ? e.message : String(e) };
  }
}

const rtspSource = (name: string): Record<string, unknown> => ({
  '@type': '#Microsoft.Media.MediaGraphRtspSource',
  name,
  endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1:1/x' },
});

/** The topology of issue 15's report: 5,000 RTSP sources into one asset sink (~920 KB). */
export function hugeTopology(): string {
  const names = Array.from({ length: 5000 }, (_, i) => `camera${i}`);
  return JSON.stringify({
    name: 'Huge',
    properties: {
      sources: names.map(rtspSource),
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphAssetSink',
          name: 'assetSink',
          inputs: names.map((nodeName) => ({ nodeName })),
          assetNamePattern: 'huge-${System.GraphInstanceName}',
          localMediaCachePath: 'never-written',
          localMediaCacheMaximumSizeMiB: '64',
        },
      ],
    },
  });
}

/** 150,000 nested arrays: once a stack overflow (500) in the validator. */
export function deepDocument(): string {
  return `{"name":"Deep","properties":{"description":${'['.repeat(150_000)}${']'.repeat(150_000)},"sources":[],"sinks":[]}}`;
}

/** Requests that are not HTTP, or are HTTP with lying or absurd framing. */
export function malformedRequests(port: number): string[] {
  const h = `Host: 127.0.0.1:${port}\r\nConnection: close\r\n`;
  return [
    'GARBAGE\r\n\r\n',
    `GET // HTTP/1.1\r\n${h}\r\n`,
    `GET /api/assets/%zz/availableMedia HTTP/1.1\r\n${h}\r\n`,
    `GET /healthz HTTP/9\r\n${h}\r\n`,
    `PUT /api/topologies/T HTTP/1.1\r\n${h}Content-Length: 99999999999999999999\r\n\r\n{`,
    `PUT /api/topologies/T HTTP/1.1\r\n${h}Content-Length: 5\r\nContent-Length: 6\r\n\r\n{}`,
    `POST /api/methods/GraphTopologySet HTTP/1.1\r\n${h}Content-Type: application/json\r\nContent-Length: 9\r\n\r\n{"name":1`,
    `GET /api/instances/${'a'.repeat(5000)}/status HTTP/1.1\r\n${h}\r\n`,
    `GET /healthz HTTP/1.1\r\n${h}X-Big: ${'x'.repeat(20_000)}\r\n\r\n`,
    `\u0000\u0001\u0002${randomBytes(200).toString('latin1')}\r\n\r\n`,
  ];
}

/** Range headers at and past the edges of a segment blob. */
export const BAD_RANGES = [
  'bytes=99999999999999999999-',
  'bytes=1-0',
  'bytes=0-1,2-3',
  'bytes=a-b',
  'items=0-1',
  'bytes=-0',
  `bytes=${'9'.repeat(400)}-`,
  'bytes=0-99999999999999999999',
];

/** `count` clients of /api/events that connect and never read a byte. */
export function stalledEventClients(port: number, count: number): Socket[] {
  return Array.from({ length: count }, () => {
    const s = connect(port, '127.0.0.1', () => s.write(`GET /api/events HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\n\r\n`));
    s.pause();
    s.on('error', () => undefined);
    return s;
  });
}

/** An "RTSP camera" that answers every byte it receives with garbage. */
export function startGarbageRtspServer(): Promise<{ url: string; close: () => Promise<void> }> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
    s.on('error', () => undefined);
    s.on('data', () => {
      s.write(randomBytes(512));
      s.write('RTSP/1.0 200 OK\r\nCSeq: x\r\nContent-Length: -7\r\n\r\n');
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      resolve({
        url: `rtsp://127.0.0.1:${port}/garbage`,
        close: () =>
          new Promise<void>((r) => {
            for (const s of sockets) s.destroy();
            server.close(() => r());
          }),
      });
    }),
  );
}

/** A loopback port with nothing listening on it (connections are refused). */
export function refusedPort(): Promise<number> {
  const server = createServer();
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    }),
  );
}

export interface SeenEvent {
  readonly type: string;
  readonly subject: string;
  readonly body: Record<string, unknown>;
}

/** A client of /api/events that reads everything (up to `maxEvents`) until stopped. */
export function readingEventClient(base: string, maxEvents = 20_000): { events: SeenEvent[]; raw: () => string; stop: () => void } {
  const events: SeenEvent[] = [];
  const controller = new AbortController();
  let raw = '';
  void (async () => {
    try {
      const r = await fetch(`${base}/api/events`, { signal: controller.signal });
      const decoder = new TextDecoder();
      let pending = '';
      for await (const chunk of r.body!) {
        const text = decoder.decode(chunk as Uint8Array, { stream: true });
        if (raw.length < 4 * 1024 * 1024) raw += text;
        pending += text;
        let end: number;
        while ((end = pending.indexOf('\n\n')) >= 0) {
          const data = /^data: (.*)$/m.exec(pending.slice(0, end))?.[1];
          pending = pending.slice(end + 2);
          if (data && events.length < maxEvents) {
            try {
              events.push(JSON.parse(data) as SeenEvent);
            } catch {
              /* not an event */
            }
          }
        }
      }
    } catch {
      /* stopped */
    }
  })();
  return { events, raw: () => raw, stop: () => controller.abort() };
}
