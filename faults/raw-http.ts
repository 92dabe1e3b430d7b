// One raw HTTP exchange over a socket, for the fault scenarios that send what no HTTP client
// would (fuzz-http, isolation): the bytes go out as given and the first response is read back.
import { connect } from 'node:net';

export interface RawAnswer {
  readonly status?: number;
  readonly head: string;
  readonly body: string;
  /** From connect to the end of the exchange. */
  readonly ms: number;
}

/** True once `text` holds one whole response (head, then its Content-Length or last chunk). */
function complete(text: string): boolean {
  const split = text.indexOf('\r\n\r\n');
  if (split < 0) return false;
  const head = text.slice(0, split);
  if (/^HTTP\/1\.[01] (1\d\d|204|304)/.test(head)) return true;
  const length = /\r\ncontent-length: *(\d+)/i.exec(head)?.[1];
  if (length !== undefined) return text.length - split - 4 >= Number(length);
  if (/\r\ntransfer-encoding: *chunked/i.test(head)) return text.endsWith('\r\n0\r\n\r\n');
  return false;
}

/**
 * Writes raw bytes and reads one response until it is complete, the server closes, or the
 * deadline. A request that announced more body than it sent gets a FIN after a second.
 */
export function rawExchange(port: number, bytes: string | Uint8Array, timeoutMs = 10_000, head = false): Promise<RawAnswer> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (): void => {
      clearTimeout(timer);
      clearTimeout(halfClose);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      const split = text.indexOf('\r\n\r\n');
      resolve({
        ...(m ? { status: Number(m[1]) } : {}),
        head: split < 0 ? text : text.slice(0, split),
        body: split < 0 ? '' : text.slice(split + 4, split + 4 + 4096),
        ms: performance.now() - t0,
      });
    };
    const timer = setTimeout(finish, timeoutMs);
    const halfClose = setTimeout(() => socket.end(), 1000);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (c: Buffer) => {
      if (size < 64 * 1024) {
        chunks.push(c);
        size += c.length;
      }
      const text = Buffer.concat(chunks).toString('latin1');
      // a 100 Continue is followed by the real answer; a HEAD answer has no body
      if (/^HTTP\/1\.1 100/.test(text)) return;
      if (complete(text) || (head && text.includes('\r\n\r\n')) || size >= 64 * 1024) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
  });
}
