// A TCP proxy that can cut or slow the line, for fault tests (docs/testing.md). Azurite and
// our RTSP peers have no fault injection of their own.
//   pass      forward both ways
//   blackhole accept, read and drop, never answer (the hang that needs deadlines)
//   reset     destroy every connection (existing and new) with RST
//   slow      forward, throttled to `bytesPerSecond` in each direction
import { createServer, connect, type Socket, type AddressInfo } from 'node:net';

export type ProxyMode = 'pass' | 'blackhole' | 'reset' | 'slow';

export interface ProxyModeOptions {
  /** For `slow`: bytes per second in each direction (default 64 KiB/s). */
  readonly bytesPerSecond?: number;
}

export interface TcpProxy {
  readonly port: number;
  /** Switches mode; existing connections follow (reset kills them, blackhole freezes them). */
  mode(m: ProxyMode, opts?: ProxyModeOptions): void;
  readonly currentMode: ProxyMode;
  /** Connections accepted so far. */
  readonly connections: number;
  close(): Promise<void>;
}

interface Pair {
  client: Socket;
  upstream: Socket | undefined;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let mode: ProxyMode = 'pass';
  let bytesPerSecond = 64 * 1024;
  let accepted = 0;
  const pairs = new Set<Pair>();

  /** Pipes `from` into `to` honouring the current mode, chunk by chunk. */
  function forward(from: Socket, to: () => Socket | undefined): void {
    let queue: Buffer[] = [];
    let pumping = false;
    const pump = (): void => {
      if (pumping) return;
      pumping = true;
      const step = (): void => {
        const dest = to();
        if (queue.length === 0 || (from.destroyed && !dest)) {
          pumping = false;
          return;
        }
        if (mode === 'blackhole' || !dest) {
          pumping = false;
          return;
        } // held until mode changes
        if (mode === 'slow') {
          const chunk = queue[0]!;
          const n = Math.max(1, Math.min(chunk.length, Math.ceil(bytesPerSecond / 20)));
          const part = chunk.subarray(0, n);
          if (n === chunk.length) queue.shift();
          else queue[0] = chunk.subarray(n);
          dest.write(part);
          setTimeout(step, Math.max(1, (n / bytesPerSecond) * 1000));
          return;
        }
        const all = queue;
        queue = [];
        for (const c of all) dest.write(c);
        pumping = false;
      };
      step();
    };
    from.on('data', (chunk: Buffer) => {
      if (mode === 'blackhole') return; // dropped, never answered
      queue.push(chunk);
      pump();
    });
    resumers.add(pump);
    from.once('close', () => resumers.delete(pump));
  }
  const resumers = new Set<() => void>();

  const server = createServer({ allowHalfOpen: false }, (client) => {
    accepted++;
    if (mode === 'reset') {
      client.resetAndDestroy();
      return;
    }
    const pair: Pair = { client, upstream: undefined };
    pairs.add(pair);
    const teardown = (): void => {
      pairs.delete(pair);
      client.destroy();
      pair.upstream?.destroy();
    };
    client.on('error', teardown);
    client.on('close', teardown);
    forward(client, () => pair.upstream);
    if (mode === 'blackhole') return; // no upstream: the client talks into the void
    openUpstream(pair, teardown);
  });

  function openUpstream(pair: Pair, teardown: () => void): void {
    const upstream = connect(target.port, target.host);
    pair.upstream = upstream;
    upstream.on('error', teardown);
    upstream.on('close', teardown);
    upstream.on('connect', () => {
      for (const r of resumers) r();
    });
    forward(upstream, () => pair.client);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;

  return {
    port,
    get currentMode() {
      return mode;
    },
    get connections() {
      return accepted;
    },
    mode(m, opts) {
      mode = m;
      if (opts?.bytesPerSecond !== undefined) bytesPerSecond = opts.bytesPerSecond;
      if (m === 'reset') {
        for (const p of [...pairs]) {
          p.client.resetAndDestroy();
          p.upstream?.destroy();
        }
        pairs.clear();
      }
      if (m === 'pass' || m === 'slow') {
        // Connections accepted during a blackhole never had an upstream: close them so the
        // client reconnects instead of waiting on a dead line.
        for (const p of [...pairs]) if (!p.upstream) p.client.destroy();
        for (const r of [...resumers]) r();
      }
    },
    close() {
      for (const p of [...pairs]) {
        p.client.destroy();
        p.upstream?.destroy();
      }
      pairs.clear();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
