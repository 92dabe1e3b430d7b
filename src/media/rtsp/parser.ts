// Incremental parser for one RTSP TCP stream: RTSP requests and responses mixed with
// `$`-framed interleaved RTP/RTCP. Push bytes as they arrive; complete items come out.
// Memory is bounded: a header block over `maxHeaderBytes` or a body over `maxBodyBytes`
// throws RtspParseError, after which the parser refuses further input.
import { RtspParseError } from './errors.ts';
import type { InterleavedFrame, RtspHeader, RtspMessage, RtspRequest, RtspResponse, RtspStreamItem } from './message.ts';

type Head = Omit<RtspRequest, 'body'> | Omit<RtspResponse, 'body'>;

export interface RtspParserOptions {
  readonly maxHeaderBytes?: number;
  readonly maxBodyBytes?: number;
  /**
   * The caller reuses its buffer once push()/feed() returns: frame payloads are then only
   * valid during the sink call, and the parser copies what it keeps (a cut frame's start,
   * message bodies).
   */
  readonly transientInput?: boolean;
}

const DOLLAR = 0x24;
const CR = 0x0d;
const LF = 0x0a;
const EMPTY = new Uint8Array(0);
const latin1 = new TextDecoder('latin1');

/** Receives what feed() finds, in stream order. */
export interface RtspStreamSink {
  /** `payload` is a view over the pushed bytes (or over the join of a frame cut by two pushes). */
  onInterleaved(channel: number, payload: Uint8Array): void;
  onMessage(msg: RtspMessage): void;
}

export class RtspStreamParser {
  private readonly maxHeaderBytes: number;
  private readonly maxBodyBytes: number;
  private buf: Uint8Array = EMPTY;
  private off = 0;
  /** A message whose header block is parsed and whose body is still arriving. */
  private pending: { msg: Head; length: number } | undefined;
  /** Where the end-of-headers search resumes, so a slow header is not rescanned per byte. */
  private scanFrom = 0;
  private failed: RtspParseError | undefined;
  private readonly transient: boolean;

  constructor(opts: RtspParserOptions = {}) {
    this.maxHeaderBytes = opts.maxHeaderBytes ?? 64 * 1024;
    this.maxBodyBytes = opts.maxBodyBytes ?? 4 * 1024 * 1024;
    this.transient = opts.transientInput ?? false;
  }

  /** Bytes received but not yet part of a complete item. */
  get buffered(): number {
    return this.buf.length - this.off;
  }

  push(chunk: Uint8Array): RtspStreamItem[] {
    const out: RtspStreamItem[] = [];
    this.feed(chunk, {
      onInterleaved: (channel, payload) => out.push({ kind: 'interleaved', channel, payload }),
      onMessage: (msg) => out.push(msg),
    });
    return out;
  }

  /**
   * As push(), but hands each item to `sink` as soon as it is complete, without building
   * frame objects or an array (the media path). On a parse error, items before it have been
   * delivered; an exception thrown by the sink propagates and leaves the parser usable.
   */
  feed(chunk: Uint8Array, sink: RtspStreamSink): void {
    if (this.failed) throw this.failed;
    // An interleaved frame cut by the previous read is completed with just the bytes it
    // lacks; the rest of this chunk is then parsed in place (a full join would copy every
    // media byte again on nearly every read).
    const used = this.completeFrame(chunk);
    if (used > 0) {
      this.drain(sink);
      this.buf = EMPTY;
      this.off = 0;
      this.scanFrom = 0;
    }
    this.append(used > 0 ? chunk.subarray(used) : chunk);
    this.drain(sink);
    if (this.off === this.buf.length) {
      this.buf = EMPTY;
      this.off = 0;
      this.scanFrom = 0;
    } else if (this.transient) {
      // keep the unparsed rest, not the caller's buffer
      this.buf = this.buf.slice(this.off);
      this.scanFrom = Math.max(0, this.scanFrom - this.off);
      this.off = 0;
    }
  }

  private drain(sink: RtspStreamSink): void {
    try {
      for (;;) {
        if (this.pending === undefined && this.buf[this.off] === DOLLAR) {
          if (!this.frameTo(sink)) break;
          continue;
        }
        const item = this.next();
        if (item === undefined) break;
        if (item.kind === 'interleaved') sink.onInterleaved(item.channel, item.payload);
        else sink.onMessage(item);
      }
    } catch (e) {
      if (e instanceof RtspParseError) this.failed = e;
      throw e;
    }
  }

