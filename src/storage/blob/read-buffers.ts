// Buffers for reading segment files before upload, reused while a backlog drains. A fresh
// multi-MiB buffer per segment costs more CPU than the upload's own client work (new pages
// to fault in and zero, and external-memory pressure that triggers garbage collections):
// bench/upload-drain measured ~2 ms of CPU per 1 MiB segment. Only buffers of uploads that
// succeeded come back (after a failure the HTTP layer may still hold the body), at most
// `keep` are kept, and `clear()` gives them up when the uploader goes idle, so a live camera
// uploading one segment per 30 s holds none.
export class ReadBuffers {
  readonly #keep: number;
  #free: Buffer[] = [];
  /** Views handed out → the whole buffer they came from. */
  readonly #parents = new WeakMap<Buffer, Buffer>();

  constructor(keep = 2) {
    this.#keep = keep;
  }

  /** A buffer of exactly `bytes` (a view of a reused or new buffer). Contents are undefined. */
  take(bytes: number): Buffer {
    const i = this.#free.findIndex((b) => b.length >= bytes);
    // Rounded up to 1 MiB so that segments of slightly different sizes share buffers.
    const parent = i >= 0 ? this.#free.splice(i, 1)[0]! : Buffer.allocUnsafeSlow(Math.max(bytes, Math.ceil(bytes / 1048576) * 1048576));
    const view = parent.subarray(0, bytes);
    this.#parents.set(view, parent);
    return view;
  }

  /** A buffer from `take` whose contents are no longer needed. */
  give(view: Buffer): void {
    const parent = this.#parents.get(view);
    if (!parent) return;
    this.#parents.delete(view);
    if (this.#free.length < this.#keep) this.#free.push(parent);
  }

  clear(): void {
    this.#free = [];
  }

  /** Bytes held for reuse (tests, diagnostics). */
  get retainedBytes(): number {
    return this.#free.reduce((n, b) => n + b.length, 0);
  }
}
