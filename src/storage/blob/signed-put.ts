// A minimal Put Blob: one HTTP request, signed with the account key (SharedKey) or carrying a
// SAS, over a keep-alive agent. For the hot path only (segment uploads); everything else goes
// through @azure/storage-blob. It makes one try, like our SDK pipeline (retries are the
// caller's loop), and fails with the status and the service's error code, never a secret.
import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import { open } from 'node:fs/promises';
import { SEGMENT_UPLOAD_SLOTS } from './upload-slots.ts';

/** Version of the REST API the requests speak (one Azurite and Azure Storage both accept). */
const API_VERSION = '2021-12-02';

export type PutCredential =
  | { readonly kind: 'shared-key'; readonly accountName: string; readonly key: Buffer }
  | { readonly kind: 'sas'; readonly query: string };

export interface PutBlobRequest {
  /** Blob URL without query string, path segments already encoded. */
  readonly url: URL;
  /** A buffer, a file (read in chunks into two reused buffers), or a stream factory. */
  readonly body: Buffer | { readonly file: string } | (() => Readable | NodeJS.ReadableStream);
  readonly byteLength: number;
  readonly contentType?: string;
  /** `x-ms-meta-*` pairs; values must be ASCII (callers URI-encode). */
  readonly metadata?: Readonly<Record<string, string>>;
  readonly signal?: AbortSignal;
}

/** A failed request: what the SDK's RestError gives our error mapping (status and service code). */
export class PutBlobError extends Error {
  override readonly name = 'PutBlobError';
  /** The answer's headers, where the retry loop reads `Retry-After` (as from the SDK's RestError). */
  readonly response: { readonly headers: { get(name: string): string | undefined } } | undefined;
  constructor(
    message: string,
    readonly statusCode?: number,
    readonly code?: string,
    headers?: http.IncomingHttpHeaders,
  ) {
    super(message);
    this.response = headers && { headers: { get: (name) => headerOf(headers[name.toLowerCase()]) } };
  }
}

/** The account key and name from a connection string, or the SAS of a SAS URL; undefined for any other credential. */
export function putCredentialFrom(kind: string, secret: string, accountName: string): PutCredential | undefined {
  if (kind === 'sas-url') {
    const query = new URL(secret).search.replace(/^\?/, '');
    return query ? { kind: 'sas', query } : undefined;
  }
  if (kind !== 'connection-string') return undefined;
  const fields = new Map<string, string>();
  for (const part of secret.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }
  const key = fields.get('accountkey');
  if (key) return { kind: 'shared-key', accountName, key: Buffer.from(key, 'base64') };
  const sas = fields.get('sharedaccesssignature');
  return sas ? { kind: 'sas', query: sas.replace(/^\?/, '') } : undefined;
}

// One pair of keep-alive agents and one chunk pool for the process: every store shares them
// (idle keep-alive sockets are unref'd, so they never hold the process open).
const httpAgent = new http.Agent({ keepAlive: true });
const httpsAgent = new https.Agent({ keepAlive: true });

export class SignedBlobPut {
  readonly #credential: PutCredential;

  constructor(credential: PutCredential) {
    this.#credential = credential;
  }

  /** Put Blob (a block blob in one request). Resolves on 201; rejects with PutBlobError otherwise. */
  put(req: PutBlobRequest): Promise<void> {
    const headers: Record<string, string> = {
      'x-ms-version': API_VERSION,
      'x-ms-date': new Date().toUTCString(),
      'x-ms-blob-type': 'BlockBlob',
      'content-length': String(req.byteLength),
    };
    if (req.contentType) headers['x-ms-blob-content-type'] = req.contentType;
    for (const [k, v] of Object.entries(req.metadata ?? {})) headers[`x-ms-meta-${k.toLowerCase()}`] = v;
    let path = req.url.pathname;
    if (this.#credential.kind === 'shared-key') {
      headers['authorization'] = `SharedKey ${this.#credential.accountName}:${sharedKeySignature(this.#credential, 'PUT', req.url, headers)}`;
    } else {
      path += `?${this.#credential.query}`;
    }
    const secure = req.url.protocol === 'https:';
    const transport = secure ? https : http;
    return new Promise<void>((resolve, reject) => {
      const request = transport.request(
        {
          method: 'PUT',
          host: req.url.hostname.replace(/^\[|\]$/g, ''),
          port: req.url.port || (secure ? 443 : 80),
          path,
          headers,
          agent: secure ? httpsAgent : httpAgent,
          ...(req.signal ? { signal: req.signal } : {}),
        },
        (res) => {
          const status = res.statusCode ?? 0;
          const code = headerOf(res.headers['x-ms-error-code']);
          // The body (empty on success, an XML error otherwise) is drained so the socket is reused.
          res.resume();
          res.once('end', () => {
            if (status === 201) resolve();
            else reject(new PutBlobError(`Put Blob answered ${status}${code ? ` ${code}` : ''}`, status, code ?? `Http${status}`, res.headers));
          });
          res.once('error', reject);
        },
      );
      request.once('error', (e: NodeJS.ErrnoException) => {
        if (req.signal?.aborted) reject(req.signal.reason);
        // the codes the SDK's RestError carries: the socket's errno, else REQUEST_SEND_ERROR
        else reject(new PutBlobError(`Put Blob failed: ${e.code ?? e.message}`, undefined, e.code ?? 'REQUEST_SEND_ERROR'));
      });
      if (Buffer.isBuffer(req.body)) {
        request.end(req.body);
        return;
      }
      if (typeof req.body === 'object') {
        sendFile(request, req.body.file, req.byteLength, chunkPool).catch((e: unknown) => request.destroy(e as Error));
        return;
      }
      const stream = req.body() as Readable;
      stream.once('error', (e) => request.destroy(e));
      stream.pipe(request);
    });
  }
}

