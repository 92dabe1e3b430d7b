// What H.264 and H.265 depacketizers share: packet loss tracking, fragment reassembly by
// collecting views, access-unit boundaries, and the marker-bit trust rule.
//
// An AU ends when the RTP timestamp changes, or when a packet after a marked one starts a
// new picture with the same timestamp (a camera clock that repeats). The marker bit alone
// ends an AU (no one-frame latency) only once it has been seen on exactly the last packet of
// MARKER_TRUST_AFTER AUs in a row; a marker followed by more of the same picture makes it
// untrusted for good (cameras that set it on every slice, or never).
import type { VideoCodecConfig } from '../../types/media.ts';
import type { RtpPacket } from './rtp-packet.ts';
import {
  ErrorLog,
  NO_ACCESS_UNITS,
  MAX_AU_SIZE,
  MAX_NAL_SIZE,
  MAX_UNITS_PER_AU,
  type AccessUnitOut,
  type DepacketizeError,
  type Depacketizer,
  type DepacketizeErrorCode,
} from './depacketizer.ts';

export interface VideoAccessUnit extends AccessUnitOut {
  /** The codec config, on AUs whose parameterSetsChanged is true. */
  readonly videoConfig?: VideoCodecConfig;
}

export const MARKER_TRUST_AFTER = 3;
/** Non-slice NAL units carried across timestamps before they are given up. */
const MAX_CARRIED_UNITS = 32;

/** Largest fragment-assembly buffer kept between NALs (1080p I-slices are ~100–300 KiB). */
const MAX_KEPT_ASSEMBLY = 1024 * 1024;

type MarkerMode = 'unknown' | 'trusted' | 'unreliable';

export abstract class VideoDepacketizer implements Depacketizer {
  protected readonly errors = new ErrorLog();
  /** Set when parameter sets changed and no AU has reported it yet. */
  protected psDirty = false;
  protected config: VideoCodecConfig | undefined;

  private auTs = NaN;
  private units: Uint8Array[] = [];
  private auBytes = 0;
  private auOverflow = false;

  /**
   * A fragmented NAL is assembled here as its fragments arrive (the payloads they come in may
   * be overwritten once push() returns), then copied out at its exact size. Reused for every
   * NAL; grows to the largest NAL seen.
   */
  private fuBuf = new Uint8Array(0);
  /** Bytes of the NAL assembled so far (rebuilt header included). */
  private fuLen = 0;
  private fuBytes = 0;
  private fuActive = false;

  private started = false;
  private nextSeq = 0;
  private prevMarker = false;
  private prevTs = NaN;
  private markerMode: MarkerMode = 'unknown';
  private goodMarkers = 0;
  private lastRawTs = NaN;
  private repeats = 0;
  private discardTs = NaN;

  get errorCount(): number {
    return this.errors.count;
  }

  takeErrors(): DepacketizeError[] {
    return this.errors.take();
  }

  /** Current codec config, once the parameter sets needed for it are known. */
  get videoConfig(): VideoCodecConfig | undefined {
    return this.config;
  }

  /** Whether AU ends are currently taken from the marker bit. */
  get markerTrusted(): boolean {
    return this.markerMode === 'trusted';
  }

  /** Reads one payload, calling addNal / beginFragment / addFragment / endFragment. */
  protected abstract readPayload(payload: Uint8Array, seq: number): void;
  /**
   * For a packet with the timestamp of a packet that had the marker bit: does its first NAL
   * begin a new picture (a slice starting at macroblock/CTB 0, or an AUD), continue the same
   * picture (a later slice), or can it not tell (parameter sets, SEI)?
   */
  protected abstract classifyAfterMarker(payload: Uint8Array): 'new-picture' | 'same-picture' | 'undecided';
  /** Whether the AU assembled so far holds at least one slice. */
  protected abstract auHasPicture(): boolean;
  /** Classifies a NAL for the AU flags; false drops it from the output. */
  protected abstract inspectNal(nal: Uint8Array): boolean;
  /** Whether the AU assembled since the last reset is a random access point. */
  protected abstract isKeyframe(): boolean;
  /** Clears per-AU flags. */
  protected abstract resetAuFlags(): void;
  /** Whether the parameter sets needed for a config are known. */
  protected abstract haveParameterSets(): boolean;
  protected abstract buildConfig(): VideoCodecConfig | undefined;

