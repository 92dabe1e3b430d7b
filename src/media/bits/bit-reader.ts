// MSB-first bit reader over an RBSP, with the Exp-Golomb codes of H.264/H.265 (9.1).
import { BitstreamError } from './errors.ts';

export class BitReader {
  private readonly data: Uint8Array;
  private readonly totalBits: number;
  private pos = 0;

  /** `data` should be an RBSP (see removeEmulationPrevention). Not copied, not mutated. */
  constructor(data: Uint8Array, startByte = 0) {
    this.data = data;
    this.totalBits = data.length * 8;
    this.pos = startByte * 8;
  }

  /** Bits not read yet. */
  bitsLeft(): number {
    return this.totalBits - this.pos;
  }

  /** Bit position from the start of the buffer. */
  position(): number {
    return this.pos;
  }

  /** Fixed-width unsigned read, 0 ≤ n ≤ 32. */
  u(n: number): number {
    if (n < 0 || n > 32) throw new BitstreamError('invalid', `cannot read ${n} bits at once`);
    if (n > this.totalBits - this.pos) throw new BitstreamError('truncated', `needed ${n} bits, ${this.bitsLeft()} left`);
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = this.pos++;
      const bit = ((this.data[p >>> 3] as number) >>> (7 - (p & 7))) & 1;
      v = v * 2 + bit; // multiplication keeps 32-bit values positive
    }
    return v;
  }

  u1(): number {
    if (this.pos >= this.totalBits) throw new BitstreamError('truncated', 'needed 1 bit, 0 left');
    const p = this.pos++;
    return ((this.data[p >>> 3] as number) >>> (7 - (p & 7))) & 1;
  }

  flag(): boolean {
    return this.u1() === 1;
  }

  /** Unsigned Exp-Golomb ue(v); values up to 2^32 − 2. */
  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) {
      zeros++;
      if (zeros > 31) throw new BitstreamError('invalid', 'Exp-Golomb code longer than 32 bits');
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.u(zeros);
  }

  /** Signed Exp-Golomb se(v). */
  se(): number {
    const k = this.ue();
    if (k === 0) return 0;
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  skip(n: number): void {
    if (n < 0 || n > this.totalBits - this.pos) throw new BitstreamError('truncated', `cannot skip ${n} bits, ${this.bitsLeft()} left`);
    this.pos += n;
  }

  /** Reads `n` whole bytes (at any bit position) into a new array. */
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.u(8);
    return out;
  }
}

/** A cropping window as both H.264 (frame_cropping) and H.265 (conformance_window) code it:
 * a presence flag, then four ue(v) offsets. */
export function readCropWindow(r: BitReader): { left: number; right: number; top: number; bottom: number } {
  if (!r.flag()) return { left: 0, right: 0, top: 0, bottom: 0 };
  return { left: r.ue(), right: r.ue(), top: r.ue(), bottom: r.ue() };
}
