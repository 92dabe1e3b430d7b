// Two ways to make reading an RTSP socket cheap, shared by every connection of the process.
//
// ReadSlab: socket reads land one after the other in a large slab instead of a fresh
// buffer per read, and a slab is never written twice. So every chunk handed out stays valid
// for as long as someone holds a view of it (RTP payloads are views), nothing has to be
// copied, and two consecutive chunks are adjacent in memory (the RTSP parser then completes
// a frame cut by a read without copying it).
//
// ReadPacer: once media flows, a connection reads at most once per interval and leaves what
// arrives in between in the kernel's socket buffer. One timer per interval serves all the
// connections waiting on it, so N cameras cost one wake-up per interval instead of one per
// camera burst (a camera sends every few ms). The price is up to one interval of latency,
// which a recorder cutting segments of seconds never notices; the RTSP handshake is not paced.

/** Bytes per slab; a slab is pinned while any chunk or payload view over it is alive. */
export const SLAB_BYTES = 256 * 1024;
/** A read gets at least this much room; a slab with less left is retired. */
export const MIN_READ_BYTES = 32 * 1024;

export class ReadSlab {
  private slab: Uint8Array;
  private used = 0;

  constructor(
    private readonly slabBytes = SLAB_BYTES,
    private readonly minReadBytes = Math.min(MIN_READ_BYTES, slabBytes),
  ) {
    this.slab = new Uint8Array(slabBytes);
  }

  /** Room for the next read: the unused tail of the slab (a fresh slab when it is short). */
  room(): Uint8Array {
    if (this.slabBytes - this.used < this.minReadBytes) {
      this.slab = new Uint8Array(this.slabBytes);
      this.used = 0;
    }
    return this.slab.subarray(this.used);
  }

  /** The read put `n` bytes at the start of the last room(): they become a chunk, never overwritten. */
  commit(n: number): Uint8Array {
    const chunk = this.slab.subarray(this.used, this.used + n);
    this.used += n;
    return chunk;
  }
}

export class ReadPacer {
  private readonly waiting = new Set<() => void>();
  private timer: NodeJS.Timeout | undefined;

  constructor(readonly intervalMs: number) {}

  /** Calls `resume` at the end of the current interval (one timer for every waiter). */
  hold(resume: () => void): void {
    this.waiting.add(resume);
    // Referenced on purpose: a paused socket alone does not keep the process alive.
    this.timer ??= setTimeout(() => this.release(), this.intervalMs);
  }

  cancel(resume: () => void): void {
    this.waiting.delete(resume);
    if (this.waiting.size === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  private release(): void {
    this.timer = undefined;
    const due = [...this.waiting];
    this.waiting.clear();
    for (const resume of due) resume();
  }
}

const pacers = new Map<number, ReadPacer>();

/** The process-wide pacer for an interval. */
export function readPacer(intervalMs: number): ReadPacer {
  let p = pacers.get(intervalMs);
  if (!p) {
    p = new ReadPacer(intervalMs);
    pacers.set(intervalMs, p);
  }
  return p;
}
