// A cheap "is the camera there again?" check for the reconnect wait: a bare TCP connect to the
// RTSP port, closed at once. Far cheaper for the camera than a full RTSP attempt (no DESCRIBE,
// no auth), so it can run every second while the reconnect backoff has grown long.
import { connect } from 'node:net';

/** True when a TCP connection to host:port opens within `timeoutMs`. Never rejects. */
export function tcpReachable(host: string, port: number, timeoutMs: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    const done = (ok: boolean): void => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.destroy();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}
