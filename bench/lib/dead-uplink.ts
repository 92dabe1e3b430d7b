// A dead uplink on loopback, for outage benchmarks: an address the recorder is told is its
// Blob Storage endpoint, that never gives it an answer.
//   blackhole  accept, read and drop, never answer: the worst case for an HTTP client, whose
//              requests end only at their own deadlines, with bodies stuck in socket buffers
//   refuse     nothing listens on the port: every connect fails at once (ECONNREFUSED)
// The port is kept across modes (re-listened on the same number), so the connection string
// the recorder was started with stays valid for the whole run.
import { createServer, type Server, type Socket, type AddressInfo } from 'node:net';

export type DeadUplinkMode = 'blackhole' | 'refuse';

export interface DeadUplinkStats {
  /** Connections accepted in blackhole mode. */
  readonly connections: number;
  /** Bytes the clients sent into the void (request heads and bodies). */
  readonly bytesReceived: number;
  /** Connections open right now. */
  readonly open: number;
}

export interface DeadUplink {
  readonly port: number;
  /** `http://127.0.0.1:<port>`: the endpoint base for a connection string. */
  readonly base: string;
  readonly currentMode: DeadUplinkMode;
  stats(): DeadUplinkStats;
  /** Switches mode; going to `refuse` resets the open connections and stops listening. */
  mode(m: DeadUplinkMode): Promise<void>;
  close(): Promise<void>;
}

export async function startDeadUplink(initial: DeadUplinkMode = 'blackhole'): Promise<DeadUplink> {
  let connections = 0;
  let bytesReceived = 0;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let current: DeadUplinkMode = initial;

  const listen = (port: number): Promise<Server> =>
    new Promise((resolve, reject) => {
      const s = createServer((socket) => {
        connections++;
        sockets.add(socket);
        // read (so the client's writes complete up to the socket buffers) and never reply
        socket.on('data', (chunk: Buffer) => {
          bytesReceived += chunk.length;
        });
        socket.on('error', () => socket.destroy());
        socket.on('close', () => sockets.delete(socket));
      });
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => {
        s.off('error', reject);
        resolve(s);
      });
    });

  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    for (const socket of sockets) socket.resetAndDestroy();
    sockets.clear();
    if (s) await new Promise<void>((r) => s.close(() => r()));
  };

  // The port is chosen by a first listen even in refuse mode, then released.
  server = await listen(0);
  const port = (server.address() as AddressInfo).port;
  if (initial === 'refuse') await stopListening();

  return {
    port,
    base: `http://127.0.0.1:${port}`,
    get currentMode() {
      return current;
    },
    stats: () => ({ connections, bytesReceived, open: sockets.size }),
    async mode(m) {
      if (m === current) return;
      current = m;
      if (m === 'refuse') await stopListening();
      else server = await listen(port);
    },
    close: stopListening,
  };
}
