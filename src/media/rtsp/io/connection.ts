// The byte pipe under an RTSP client: plain TCP, TLS (rtsps://), or Apple's RTSP-over-HTTP
// tunnel (a GET carrying server→client bytes, a POST carrying base64 client→server bytes,
// paired by x-sessioncookie). The client sees one duplex stream in each case.
import { connect as netConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type ConnectionOptions } from 'node:tls';
import { randomBytes } from 'node:crypto';
import { RtspError } from '../errors.ts';

export interface TlsOptions {
  /** PEM CA certificates to trust instead of the system list. */
  readonly ca?: string | Buffer | readonly (string | Buffer)[];
  /** Accept a certificate whose name does not match the host (cameras addressed by IP). */
  readonly ignoreHostname?: boolean;
  /** Accept any certificate (self-signed cameras). */
  readonly insecure?: boolean;
}

export interface RtspConnection {
  /**
   * Starts delivery; nothing is read from the socket before this call. With a reused read
   * buffer (`transient`), a chunk is valid only during its onData call.
   */
  start(onData: (chunk: Uint8Array) => void, onClose: (err?: Error) => void): void;
  /** Chunks live in one buffer that the next read overwrites (see connectRtsp). */
  readonly transient: boolean;
  write(bytes: Uint8Array): void;
  close(): void;
}

export interface ConnectTarget {
  readonly host: string;
  readonly port: number;
  readonly secure: boolean;
  readonly tls?: TlsOptions;
  readonly timeoutMs: number;
}

/** Where reads into the shared buffer go (node's `onread`: no stream machinery, no buffer per read). */
interface ReusedReads {
  deliver: ((chunk: Uint8Array) => void) | undefined;
  readonly early: Uint8Array[];
}

/**
 * One read buffer for every such connection of the process: a read's bytes are handed on
 * (and what must outlive the call copied) before the next read can happen on this thread.
 */
let sharedReadBuffer: Uint8Array | undefined;
const READ_BUFFER_BYTES = 64 * 1024;

function openSocket(t: ConnectTarget, reused?: ReusedReads): Promise<Socket> {
  return new Promise((resolve, reject) => {
    let sock: Socket;
    if (reused) {
      sharedReadBuffer ??= new Uint8Array(READ_BUFFER_BYTES);
      sock = netConnect({
        host: t.host,
        port: t.port,
        onread: {
          buffer: sharedReadBuffer,
          callback: (n: number, buf: Uint8Array) => {
            const chunk = buf.subarray(0, n);
            if (reused.deliver) reused.deliver(chunk);
            else reused.early.push(chunk.slice()); // before start(): keep a copy
            return true;
          },
        },
      });
    } else if (t.secure) {
      const o: ConnectionOptions = { host: t.host, port: t.port, rejectUnauthorized: !t.tls?.insecure };
      if (t.tls?.ca !== undefined) o.ca = t.tls.ca as ConnectionOptions['ca'];
      if (t.tls?.ignoreHostname) o.checkServerIdentity = () => undefined;
      // SNI must be a host name, never an IP address.
      if (!/^[\d.:]+$/.test(t.host)) o.servername = t.host;
      sock = tlsConnect(o);
    } else {
      sock = netConnect({ host: t.host, port: t.port });
    }
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new RtspError('unreachable', `connect to ${t.host}:${t.port} timed out after ${t.timeoutMs} ms`));
    }, t.timeoutMs);
    const onError = (e: Error) => {
      clearTimeout(timer);
      reject(new RtspError('unreachable', `cannot connect to ${t.host}:${t.port}: ${(e as NodeJS.ErrnoException).code ?? e.message}`));
    };
    sock.once('error', onError);
    sock.on('error', () => {}); // later errors surface through 'close'
    sock.once(t.secure ? 'secureConnect' : 'connect', () => {
      clearTimeout(timer);
      sock.off('error', onError);
      sock.setNoDelay(true);
      resolve(sock);
    });
  });
}

