// Bounded reorder buffer for RTP over UDP, keyed by the 16-bit sequence number with wrap.
// Packets come out in sequence order; a hole is given up on once `maxWait` packets are
// waiting behind it (they are then released and the missing ones counted as lost).

export interface SequenceReordererOptions {
  /**
   * A hole is declared lost when this many packets wait behind it. 0 = no reordering (TCP): every
   * packet is released at once, gaps are counted, late packets dropped. Default 32.
   */
  readonly maxWait?: number;
}

export class SequenceReorderer<T> {
  private readonly maxWait: number;
  private readonly size: number;
  private readonly slots: (T | undefined)[];
  private readonly slotSeq: Int32Array;
  private readonly out: T[] = [];
  private started = false;
  /** Next sequence number to release. */
  private expected = 0;
  private buffered = 0;

  /** Packets declared lost (holes given up on, or gaps in pass-through mode). */
  lost = 0;
  /** Packets that arrived after their slot was released or skipped, or twice. */
  dropped = 0;
  /** Jumps too large to be reordering (source restart); the window restarted there. */
  resyncs = 0;

  constructor(options: SequenceReordererOptions = {}) {
    this.maxWait = Math.max(0, Math.min(options.maxWait ?? 32, 4096));
    let size = 1;
    while (size <= this.maxWait) size <<= 1;
    this.size = size;
    this.slots = new Array<T | undefined>(size).fill(undefined);
    this.slotSeq = new Int32Array(size).fill(-1);
  }

  /** Number of packets currently held. */
  get pending(): number {
    return this.buffered;
  }

  /**
   * The common case without an item or an array: when push(seq, item) would release just
   * this packet at once (nothing is held and `seq` is the one expected, or any later one
   * without reordering), records it exactly as push would and returns true: the caller then
   * handles the packet itself. Otherwise changes nothing and returns false: call push().
   */
  passThrough(seq: number): boolean {
    seq &= 0xffff;
    if (!this.started) {
      this.started = true;
      this.expected = (seq + 1) & 0xffff;
      return true;
    }
    if (this.buffered !== 0) return false;
    const d = ((seq - this.expected + 0x8000) & 0xffff) - 0x8000;
    if (d === 0 || (d > 0 && this.maxWait === 0)) {
      this.lost += d;
      this.expected = (seq + 1) & 0xffff;
      return true;
    }
    return false;
  }

  /**
   * Adds a packet; returns the packets now releasable, in order. The returned array is
   * reused by the next call: consume it before pushing again.
   */
  push(seq: number, item: T): readonly T[] {
    const out = this.out;
    out.length = 0;
    seq &= 0xffff;
    if (!this.started) {
      this.started = true;
      this.expected = (seq + 1) & 0xffff;
      out.push(item);
      return out;
    }
    const d = ((seq - this.expected + 0x8000) & 0xffff) - 0x8000; // signed 16-bit distance
    if (d === 0) {
      out.push(item);
      this.expected = (seq + 1) & 0xffff;
      this.drainInOrder();
      return out;
    }
    if (d < 0) {
      if (d < -Math.max(this.maxWait * 4, 128)) {
        this.restart(seq, item);
      } else {
        this.dropped++;
      }
      return out;
    }
    if (this.maxWait === 0) {
      this.lost += d;
      out.push(item);
      this.expected = (seq + 1) & 0xffff;
      return out;
    }
    if (d >= this.size) {
      // Far ahead: more than the window. Either a burst loss or a restart; both mean the
      // held packets will never be completed.
      if (d > Math.max(this.maxWait * 4, 128)) {
        this.restart(seq, item);
        return out;
      }
      this.skipTo((seq - this.size + 1) & 0xffff);
    }
    const slot = seq & (this.size - 1);
    if (this.slotSeq[slot] === seq) {
      this.dropped++;
      return out;
    }
    this.slots[slot] = item;
    this.slotSeq[slot] = seq;
    this.buffered++;
    while (this.buffered >= this.maxWait) this.skipHole();
    return out;
  }

  /** Releases everything held, in order, counting the holes as lost. Reused array, as push. */
  flush(): readonly T[] {
    const out = this.out;
    out.length = 0;
    while (this.buffered > 0) this.skipHole();
    return out;
  }

  private restart(seq: number, item: T): void {
    const out = this.out;
    while (this.buffered > 0) this.skipHoleNoCount();
    this.resyncs++;
    out.push(item);
    this.expected = (seq + 1) & 0xffff;
  }

  /** Releases consecutive held packets starting at `expected`. */
  private drainInOrder(): void {
    const mask = this.size - 1;
    while (this.buffered > 0) {
      const slot = this.expected & mask;
      if (this.slotSeq[slot] !== this.expected) return;
      this.out.push(this.slots[slot] as T);
      this.slots[slot] = undefined;
      this.slotSeq[slot] = -1;
      this.buffered--;
      this.expected = (this.expected + 1) & 0xffff;
    }
  }

  /** Gives up on the hole at `expected`: advances to the next held packet and releases the run. */
  private skipHole(): void {
    const mask = this.size - 1;
    let skipped = 0;
    while (this.slotSeq[this.expected & mask] !== this.expected) {
      this.expected = (this.expected + 1) & 0xffff;
      skipped++;
    }
    this.lost += skipped;
    this.drainInOrder();
  }

  private skipHoleNoCount(): void {
    const lost = this.lost;
    this.skipHole();
    this.lost = lost;
  }

  /** Moves `expected` forward to `target`, releasing held packets in between. */
  private skipTo(target: number): void {
    const mask = this.size - 1;
    while (this.expected !== target) {
      const slot = this.expected & mask;
      if (this.slotSeq[slot] === this.expected) {
        this.out.push(this.slots[slot] as T);
        this.slots[slot] = undefined;
        this.slotSeq[slot] = -1;
        this.buffered--;
      } else {
        this.lost++;
      }
      this.expected = (this.expected + 1) & 0xffff;
    }
    this.drainInOrder();
  }
}
