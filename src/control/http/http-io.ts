// Small helpers every route shares: bounded JSON bodies, JSON answers, and OData error bodies
// (LVA's shape) that never carry a stack trace.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { MediaGraphError, ERROR_CATALOG } from '../../runtime/errors.ts';

/** Largest request body accepted (topologies are a few KiB; 1 MiB leaves room). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP-level failure with a stable code; the runtime's catalog covers host errors. */
export class HttpError extends Error {
  override readonly name = 'HttpError';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target = '',
  ) {
    super(message);
  }
}

/** The OData top-level code for an HTTP status, as LVA's table spells them. */
function topCode(status: number): string {
  switch (status) {
    case 400:
      return 'BadRequest';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'NotFound';
    case 405:
      return 'MethodNotAllowed';
    case 409:
      return 'Conflict';
    case 413:
      return 'PayloadTooLarge';
    case 503:
      return 'ServerBusy';
    default:
      return status >= 500 ? 'InternalServerError' : 'BadRequest';
  }
}

export function odataError(
  status: number,
  code: string,
  message: string,
  target = '',
): { error: { code: string; message: string; details: { code: string; target: string; message: string }[] } } {
  return { error: { code: topCode(status), message, details: [{ code, target, message }] } };
}

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204 || body === undefined) {
    res.writeHead(status, headers);
    res.end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(text);
}

export function sendText(res: ServerResponse, status: number, contentType: string, text: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/**
 * Answers any thrown value as an OData error. Unknown errors become a generic 500: their
 * messages may hold paths or connection strings, so only the log (redacted) sees them.
 */
export function sendError(res: ServerResponse, e: unknown, log?: (message: string) => void): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  if (e instanceof HttpError)
    return sendJson(res, e.status, odataError(e.status, e.code, e.message, e.target), e.status === 401 ? { 'www-authenticate': 'Bearer' } : {});
  if (e instanceof MediaGraphError && e.code in ERROR_CATALOG) return sendJson(res, e.status, e.toODataError());
  log?.(e instanceof Error ? e.message : String(e));
  sendJson(res, 500, odataError(500, 'InternalError', 'internal error; see the server log'));
}

/** Reads the whole body up to `limit` bytes; a bigger body is refused with 413 without reading it all. */
export async function readBody(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit)
    throw new HttpError(413, 'PayloadTooLarge', `the request body is ${declared} bytes; the limit is ${limit}`);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new HttpError(413, 'PayloadTooLarge', `the request body exceeds the limit of ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/** A JSON body (empty body = `{}`); malformed JSON is a 400 naming the position. */
export async function readJson(req: IncomingMessage, limit = MAX_BODY_BYTES): Promise<unknown> {
  const text = (await readBody(req, limit)).toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    // Node's message can quote the body; say only where it broke.
    const at = /position (\d+)/.exec(e instanceof Error ? e.message : '')?.[1];
    throw new HttpError(400, 'InvalidJson', `the request body is not valid JSON${at ? ` (at position ${at})` : ''}`);
  }
}