function wrap(sock: Socket, leftover?: Uint8Array, extraClose?: () => void, reused?: ReusedReads): RtspConnection {
  let closed = false;
  sock.pause();
  return {
    transient: reused !== undefined,
    start(onData, onClose) {
      if (leftover && leftover.length > 0) onData(leftover);
      if (reused) {
        for (const chunk of reused.early.splice(0)) onData(chunk);
        reused.deliver = onData;
      } else {
        sock.on('data', (chunk: Buffer) => onData(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.length)));
      }
      let errored: Error | undefined;
      sock.on('error', (e) => {
        errored = e;
      });
      sock.on('close', () => {
        const wasClosed = closed;
        closed = true;
        extraClose?.();
        if (!wasClosed) onClose(errored);
      });
      sock.resume();
    },
    write(bytes) {
      if (!closed) sock.write(bytes);
    },
    close() {
      if (closed) return;
      closed = true;
      sock.destroy();
      extraClose?.();
    },
  };
}

/**
 * `reuseReadBuffer`: read a plain TCP socket into one buffer shared by all such connections
 * instead of a fresh buffer per read (the caller copies what it keeps); TLS ignores it.
 */
export async function connectRtsp(t: ConnectTarget, reuseReadBuffer = false): Promise<RtspConnection> {
  if (!reuseReadBuffer || t.secure) return wrap(await openSocket(t));
  const reused: ReusedReads = { deliver: undefined, early: [] };
  return wrap(await openSocket(t, reused), undefined, undefined, reused);
}

/**
 * RTSP over HTTP (Apple's QuickTime tunnelling): GET receives, POST sends base64. The HTTP
 * answer to the GET is consumed here; bytes after its header block go to the RTSP parser.
 */
export async function connectHttpTunnel(t: ConnectTarget, path: string, userAgent: string): Promise<RtspConnection> {
  const cookie = randomBytes(12).toString('hex');
  const getSock = await openSocket(t);
  getSock.write(
    `GET ${path} HTTP/1.0\r\nUser-Agent: ${userAgent}\r\nx-sessioncookie: ${cookie}\r\n` +
      `Accept: application/x-rtsp-tunnelled\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n\r\n`,
  );
  const leftover = await readHttpHead(getSock, t.timeoutMs);
  let postSock: Socket;
  try {
    postSock = await openSocket(t);
  } catch (e) {
    getSock.destroy();
    throw e;
  }
  postSock.write(
    `POST ${path} HTTP/1.0\r\nUser-Agent: ${userAgent}\r\nx-sessioncookie: ${cookie}\r\n` +
      `Content-Type: application/x-rtsp-tunnelled\r\nPragma: no-cache\r\nCache-Control: no-cache\r\n` +
      `Content-Length: 32767\r\nExpires: Sun, 9 Jan 1972 00:00:00 GMT\r\n\r\n`,
  );
  postSock.on('error', () => {});
  postSock.on('data', () => {}); // servers do not answer the POST; drain anything they send
  const conn = wrap(getSock, leftover, () => postSock.destroy());
  return {
    start: conn.start,
    close: conn.close,
    transient: conn.transient,
    write(bytes) {
      if (!postSock.destroyed) postSock.write(Buffer.from(bytes).toString('base64'));
    },
  };
}

function readHttpHead(sock: Socket, timeoutMs: number): Promise<Uint8Array> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => fail(new RtspError('timeout', `no HTTP answer to the tunnel GET within ${timeoutMs} ms`)), timeoutMs);
    const fail = (e: Error) => {
      clearTimeout(timer);
      sock.off('data', onData);
      sock.destroy();
      reject(e);
    };
    const onData = (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > 16384) fail(new RtspError('protocol', 'HTTP tunnel answer header too large'));
        return;
      }
      clearTimeout(timer);
      sock.off('data', onData);
      sock.pause();
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(buf.subarray(0, end).toString('latin1'));
      const code = status ? Number(status[1]) : 0;
      if (code !== 200) {
        sock.destroy();
        if (code === 401 || code === 403) reject(new RtspError('auth-failed', `HTTP tunnel refused with ${code}`, code));
        else if (code === 404) reject(new RtspError('not-found', 'HTTP tunnel path not found', code));
        else reject(new RtspError('protocol', `HTTP tunnel GET answered ${code || 'garbage'}`, code || undefined));
        return;
      }
      sock.off('close', onEarlyClose);
      const rest = buf.subarray(end + 4);
      resolve(new Uint8Array(rest.buffer, rest.byteOffset, rest.length));
    };
    sock.on('data', onData);
    const onEarlyClose = () => fail(new RtspError('protocol', 'server closed the HTTP tunnel'));
    sock.once('close', onEarlyClose);
  });
}