/** Chunk size of a file body: big enough for few thread-pool reads, small enough to keep resident. */
const FILE_CHUNK = 512 * 1024;

/**
 * Sends `bytes` of a file as the request body, read into two buffers used in turn: the next
 * chunk is read while the previous one is written, and a buffer is read into again only once
 * its write completed. A stream (fs.createReadStream) allocates a fresh buffer per read, and
 * faulting in and freeing those pages cost more CPU than the upload itself (bench/upload-put.ts).
 */
async function sendFile(request: http.ClientRequest, path: string, bytes: number, pool: ChunkPool): Promise<void> {
  const fh = await open(path, 'r');
  const buffers = [pool.take(), pool.take()];
  let clean = false;
  try {
    const written: (Promise<void> | undefined)[] = [undefined, undefined];
    let off = 0;
    for (let i = 0; off < bytes; i ^= 1) {
      await written[i];
      const buf = buffers[i]!;
      const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, bytes - off), off);
      if (bytesRead === 0) throw new Error(`${path} ended at ${off} of ${bytes} bytes`);
      off += bytesRead;
      const chunk = buf.subarray(0, bytesRead);
      written[i] = new Promise<void>((resolve, reject) => request.write(chunk, (e) => (e ? reject(e) : resolve())));
      // a write that fails is reported by the request's own 'error'; here it only must not stay unhandled
      written[i]!.catch(() => undefined);
    }
    await Promise.all(written);
    clean = true;
    request.end();
  } finally {
    await fh.close();
    // after a failed write the socket may still hold a chunk: those buffers are not reused
    if (clean) for (const b of buffers) pool.give(b);
  }
}

/** File chunk buffers reused across uploads: two per upload slot (uploads beyond those allocate). */
class ChunkPool {
  #free: Buffer[] = [];
  take(): Buffer {
    return this.#free.pop() ?? Buffer.allocUnsafeSlow(FILE_CHUNK);
  }
  give(b: Buffer): void {
    if (this.#free.length < 2 * SEGMENT_UPLOAD_SLOTS) this.#free.push(b);
  }
}
const chunkPool = new ChunkPool();

function headerOf(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/**
 * The SharedKey signature of a request (Authorize with Shared Key, version 2015-02-21 and later):
 * HMAC-SHA256 over the verb, the standard headers, the sorted `x-ms-` headers and the resource.
 */
export function sharedKeySignature(
  credential: { readonly accountName: string; readonly key: Buffer },
  verb: string,
  url: URL,
  headers: Readonly<Record<string, string>>,
): string {
  const h = (name: string): string => headers[name] ?? '';
  const length = h('content-length');
  const msHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-ms-'))
    .sort()
    .map((k) => `${k}:${headers[k]!.trim()}\n`)
    .join('');
  let resource = `/${credential.accountName}${url.pathname}`;
  const params = [...url.searchParams.keys()].sort();
  for (const p of new Set(params)) resource += `\n${p.toLowerCase()}:${url.searchParams.getAll(p).sort().join(',')}`;
  const toSign = [
    verb,
    h('content-encoding'),
    h('content-language'),
    length === '0' ? '' : length,
    h('content-md5'),
    h('content-type'),
    '', // Date: x-ms-date is sent instead
    h('if-modified-since'),
    h('if-match'),
    h('if-none-match'),
    h('if-unmodified-since'),
    h('range'),
  ].join('\n');
  return createHmac('sha256', credential.key).update(`${toSign}\n${msHeaders}${resource}`, 'utf8').digest('base64');
}
