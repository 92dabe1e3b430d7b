// Reads ISO-BMFF box headers back from bytes (the inverse of writer.ts), for what the
// recorder must recover from disk on its own files: never trusts a size past the buffer.

export interface BoxHeader {
  readonly type: string;
  /** Offset of the box (its size field) in the buffer. */
  readonly start: number;
  /** Offset of the body, after the 8- or 16-byte header. */
  readonly bodyStart: number;
  /** Offset just past the box. */
  readonly end: number;
}

/**
 * The box starting at `at`, or undefined when its header or body does not fit before
 * `limit` (a box cut short by a crash) or its size is impossible.
 */
export function readBoxHeader(bytes: Uint8Array, at: number, limit = bytes.length): BoxHeader | undefined {
  if (at + 8 > limit) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  let size = view.getUint32(at);
  const type = String.fromCharCode(bytes[at + 4]!, bytes[at + 5]!, bytes[at + 6]!, bytes[at + 7]!);
  let header = 8;
  if (size === 1) {
    if (at + 16 > limit) return undefined;
    size = view.getUint32(at + 8) * 0x1_0000_0000 + view.getUint32(at + 12);
    header = 16;
  } else if (size === 0) {
    size = limit - at; // "to the end of the file"
  }
  if (size < header || at + size > limit) return undefined;
  return { type, start: at, bodyStart: at + header, end: at + size };
}

/** Child boxes of a container body [from, to); undefined if they do not tile it exactly. */
export function readChildren(bytes: Uint8Array, from: number, to: number): BoxHeader[] | undefined {
  const out: BoxHeader[] = [];
  let at = from;
  while (at < to) {
    const b = readBoxHeader(bytes, at, to);
    if (!b) return undefined;
    out.push(b);
    at = b.end;
  }
  return out;
}

/** Big-endian field reads that throw RangeError past `end` (callers treat that as damage). */
export class FieldReader {
  readonly #view: DataView;
  #pos: number;
  readonly #end: number;

  constructor(bytes: Uint8Array, from: number, to: number) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
    this.#pos = from;
    this.#end = to;
  }

  get position(): number {
    return this.#pos;
  }
  #need(n: number): number {
    const at = this.#pos;
    if (at + n > this.#end) throw new RangeError('box field past the end of its box');
    this.#pos += n;
    return at;
  }
  u8(): number {
    return this.#view.getUint8(this.#need(1));
  }
  u16(): number {
    return this.#view.getUint16(this.#need(2));
  }
  u32(): number {
    return this.#view.getUint32(this.#need(4));
  }
  i32(): number {
    return this.#view.getInt32(this.#need(4));
  }
  u64(): number {
    const at = this.#need(8);
    return this.#view.getUint32(at) * 0x1_0000_0000 + this.#view.getUint32(at + 4);
  }
  skip(n: number): void {
    this.#need(n);
  }
  /** version (8 bits) and flags (24 bits) of a full box. */
  fullHeader(): { version: number; flags: number } {
    const v = this.u32();
    return { version: v >>> 24, flags: v & 0xff_ffff };
  }
}
