// Shapes shared by the payload-format depacketizers (gortsplib's decoder shape: config in the
// constructor, then push(packet) → complete access units). Depacketizers never throw on
// input; problems are recorded as typed errors the caller drains with takeErrors().
import type { RtpPacket } from './rtp-packet.ts';

export interface AccessUnitOut {
  /** Extended RTP timestamp (64-bit safe) = presentation time in the RTP clock. */
  readonly timestamp: number;
  /** Video: NAL units without start codes (views where possible). Audio: one raw frame. */
  readonly units: Uint8Array[];
  /** Random access point (always true for audio). */
  readonly keyframe: boolean;
  /** Parameter sets became known or changed with this AU (send a new TrackInfo). */
  readonly parameterSetsChanged: boolean;
}

export type DepacketizeErrorCode =
  | 'empty-payload'
  | 'malformed-packet'
  | 'unsupported-packetization'
  | 'fragment-lost'
  | 'fragment-without-start'
  | 'fragment-incomplete'
  | 'too-large'
  | 'marker-misplaced'
  | 'bad-parameter-set'
  | 'bad-config';

export interface DepacketizeError {
  readonly code: DepacketizeErrorCode;
  readonly message: string;
  /** Sequence number of the packet that showed the problem, when there was one. */
  readonly sequenceNumber?: number;
}

export interface Depacketizer {
  /** One RTP packet, in sequence order, with its extended timestamp. Never throws. */
  push(packet: RtpPacket, extendedTimestamp: number): readonly AccessUnitOut[];
  /** End of stream: returns what is still held (an AU whose end was not signalled). */
  flush(): readonly AccessUnitOut[];
  /** Errors since the last call (bounded; see errorCount for the total). */
  takeErrors(): DepacketizeError[];
  readonly errorCount: number;
}

export const NO_ACCESS_UNITS: readonly AccessUnitOut[] = Object.freeze([]);

/** Keeps the last errors for takeErrors(); bounded so a broken stream cannot grow memory. */
export class ErrorLog {
  private list: DepacketizeError[] = [];
  count = 0;

  add(code: DepacketizeErrorCode, message: string, sequenceNumber?: number): void {
    this.count++;
    if (this.list.length < 64) this.list.push(sequenceNumber === undefined ? { code, message } : { code, message, sequenceNumber });
  }

  take(): DepacketizeError[] {
    const l = this.list;
    this.list = [];
    return l;
  }
}

/** Concatenates views once (the only copy an FU reassembly needs). `head` is prepended. */
export function concatFragments(head: Uint8Array | undefined, parts: readonly Uint8Array[], total: number): Uint8Array {
  const headLen = head ? head.length : 0;
  const out = new Uint8Array(headLen + total);
  if (head) out.set(head, 0);
  let o = headLen;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** Upper bounds that protect memory against broken or hostile streams. */
export const MAX_NAL_SIZE = 8 * 1024 * 1024;
export const MAX_UNITS_PER_AU = 2048;
export const MAX_AU_SIZE = 16 * 1024 * 1024;