  protected error(code: DepacketizeErrorCode, message: string, seq?: number): void {
    this.errors.add(code, message, seq);
  }

  push(packet: RtpPacket, ts: number): readonly AccessUnitOut[] {
    let out: VideoAccessUnit[] | undefined;
    const payload = packet.payload;
    const seq = packet.sequenceNumber;
    const lost = this.started && seq !== this.nextSeq;
    this.started = true;
    this.nextSeq = (seq + 1) & 0xffff;
    if (lost && this.fuActive) {
      this.error('fragment-lost', 'packet lost inside a fragmented NAL; NAL dropped', seq);
      this.resetFu();
    }

    const pending = this.units.length > 0 || this.fuActive;
    let boundary = pending && ts !== this.auTs;
    if (!boundary && this.prevMarker && ts === this.prevTs && payload.length > 0) {
      const verdict = this.classifyAfterMarker(payload);
      if (verdict === 'new-picture') {
        boundary = pending && this.auHasPicture();
      } else if (verdict === 'same-picture') {
        this.error(
          'marker-misplaced',
          `marker bit before the end of an access unit (${this.markerMode === 'trusted' ? 'rest of AU dropped' : 'ignored'}); marker no longer trusted`,
          seq,
        );
        if (this.markerMode === 'trusted') {
          this.discardTs = ts;
          this.discardPending();
        }
        this.markerMode = 'unreliable';
        this.goodMarkers = 0;
      }
    }
    if (boundary) {
      if (this.fuActive) {
        this.error('fragment-incomplete', 'access unit ended inside a fragmented NAL; NAL dropped', seq);
        this.resetFu();
      }
      if (this.auHasPicture()) {
        if (this.markerMode === 'unknown') {
          if (this.prevMarker) {
            if (++this.goodMarkers >= MARKER_TRUST_AFTER) this.markerMode = 'trusted';
          } else {
            this.goodMarkers = 0;
          }
        }
        out = this.emit(out);
      } else {
        // Parameter sets or SEI sent with a timestamp of their own: they belong to the
        // picture that follows, so carry them into the next AU (a few, not without bound:
        // a stream whose slices are all lost must not grow a carried AU forever).
        if (this.units.length > MAX_CARRIED_UNITS) {
          this.error('malformed-packet', `${this.units.length} NAL units without a slice; dropped`, seq);
          this.discardPending();
        }
        this.auTs = ts;
      }
    }
    this.prevTs = ts;
    this.prevMarker = packet.marker;
    if (ts === this.discardTs) return out ?? NO_ACCESS_UNITS;
    this.discardTs = NaN;
    if (payload.length === 0) {
      this.error('empty-payload', 'RTP packet without payload', seq);
      return out ?? NO_ACCESS_UNITS;
    }
    if (this.units.length === 0 && !this.fuActive) this.auTs = ts;

    this.readPayload(payload, seq);

    if (packet.marker && this.markerMode === 'trusted' && !this.fuActive && this.units.length > 0) {
      out = this.emit(out);
    }
    return out ?? NO_ACCESS_UNITS;
  }

  flush(): readonly AccessUnitOut[] {
    if (this.fuActive) {
      this.error('fragment-incomplete', 'stream ended inside a fragmented NAL');
      this.resetFu();
    }
    if (this.units.length === 0) return NO_ACCESS_UNITS;
    if (!this.auHasPicture()) {
      this.discardPending();
      return NO_ACCESS_UNITS;
    }
    return this.emit(undefined);
  }

  private discardPending(): void {
    this.units = [];
    this.auBytes = 0;
    this.auOverflow = false;
    this.resetAuFlags();
  }