  /** Delivers the `$` frame at `off` if it is complete; false when it is not. */
  private frameTo(sink: RtspStreamSink): boolean {
    const b = this.buf;
    const off = this.off;
    const avail = b.length - off;
    if (avail < 4) return false;
    const length = ((b[off + 2] as number) << 8) | (b[off + 3] as number);
    if (avail < 4 + length) return false;
    this.off = off + 4 + length;
    this.scanFrom = this.off;
    sink.onInterleaved(b[off + 1] as number, b.subarray(off + 4, off + 4 + length));
    return true;
  }

  /** Joins a straddling `$` frame with the bytes it lacks from `chunk`; returns how many it took (0: none). */
  private completeFrame(chunk: Uint8Array): number {
    const rest = this.buf.length - this.off;
    if (rest === 0 || this.pending || this.buf[this.off] !== DOLLAR) return 0;
    const header = new Uint8Array(4);
    let h = 0;
    for (; h < 4 && h < rest; h++) header[h] = this.buf[this.off + h] as number;
    for (let c = 0; h < 4 && c < chunk.length; h++, c++) header[h] = chunk[c] as number;
    if (h < 4) return 0;
    const total = 4 + (((header[2] as number) << 8) | (header[3] as number));
    if (rest >= total || rest + chunk.length < total) return 0;
    const need = total - rest;
    const joined = new Uint8Array(total);
    joined.set(this.buf.subarray(this.off), 0);
    joined.set(chunk.subarray(0, need), rest);
    this.buf = joined;
    this.off = 0;
    this.scanFrom = 0;
    return need;
  }

  private append(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const rest = this.buf.length - this.off;
    if (rest === 0) {
      // No leftover: parse the caller's chunk in place so frame payloads are views over it.
      this.buf = chunk;
      this.off = 0;
      this.scanFrom = 0;
      return;
    }
    const joined = new Uint8Array(rest + chunk.length);
    joined.set(this.buf.subarray(this.off), 0);
    joined.set(chunk, rest);
    this.scanFrom -= this.off;
    this.buf = joined;
    this.off = 0;
  }

  private next(): RtspStreamItem | undefined {
    const avail = this.buf.length - this.off;
    if (this.pending) {
      if (avail < this.pending.length) return undefined;
      const end = this.off + this.pending.length;
      const body = this.transient ? this.buf.slice(this.off, end) : this.buf.subarray(this.off, end);
      this.off += this.pending.length;
      const msg = { ...this.pending.msg, body } as RtspMessage;
      this.pending = undefined;
      return msg;
    }
    if (avail === 0) return undefined;
    if (this.buf[this.off] === DOLLAR) return this.nextFrame(avail);
    // Some peers send stray CR/LF between messages; skip them.
    while (this.off < this.buf.length && (this.buf[this.off] === CR || this.buf[this.off] === LF)) this.off++;
    if (this.off === this.buf.length) return undefined;
    if (this.buf[this.off] === DOLLAR) return this.nextFrame(this.buf.length - this.off);
    return this.nextMessage();
  }

  private nextFrame(avail: number): InterleavedFrame | undefined {
    if (avail < 4) return undefined;
    const b = this.buf;
    const channel = b[this.off + 1] as number;
    const length = ((b[this.off + 2] as number) << 8) | (b[this.off + 3] as number);
    if (avail < 4 + length) return undefined;
    const payload = b.subarray(this.off + 4, this.off + 4 + length);
    this.off += 4 + length;
    this.scanFrom = this.off;
    return { kind: 'interleaved', channel, payload };
  }

