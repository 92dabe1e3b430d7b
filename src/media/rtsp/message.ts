// RTSP 1.0 messages (RFC 2326) as plain data. Header names keep the case the peer sent;
// lookups are case-insensitive because cameras spell `CSeq`, `Cseq` and `cseq`.

export type RtspHeader = readonly [name: string, value: string];

export interface RtspRequest {
  readonly kind: 'request';
  readonly method: string;
  readonly uri: string;
  readonly version: string;
  readonly headers: readonly RtspHeader[];
  readonly body: Uint8Array;
}

export interface RtspResponse {
  readonly kind: 'response';
  readonly version: string;
  readonly status: number;
  readonly reason: string;
  readonly headers: readonly RtspHeader[];
  readonly body: Uint8Array;
}

/** `$` + channel + 16-bit length + payload, interleaved with RTSP messages on one TCP stream. */
export interface InterleavedFrame {
  readonly kind: 'interleaved';
  readonly channel: number;
  /** A view over the received bytes, never a copy. */
  readonly payload: Uint8Array;
}

export type RtspMessage = RtspRequest | RtspResponse;
export type RtspStreamItem = RtspMessage | InterleavedFrame;

export function getHeader(msg: { readonly headers: readonly RtspHeader[] }, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [n, v] of msg.headers) if (n.toLowerCase() === lower) return v;
  return undefined;
}

export function getHeaders(msg: { readonly headers: readonly RtspHeader[] }, name: string): string[] {
  const lower = name.toLowerCase();
  const out: string[] = [];
  for (const [n, v] of msg.headers) if (n.toLowerCase() === lower) out.push(v);
  return out;
}

/** CSeq as a number, or undefined when missing or not a number (some cameras omit it). */
export function getCSeq(msg: { readonly headers: readonly RtspHeader[] }): number | undefined {
  const v = getHeader(msg, 'CSeq');
  if (v === undefined) return undefined;
  const n = Number.parseInt(v.trim(), 10);
  return Number.isFinite(n) ? n : undefined;
}

export function bodyText(msg: { readonly body: Uint8Array }): string {
  return new TextDecoder().decode(msg.body);
}
