// Which H.264 access units a decoder can start from, so a segment may begin there. Cameras
// often send an IDR only at start-up and then random-access on non-IDR I frames (docs/camera-quirks.md,
// "Random access without IDR"): an I picture is a clean start when a recovery point SEI says
// the output is exact from it on (recovery_frame_cnt 0), or when the camera repeats SPS and PPS
// in front of it, the way it does at every GOP. A recovery point with a count above 0 is a
// gradual refresh (intra refresh): pictures up to the count are not decodable alone, so no cut.
import { removeEmulationPrevention } from '../bits/rbsp.ts';
import { BitReader } from '../bits/bit-reader.ts';
import { H264Nal, readH264SliceStart } from './nal.ts';

export type H264RandomAccess = 'idr' | 'recovery-point' | 'intra-with-parameter-sets';

const SEI_RECOVERY_POINT = 6;

/**
 * recovery_frame_cnt of the first recovery point message in an SEI NAL (with its header),
 * or undefined when it carries none (or is unreadable).
 */
export function readRecoveryFrameCount(sei: Uint8Array): number | undefined {
  const rbsp = removeEmulationPrevention(sei);
  let p = 1;
  while (p < rbsp.length) {
    if (rbsp[p] === 0x80 && p === rbsp.length - 1) return undefined; // rbsp trailing bits
    let type = 0;
    while (p < rbsp.length && rbsp[p] === 0xff) {
      type += 255;
      p++;
    }
    if (p >= rbsp.length) return undefined;
    type += rbsp[p++] as number;
    let size = 0;
    while (p < rbsp.length && rbsp[p] === 0xff) {
      size += 255;
      p++;
    }
    if (p >= rbsp.length) return undefined;
    size += rbsp[p++] as number;
    if (type === SEI_RECOVERY_POINT) {
      if (size === 0 || p + size > rbsp.length) return undefined;
      try {
        return new BitReader(rbsp.subarray(p, p + size)).ue();
      } catch {
        return undefined;
      }
    }
    p += size;
  }
  return undefined;
}

/**
 * Accumulates what one access unit's NAL units say about random access; `kind()` answers
 * once the whole unit has been seen. For depacketizers that look at each NAL once, as it comes.
 */
export class H264RandomAccessScan {
  private idr = false;
  private sps = false;
  private pps = false;
  private recoveryPoint = false;
  private slices = 0;
  private intraSlices = 0;

  add(nal: Uint8Array): void {
    switch ((nal[0] as number) & 0x1f) {
      case H264Nal.sps:
        this.sps = true;
        break;
      case H264Nal.pps:
        this.pps = true;
        break;
      case H264Nal.sei:
        if (!this.recoveryPoint && readRecoveryFrameCount(nal) === 0) this.recoveryPoint = true;
        break;
      case H264Nal.idr:
        this.idr = true;
        this.slice(nal);
        break;
      case H264Nal.slice:
      case H264Nal.sliceA:
        this.slice(nal);
        break;
    }
  }

  /** Slices seen so far (an access unit without any holds no picture). */
  get sliceCount(): number {
    return this.slices;
  }

  kind(): H264RandomAccess | undefined {
    if (this.idr) return 'idr';
    // every slice intra (I or SI): the picture references nothing before it
    if (this.slices === 0 || this.intraSlices !== this.slices) return undefined;
    if (this.recoveryPoint) return 'recovery-point';
    if (this.sps && this.pps) return 'intra-with-parameter-sets';
    return undefined;
  }

  reset(): void {
    this.idr = false;
    this.sps = false;
    this.pps = false;
    this.recoveryPoint = false;
    this.slices = 0;
    this.intraSlices = 0;
  }

  private slice(nal: Uint8Array): void {
    this.slices++;
    const s = readH264SliceStart(nal);
    if (s && (s.sliceType === 2 || s.sliceType === 4)) this.intraSlices++;
  }
}

/** The random access kind of a whole access unit (its NAL units without start codes or lengths). */
export function h264RandomAccess(units: readonly Uint8Array[]): H264RandomAccess | undefined {
  const scan = new H264RandomAccessScan();
  for (const u of units) if (u.length > 0) scan.add(u);
  return scan.kind();
}