  private nextMessage(): RtspMessage | undefined {
    const b = this.buf;
    let i = Math.max(this.off, this.scanFrom);
    let end = -1;
    let bodyStart = -1;
    // The header block ends at an empty line: CRLFCRLF, or bare LFLF from sloppy peers.
    for (; i < b.length; i++) {
      if (b[i] !== LF) continue;
      if (b[i + 1] === LF) {
        end = i;
        bodyStart = i + 2;
        break;
      }
      if (b[i + 1] === CR && b[i + 2] === LF) {
        end = i;
        bodyStart = i + 3;
        break;
      }
      if (i + 2 >= b.length) break;
    }
    if (end < 0) {
      if (b.length - this.off > this.maxHeaderBytes) {
        throw new RtspParseError('header-too-large', `RTSP header block exceeds ${this.maxHeaderBytes} bytes`);
      }
      // Resume a little before the end so a terminator split across reads is still found.
      this.scanFrom = Math.max(this.off, b.length - 3);
      this.checkStartLooksValid();
      return undefined;
    }
    if (end - this.off > this.maxHeaderBytes) {
      throw new RtspParseError('header-too-large', `RTSP header block exceeds ${this.maxHeaderBytes} bytes`);
    }
    const text = latin1.decode(b.subarray(this.off, end));
    this.off = bodyStart;
    this.scanFrom = bodyStart;
    const head = parseHead(text);
    const lengthText = head.headers.find(([n]) => n.toLowerCase() === 'content-length')?.[1];
    let length = 0;
    if (lengthText !== undefined) {
      const t = lengthText.trim();
      if (!/^\d{1,10}$/.test(t)) throw new RtspParseError('bad-content-length', `bad Content-Length "${t.slice(0, 20)}"`);
      length = Number(t);
      if (length > this.maxBodyBytes) {
        throw new RtspParseError('body-too-large', `RTSP body of ${length} bytes exceeds ${this.maxBodyBytes}`);
      }
    }
    if (length === 0) return { ...head, body: EMPTY } as RtspMessage;
    this.pending = { msg: head, length };
    return this.next() as RtspMessage | undefined;
  }

  /** Fail early on a peer that sends bytes that cannot start an RTSP message. */
  private checkStartLooksValid(): void {
    const n = Math.min(this.buf.length - this.off, 16);
    for (let k = 0; k < n; k++) {
      const c = this.buf[this.off + k] as number;
      if (c === 0x20 && k > 0) return; // the first token ended: this may yet be a message
      if (!isTokenChar(c) && c !== 0x2f && c !== 0x2e) {
        throw new RtspParseError('bad-start-line', 'peer sent bytes that do not start an RTSP message');
      }
    }
  }
}

function isTokenChar(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x5f || c === 0x2d;
}

/**
 * A peer's bytes quoted for an error message: these reach events, logs and instance status,
 * so a hostile camera's control bytes (ESC, CR, DEL, C1) must arrive as escapes, not as-is.
 */
function quoted(text: string, max: number): string {
  return JSON.stringify(text.slice(0, max)).replace(/[^\x20-\x7e]/g, (c) => {
    const code = c.charCodeAt(0);
    return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
  });
}

function parseHead(text: string): Head {
  const lines = text.split(/\r?\n/);
  const start = (lines[0] ?? '').trim();
  const headers: [string, string][] = [];
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k] as string;
    if (line.length === 0) continue;
    if ((line[0] === ' ' || line[0] === '\t') && headers.length > 0) {
      // Obsolete line folding: continue the previous header's value.
      const last = headers[headers.length - 1] as [string, string];
      last[1] = `${last[1]} ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new RtspParseError('bad-header', `malformed header line ${quoted(line, 40)}`);
    const name = line.slice(0, colon).trim();
    if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) {
      throw new RtspParseError('bad-header', `malformed header name ${quoted(name, 40)}`);
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  const frozen: readonly RtspHeader[] = headers;
  const resp = /^(RTSP\/\d\.\d)\s+(\d{3})(?:\s+(.*))?$/.exec(start);
  if (resp) {
    return { kind: 'response', version: resp[1] as string, status: Number(resp[2]), reason: resp[3] ?? '', headers: frozen };
  }
  const req = /^([!#$%&'*+\-.^_`|~0-9A-Za-z]+)\s+(\S+)\s+(RTSP\/\d\.\d)$/.exec(start);
  if (req) {
    return { kind: 'request', method: req[1] as string, uri: req[2] as string, version: req[3] as string, headers: frozen };
  }
  throw new RtspParseError('bad-start-line', `not an RTSP start line: ${quoted(start, 60)}`);
}
