// Where a depacketizer writes the NAL units (or AAC frames) it hands out: one large buffer
// that NAL after NAL is written into, each handed out as a view over it. The packet bytes are
// copied once (the socket's read buffer is reused) and there is no allocation per NAL; a
// fragmented NAL is assembled in place, so it is not copied again at its end. A full slab is
// left to the views that still use it (the GC frees it with the last of them) and a new one
// started.

/**
 * Size of a slab: ~0.5 s of a 1 Mbit/s stream. Small enough to come from the allocator's
 * recycled memory (slabs of 2 × the largest NAL, ~0.5 MiB at 1080p, were fresh pages from
 * the kernel each time and cost more than the copies they saved). A NAL that outgrows a slab
 * moves to a buffer of its own, grown by doubling.
 */
export const SLAB_BYTES = 64 * 1024;

export class NalSlab {
  private slab: Uint8Array = new Uint8Array(0);
  /** Where the NAL being written starts. */
  private start = 0;
  /** Where the next byte goes. */
  private end = 0;

  /** Bytes of the NAL being written. */
  get length(): number {
    return this.end - this.start;
  }

  /** Appends bytes to the NAL being written. */
  append(bytes: Uint8Array): void {
    this.reserve(bytes.length);
    this.slab.set(bytes, this.end);
    this.end += bytes.length;
  }

  appendByte(b: number): void {
    this.reserve(1);
    this.slab[this.end++] = b;
  }

  /**
   * Appends `payload` without its first `skip` bytes (an FU's headers): when the NAL already
   * holds `skip` bytes, the whole payload is copied over the NAL's end and the bytes it covered
   * are put back (one contiguous copy, no view per packet).
   */
  appendSkipping(payload: Uint8Array, skip: number): void {
    const n = payload.length - skip;
    this.reserve(n);
    const buf = this.slab;
    const at = this.end;
    if (at - this.start >= skip && skip <= 4) {
      const b1 = buf[at - 1] as number;
      const b2 = buf[at - 2] as number;
      const b3 = buf[at - 3] as number;
      const b4 = buf[at - 4] as number;
      buf.set(payload, at - skip);
      if (skip >= 1) buf[at - 1] = b1;
      if (skip >= 2) buf[at - 2] = b2;
      if (skip >= 3) buf[at - 3] = b3;
      if (skip >= 4) buf[at - 4] = b4;
    } else {
      buf.set(payload.subarray(skip), at);
    }
    this.end = at + n;
  }

  /** The NAL written so far, without finishing it (valid until the next write). */
  peek(): Uint8Array {
    return this.slab.subarray(this.start, this.end);
  }

  /** Finishes the NAL being written and returns it; the next NAL starts after it. */
  finish(): Uint8Array {
    const nal = this.slab.subarray(this.start, this.end);
    this.start = this.end;
    this.dropIfHuge();
    return nal;
  }

  /** Drops the NAL being written. */
  abort(): void {
    this.end = this.start;
    this.dropIfHuge();
  }

  /** A buffer grown for one large NAL (a hostile stream can send 8 MiB) is left to that NAL. */
  private dropIfHuge(): void {
    if (this.slab.length <= SLAB_BYTES) return;
    this.slab = new Uint8Array(0);
    this.start = 0;
    this.end = 0;
  }

  /** Room for `n` more bytes; moves the NAL being written to a new slab when the slab is full. */
  private reserve(n: number): void {
    if (this.end + n <= this.slab.length) return;
    const partial = this.end - this.start;
    const size = partial + n <= SLAB_BYTES ? SLAB_BYTES : 2 * (partial + n);
    const next = uninitialized(size);
    if (partial > 0) next.set(this.slab.subarray(this.start, this.end), 0);
    this.slab = next;
    this.start = 0;
    this.end = partial;
  }
}

/**
 * A buffer without zero-filling (3–4× cheaper at 64 KiB): every byte of it handed out as a
 * NAL has been written first, so nothing left in it by earlier use is ever exposed.
 */
function uninitialized(size: number): Uint8Array {
  return new Uint8Array(Buffer.allocUnsafeSlow(size).buffer as ArrayBuffer, 0, size);
}
