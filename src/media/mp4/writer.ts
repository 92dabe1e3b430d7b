// A growable big-endian byte writer for ISO-BMFF boxes. `box()` reserves the 32-bit size,
// runs the body, then back-patches the size, so box functions never compute lengths by hand.

export class BoxWriter {
  private buf: Uint8Array;
  private view: DataView;
  private pos = 0;

  constructor(initialCapacity = 1024) {
    this.buf = new Uint8Array(initialCapacity);
    this.view = new DataView(this.buf.buffer);
  }

  /** Bytes written so far. */
  get length(): number {
    return this.pos;
  }

  private reserve(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  u8(v: number): this {
    this.reserve(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.reserve(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u24(v: number): this {
    this.reserve(3);
    this.view.setUint8(this.pos, (v >>> 16) & 0xff);
    this.view.setUint16(this.pos + 1, v & 0xffff);
    this.pos += 3;
    return this;
  }

  u32(v: number): this {
    this.reserve(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  i32(v: number): this {
    this.reserve(4);
    this.view.setInt32(this.pos, v);
    this.pos += 4;
    return this;
  }

  /** Unsigned 64-bit from a JS number (exact up to 2^53). */
  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 out of range: ${v}`);
    this.u32(Math.floor(v / 0x1_0000_0000));
    return this.u32(v % 0x1_0000_0000);
  }

  fourcc(code: string): this {
    if (code.length !== 4) throw new RangeError(`fourcc must have 4 characters: ${JSON.stringify(code)}`);
    this.reserve(4);
    for (let i = 0; i < 4; i++) this.buf[this.pos + i] = code.charCodeAt(i) & 0xff;
    this.pos += 4;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  zeros(n: number): this {
    this.reserve(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** A box: size (patched after `body` ran), type, body. */
  box(type: string, body: (w: this) => void): this {
    const start = this.pos;
    this.u32(0).fourcc(type);
    body(this);
    this.view.setUint32(start, this.pos - start);
    return this;
  }

  /** A FullBox: like `box` with version (8 bits) and flags (24 bits) first. */
  fullBox(type: string, version: number, flags: number, body: (w: this) => void): this {
    return this.box(type, (w) => {
      w.u8(version).u24(flags);
      body(w);
    });
  }

  /** Position of the next byte, for fields patched later with `patchU32`. */
  mark(): number {
    return this.pos;
  }

  patchU32(at: number, v: number): void {
    this.view.setUint32(at, v >>> 0);
  }

  patchI32(at: number, v: number): void {
    this.view.setInt32(at, v);
  }

  /** The written bytes (a view; the writer must not be used afterwards). */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}