  /**
   * Adds a complete NAL: a view over the packet (copied here, since the caller's buffer may
   * be reused after push() returns) or, `owned`, a NAL built by a reassembly.
   */
  protected addNal(nal: Uint8Array, owned = false): void {
    const unit = owned ? nal : nal.slice();
    if (!this.inspectNal(unit)) return;
    if (this.units.length >= MAX_UNITS_PER_AU || this.auBytes + unit.length > MAX_AU_SIZE) {
      if (!this.auOverflow) this.error('too-large', 'access unit over the size limits; rest dropped');
      this.auOverflow = true;
      return;
    }
    this.units.push(unit);
    this.auBytes += unit.length;
  }

  protected get fragmentActive(): boolean {
    return this.fuActive;
  }

  /** A new NAL starts while a fragmented one is unfinished: drop the unfinished one. */
  protected dropUnfinishedFragment(seq: number): void {
    if (this.fuActive) {
      this.error('fragment-incomplete', 'fragment start before the previous NAL ended; NAL dropped', seq);
      this.resetFu();
    }
  }

  /** First fragment: `head` is the rebuilt NAL header, `data` the fragment's data. */
  protected beginFragment(head: Uint8Array, data: Uint8Array, seq: number): void {
    this.dropUnfinishedFragment(seq);
    this.fuActive = true;
    this.fuLen = 0;
    this.fuBytes = data.length;
    this.reserve(head.length + data.length);
    this.fuBuf.set(head, 0);
    this.fuBuf.set(data, head.length);
    this.fuLen = head.length + data.length;
  }

  /**
   * Middle or last fragment: the whole packet payload, whose data starts after `skip` bytes
   * of FU header. Copied with its header (no view per packet) over the end of what is
   * assembled, whose last `skip` bytes are put back afterwards.
   */
  protected addFragment(payload: Uint8Array, skip: number, end: boolean, seq: number): void {
    if (!this.fuActive) {
      this.error('fragment-without-start', 'fragment without a start; dropped', seq);
      return;
    }
    const n = payload.length - skip;
    this.fuBytes += n;
    if (this.fuBytes > MAX_NAL_SIZE) {
      this.error('too-large', `fragmented NAL over ${MAX_NAL_SIZE} bytes; dropped`, seq);
      this.resetFu();
      return;
    }
    this.reserve(this.fuLen + n);
    const buf = this.fuBuf;
    const at = this.fuLen;
    if (at >= skip && skip <= 4) {
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
    this.fuLen = at + n;
    if (end) {
      const nal = buf.slice(0, this.fuLen);
      this.resetFu();
      this.addNal(nal, true);
    }
  }

  /** Room for `bytes` in the assembly buffer, keeping what is assembled. */
  private reserve(bytes: number): void {
    if (bytes <= this.fuBuf.length) return;
    const grown = new Uint8Array(Math.max(bytes, 2 * this.fuBuf.length, 64 * 1024));
    grown.set(this.fuBuf.subarray(0, this.fuLen), 0);
    this.fuBuf = grown;
  }

  private resetFu(): void {
    this.fuActive = false;
    this.fuLen = 0;
    this.fuBytes = 0;
    // a huge NAL (a hostile stream can send 8 MiB) must not stay allocated for good
    if (this.fuBuf.length > MAX_KEPT_ASSEMBLY) this.fuBuf = new Uint8Array(0);
  }

  private emit(out: VideoAccessUnit[] | undefined): VideoAccessUnit[] {
    const list = out ?? [];
    if (this.units.length > 0) {
      const keyframe = this.haveParameterSets() && this.isKeyframe();
      const changed = this.psDirty && this.haveParameterSets();
      if (changed) {
        this.psDirty = false;
        this.config = this.buildConfig();
      }
      // A camera clock that repeats a timestamp for a new picture: nudge by one tick per
      // repeat so downstream never sees two AUs with one presentation time.
      const ts = this.auTs;
      this.repeats = ts === this.lastRawTs ? this.repeats + 1 : 0;
      this.lastRawTs = ts;
      const timestamp = ts + this.repeats;
      list.push(
        changed && this.config
          ? { timestamp, units: this.units, keyframe, parameterSetsChanged: true, videoConfig: this.config }
          : { timestamp, units: this.units, keyframe, parameterSetsChanged: false },
      );
    }
    this.units = [];
    this.auBytes = 0;
    this.auOverflow = false;
    this.auTs = NaN;
    this.resetAuFlags();
    return list;
  }
}
