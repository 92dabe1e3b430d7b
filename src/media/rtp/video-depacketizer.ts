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
import { NalSlab } from './nal-slab.ts';
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

  /** Every NAL handed out is written here (one copy of the packet bytes, no allocation per NAL). */
  private readonly slab = new NalSlab();
  /** Payload bytes of the fragmented NAL being assembled in the slab. */
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

  /** Adds a complete NAL: a view over the packet, copied (the caller's buffer may be reused after push() returns). */
  protected addNal(nal: Uint8Array): void {
    if (this.fuActive) this.resetFu(); // callers drop an unfinished fragment first; the slab holds one NAL at a time
    if (!this.acceptNal(nal)) return;
    this.slab.append(nal);
    this.units.push(this.slab.finish());
    this.auBytes += nal.length;
  }

  /** Adds a complete NAL whose header is rebuilt: `h0` and, when not negative, `h1`, then `data`. */
  protected addNalWithHeader(h0: number, h1: number, data: Uint8Array): void {
    if (this.fuActive) this.resetFu();
    this.slab.appendByte(h0);
    if (h1 >= 0) this.slab.appendByte(h1);
    this.slab.append(data);
    this.takeSlabNal();
  }

  /** The NAL written in the slab, kept or dropped by acceptNal. */
  private takeSlabNal(): void {
    const nal = this.slab.peek();
    if (!this.acceptNal(nal)) {
      this.slab.abort();
      return;
    }
    this.units.push(this.slab.finish());
    this.auBytes += nal.length;
  }

  /** inspectNal and the AU size limits: whether the NAL goes into the AU. */
  private acceptNal(nal: Uint8Array): boolean {
    if (!this.inspectNal(nal)) return false;
    if (this.units.length >= MAX_UNITS_PER_AU || this.auBytes + nal.length > MAX_AU_SIZE) {
      if (!this.auOverflow) this.error('too-large', 'access unit over the size limits; rest dropped');
      this.auOverflow = true;
      return false;
    }
    return true;
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

  /** First fragment: the rebuilt NAL header (`h0`, and `h1` when not negative), then the fragment's data. */
  protected beginFragment(h0: number, h1: number, data: Uint8Array, seq: number): void {
    this.dropUnfinishedFragment(seq);
    this.fuActive = true;
    this.fuBytes = data.length;
    this.slab.appendByte(h0);
    if (h1 >= 0) this.slab.appendByte(h1);
    this.slab.append(data);
  }

  /** Middle or last fragment: the whole packet payload, whose data starts after `skip` bytes of FU header. */
  protected addFragment(payload: Uint8Array, skip: number, end: boolean, seq: number): void {
    if (!this.fuActive) {
      this.error('fragment-without-start', 'fragment without a start; dropped', seq);
      return;
    }
    this.fuBytes += payload.length - skip;
    if (this.fuBytes > MAX_NAL_SIZE) {
      this.error('too-large', `fragmented NAL over ${MAX_NAL_SIZE} bytes; dropped`, seq);
      this.resetFu();
      return;
    }
    this.slab.appendSkipping(payload, skip);
    if (end) {
      this.fuActive = false;
      this.fuBytes = 0;
      this.takeSlabNal();
    }
  }

  /** Drops the fragmented NAL being assembled. */
  private resetFu(): void {
    this.fuActive = false;
    this.fuBytes = 0;
    this.slab.abort();
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
