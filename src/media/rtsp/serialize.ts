// Serializers for RTSP messages and interleaved frames. Content-Length is written from the
// body; a caller's own Content-Length header is dropped so the two cannot disagree.
import type { RtspHeader } from './message.ts';

const encoder = new TextEncoder();

function head(startLine: string, headers: readonly RtspHeader[], body: Uint8Array): Uint8Array {
  let text = `${startLine}\r\n`;
  for (const [n, v] of headers) {
    if (n.toLowerCase() === 'content-length') continue;
    if (/[\r\n]/.test(n) || /[\r\n]/.test(v)) throw new Error(`header ${n} contains a line break`);
    text += `${n}: ${v}\r\n`;
  }
  if (body.length > 0) text += `Content-Length: ${body.length}\r\n`;
  text += '\r\n';
  const h = encoder.encode(text);
  if (body.length === 0) return h;
  const out = new Uint8Array(h.length + body.length);
  out.set(h, 0);
  out.set(body, h.length);
  return out;
}

export function serializeRequest(req: {
  method: string;
  uri: string;
  headers: readonly RtspHeader[];
  body?: Uint8Array | string;
  version?: string;
}): Uint8Array {
  const body = typeof req.body === 'string' ? encoder.encode(req.body) : (req.body ?? new Uint8Array(0));
  return head(`${req.method} ${req.uri} ${req.version ?? 'RTSP/1.0'}`, req.headers, body);
}

export function serializeResponse(res: {
  status: number;
  reason?: string;
  headers: readonly RtspHeader[];
  body?: Uint8Array | string;
  version?: string;
}): Uint8Array {
  const body = typeof res.body === 'string' ? encoder.encode(res.body) : (res.body ?? new Uint8Array(0));
  return head(`${res.version ?? 'RTSP/1.0'} ${res.status} ${res.reason ?? reasonPhrase(res.status)}`, res.headers, body);
}

export function serializeInterleaved(channel: number, payload: Uint8Array): Uint8Array {
  if (payload.length > 0xffff) throw new RangeError(`interleaved payload of ${payload.length} bytes exceeds 65535`);
  const out = new Uint8Array(4 + payload.length);
  out[0] = 0x24;
  out[1] = channel & 0xff;
  out[2] = payload.length >> 8;
  out[3] = payload.length & 0xff;
  out.set(payload, 4);
  return out;
}

export function reasonPhrase(status: number): string {
  switch (status) {
    case 200:
      return 'OK';
    case 301:
      return 'Moved Permanently';
    case 302:
      return 'Moved Temporarily';
    case 400:
      return 'Bad Request';
    case 401:
      return 'Unauthorized';
    case 403:
      return 'Forbidden';
    case 404:
      return 'Not Found';
    case 405:
      return 'Method Not Allowed';
    case 454:
      return 'Session Not Found';
    case 455:
      return 'Method Not Valid in This State';
    case 461:
      return 'Unsupported Transport';
    case 500:
      return 'Internal Server Error';
    case 501:
      return 'Not Implemented';
    default:
      return 'Status';
  }
}
