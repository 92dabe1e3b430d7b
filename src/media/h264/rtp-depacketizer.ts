// H.264 over RTP (RFC 6184), non-interleaved mode: single NAL units, STAP-A, FU-A.
// Access units end at a timestamp change, or at the marker bit once the marker has proven
// reliable (cameras set it wrongly or never). Parameter sets come from sprop-parameter-sets
// and in-band; in-band ones replace sprop ones.
import type { VideoCodecConfig } from '../../types/media.ts';
import type { RtpPacket } from '../rtp/rtp-packet.ts';
import {
  ErrorLog, NO_ACCESS_UNITS, concatFragments, MAX_AU_SIZE, MAX_NAL_SIZE, MAX_UNITS_PER_AU,
  type AccessUnitOut, type DepacketizeError, type Depacketizer,
} from '../rtp/depacketizer.ts';
import { ParameterSetStore } from '../rtp/parameter-set-store.ts';
import { decodeBase64 } from '../rtp/base64.ts';
import { H264Nal, readH264PpsId, readH264SliceStart, seiHasRecoveryPoint } from './nal.ts';
import { tryParseH264Sps, h264CodecString, h264ProfileName, type H264SpsInfo } from './sps.ts';

export interface H264DepacketizerConfig {
  /** fmtp `sprop-parameter-sets`: base64 NAL units separated by commas. */
  readonly spropParameterSets?: string;
  /** fmtp `packetization-mode`; 2 (interleaved) is not supported. */
  readonly packetizationMode?: number;
  /** Leave SPS/PPS out of the AU units (they are still tracked for the config). */
  readonly stripParameterSets?: boolean;
}

export interface H264AccessUnit extends AccessUnitOut {
  /** The codec config, on AUs whose parameterSetsChanged is true. */
  readonly videoConfig?: VideoCodecConfig;
}

/** Consecutive AUs whose marker sat exactly on their last packet before it is trusted. */
const MARKER_TRUST_AFTER = 3;

type MarkerMode = 'unknown' | 'trusted' | 'unreliable';

export class H264Depacketizer implements Depacketizer {
  private readonly errors = new ErrorLog();
  private readonly strip: boolean;
  private readonly spsStore = new ParameterSetStore();
  private readonly ppsStore = new ParameterSetStore();
  private spsInfo: H264SpsInfo | undefined;
  private config: VideoCodecConfig | undefined;
  private psDirty = false;
  private readonly unsupportedMode: boolean;

  // access unit being assembled
  private auTs = NaN;
  private units: Uint8Array[] = [];
  private auBytes = 0;
  private hasIdr = false;
  private hasSps = false;
  private hasPps = false;
  private hasRecoverySei = false;
  private slices = 0;
  private intraSlices = 0;
  private auDiscard = false;

  // FU-A reassembly: views collected, concatenated once at the end
  private fuParts: Uint8Array[] = [];
  private fuBytes = 0;
  private fuHeader = 0;
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

  constructor(config: H264DepacketizerConfig = {}) {
    this.strip = config.stripParameterSets ?? false;
    this.unsupportedMode = config.packetizationMode === 2;
    if (this.unsupportedMode) this.errors.add('unsupported-packetization', 'packetization-mode=2 (interleaved) is not supported');
    if (config.spropParameterSets) {
      for (const part of config.spropParameterSets.split(',')) {
        if (!part.trim()) continue;
        const nal = decodeBase64(part);
        if (!nal || nal.length === 0) {
          this.errors.add('bad-parameter-set', 'sprop-parameter-sets entry is not base64');
          continue;
        }
        this.storeParameterSet(nal);
      }
    }
  }

  get errorCount(): number {
    return this.errors.count;
  }

  takeErrors(): DepacketizeError[] {
    return this.errors.take();
  }

  /** The latest SPS fields, once an SPS is known. */
  get sps(): H264SpsInfo | undefined {
    return this.spsInfo;
  }

  /** Current codec config (parameter sets, size, codec string), once SPS and PPS are known. */
  get videoConfig(): VideoCodecConfig | undefined {
    return this.config;
  }

  /** Whether AU ends are currently taken from the marker bit. */
  get markerTrusted(): boolean {
    return this.markerMode === 'trusted';
  }

  push(packet: RtpPacket, ts: number): readonly AccessUnitOut[] {
    let out: H264AccessUnit[] | undefined;
    const payload = packet.payload;
    const seq = packet.sequenceNumber;
    const lost = this.started && seq !== this.nextSeq;
    this.started = true;
    this.nextSeq = (seq + 1) & 0xffff;

    if (lost && this.fuActive) {
      this.errors.add('fragment-lost', 'packet lost inside a FU-A; NAL dropped', seq);
      this.resetFu();
    }
    const pending = this.units.length > 0 || this.fuActive;
    let boundary = pending && ts !== this.auTs;
    if (!boundary && this.prevMarker && ts === this.prevTs) {
      if (this.startsNewPicture(payload)) {
        boundary = pending; // a new picture with a repeated timestamp
      } else {
        // The marker closed an AU that goes on with the same timestamp: the camera misplaces it.
        this.errors.add('marker-misplaced', `marker bit before the end of an access unit (${this.markerMode === 'trusted' ? 'rest of AU dropped' : 'ignored'}); marker no longer trusted`, seq);
        if (this.markerMode === 'trusted') this.discardTs = ts;
        this.markerMode = 'unreliable';
        this.goodMarkers = 0;
      }
    }
    if (boundary) {
      if (this.fuActive) {
        this.errors.add('fragment-incomplete', 'access unit ended inside a FU-A; NAL dropped', seq);
        this.resetFu();
      }
      if (this.markerMode === 'unknown') {
        if (this.prevMarker) {
          if (++this.goodMarkers >= MARKER_TRUST_AFTER) this.markerMode = 'trusted';
        } else {
          this.goodMarkers = 0;
        }
      }
      out = this.emit(out);
    }
    this.prevTs = ts;
    this.prevMarker = packet.marker;
    if (ts === this.discardTs) return out ?? NO_ACCESS_UNITS;
    this.discardTs = NaN;
    if (this.unsupportedMode) return out ?? NO_ACCESS_UNITS;
    if (payload.length === 0) {
      this.errors.add('empty-payload', 'RTP packet without payload', seq);
      return out ?? NO_ACCESS_UNITS;
    }
    if (this.units.length === 0 && !this.fuActive) this.auTs = ts;

    const type = (payload[0] as number) & 0x1f;
    if (type >= 1 && type <= 23) {
      this.addNal(payload);
    } else if (type === H264Nal.stapA) {
      this.readStapA(payload, seq);
    } else if (type === H264Nal.fuA) {
      this.readFuA(payload, seq);
    } else {
      this.errors.add('unsupported-packetization', `payload type ${type} (STAP-B/MTAP/FU-B/reserved) not supported`, seq);
    }

    if (packet.marker && this.markerMode === 'trusted' && !this.fuActive && this.units.length > 0) {
      out = this.emit(out);
    }
    return out ?? NO_ACCESS_UNITS;
  }

  flush(): readonly AccessUnitOut[] {
    if (this.fuActive) {
      this.errors.add('fragment-incomplete', 'stream ended inside a FU-A');
      this.resetFu();
    }
    if (this.units.length === 0) return NO_ACCESS_UNITS;
    return this.emit(undefined);
  }

  /** Whether a packet's first NAL begins a new primary picture (7.4.1.2.3). */
  private startsNewPicture(payload: Uint8Array): boolean {
    if (payload.length < 2) return true;
    let nal: Uint8Array = payload;
    let type = (payload[0] as number) & 0x1f;
    if (type === H264Nal.stapA) {
      if (payload.length < 4) return true;
      nal = payload.subarray(3);
      type = (nal[0] as number) & 0x1f;
    } else if (type === H264Nal.fuA) {
      const fu = payload[1] as number;
      if (!(fu & 0x80)) return false;
      type = fu & 0x1f;
      // the slice header starts right after the FU header; fake a NAL header byte before it
      nal = payload.subarray(1);
    }
    if (type >= 1 && type <= 5) {
      const s = readH264SliceStart(nal);
      return s === undefined || s.firstMbInSlice === 0;
    }
    return true;
  }

  private readStapA(payload: Uint8Array, seq: number): void {
    let p = 1;
    while (p + 2 <= payload.length) {
      const size = ((payload[p] as number) << 8) | (payload[p + 1] as number);
      p += 2;
      if (size === 0 || p + size > payload.length) {
        this.errors.add('malformed-packet', `STAP-A unit of ${size} bytes at ${p} overruns ${payload.length}`, seq);
        return;
      }
      this.addNal(payload.subarray(p, p + size));
      p += size;
    }
    if (p !== payload.length) this.errors.add('malformed-packet', 'trailing byte in STAP-A', seq);
  }

  private readFuA(payload: Uint8Array, seq: number): void {
    if (payload.length < 3) {
      this.errors.add('malformed-packet', `FU-A of ${payload.length} bytes`, seq);
      return;
    }
    const indicator = payload[0] as number;
    const fu = payload[1] as number;
    const start = (fu & 0x80) !== 0;
    const end = (fu & 0x40) !== 0;
    const data = payload.subarray(2);
    if (start) {
      if (this.fuActive) {
        this.errors.add('fragment-incomplete', 'FU-A start before the previous FU-A ended; NAL dropped', seq);
        this.resetFu();
      }
      const header = (indicator & 0xe0) | (fu & 0x1f);
      if (end) {
        // start and end in one packet: the NAL header differs from the FU indicator, so copy
        this.addNal(concatFragments(Uint8Array.of(header), [data], data.length));
        return;
      }
      this.fuActive = true;
      this.fuHeader = header;
      this.fuParts.push(data);
      this.fuBytes = data.length;
      return;
    }
    if (!this.fuActive) {
      this.errors.add('fragment-without-start', 'FU-A continuation without a start; dropped', seq);
      return;
    }
    this.fuParts.push(data);
    this.fuBytes += data.length;
    if (this.fuBytes > MAX_NAL_SIZE) {
      this.errors.add('too-large', `FU-A NAL over ${MAX_NAL_SIZE} bytes; dropped`, seq);
      this.resetFu();
      return;
    }
    if (end) {
      const nal = concatFragments(Uint8Array.of(this.fuHeader), this.fuParts, this.fuBytes);
      this.resetFu();
      this.addNal(nal);
    }
  }

  private resetFu(): void {
    this.fuActive = false;
    this.fuParts = [];
    this.fuBytes = 0;
  }

  private addNal(nal: Uint8Array): void {
    const type = (nal[0] as number) & 0x1f;
    if (type === H264Nal.aud || type === H264Nal.filler || type === 0) return;
    if (type === H264Nal.sps || type === H264Nal.pps) {
      if (type === H264Nal.sps) this.hasSps = true;
      else this.hasPps = true;
      this.storeParameterSet(nal);
      if (this.strip) return;
    } else if (type === H264Nal.idr) {
      this.hasIdr = true;
      this.countSlice(nal);
    } else if (type === H264Nal.slice) {
      this.countSlice(nal);
    } else if (type === H264Nal.sei) {
      if (!this.hasRecoverySei && seiHasRecoveryPoint(nal)) this.hasRecoverySei = true;
    }
    if (this.units.length >= MAX_UNITS_PER_AU || this.auBytes + nal.length > MAX_AU_SIZE) {
      if (!this.auDiscard) this.errors.add('too-large', 'access unit over the size limits; rest dropped');
      this.auDiscard = true;
      return;
    }
    this.units.push(nal);
    this.auBytes += nal.length;
  }

  private countSlice(nal: Uint8Array): void {
    this.slices++;
    const s = readH264SliceStart(nal);
    if (s && (s.sliceType === 2 || s.sliceType === 4)) this.intraSlices++;
  }

  private storeParameterSet(nal: Uint8Array): void {
    const type = (nal[0] as number) & 0x1f;
    if (type === H264Nal.sps) {
      const r = tryParseH264Sps(nal);
      if (!r.ok) {
        this.errors.add('bad-parameter-set', `SPS ignored: ${r.error.message}`);
        return;
      }
      if (this.spsStore.put(r.sps.spsId, nal)) {
        this.spsInfo = r.sps;
        this.psDirty = true;
      }
    } else if (type === H264Nal.pps) {
      const id = readH264PpsId(nal);
      if (id === undefined) {
        this.errors.add('bad-parameter-set', 'PPS ignored: unreadable id');
        return;
      }
      if (this.ppsStore.put(id, nal)) this.psDirty = true;
    } else {
      this.errors.add('bad-parameter-set', `sprop-parameter-sets holds NAL type ${type}`);
    }
  }

  private buildConfig(): VideoCodecConfig | undefined {
    const sps = this.spsInfo;
    if (!sps || this.ppsStore.size === 0) return undefined;
    return {
      codec: 'h264', vps: [], sps: this.spsStore.list(), pps: this.ppsStore.list(),
      width: sps.width, height: sps.height, codecString: h264CodecString(sps),
      profile: h264ProfileName(sps.profileIdc, sps.constraintFlags),
    };
  }

  private emit(out: H264AccessUnit[] | undefined): H264AccessUnit[] {
    const list = out ?? [];
    const ts = this.auTs;
    const known = this.spsInfo !== undefined && this.ppsStore.size > 0;
    const allIntra = this.slices > 0 && this.intraSlices === this.slices;
    const keyframe = known && (this.hasIdr || (allIntra && (this.hasRecoverySei || (this.hasSps && this.hasPps))));
    const changed = this.psDirty && known && this.units.length > 0;
    if (changed) {
      this.psDirty = false;
      this.config = this.buildConfig();
    }
    if (this.units.length > 0) {
      // A camera clock that repeats a timestamp for a new picture: nudge by one tick per
      // repeat so downstream never sees two AUs with one presentation time.
      this.repeats = ts === this.lastRawTs ? this.repeats + 1 : 0;
      this.lastRawTs = ts;
      const timestamp = ts + this.repeats;
      list.push(changed && this.config
        ? { timestamp, units: this.units, keyframe, parameterSetsChanged: true, videoConfig: this.config }
        : { timestamp, units: this.units, keyframe, parameterSetsChanged: false });
    }
    this.units = [];
    this.auBytes = 0;
    this.hasIdr = false;
    this.hasSps = false;
    this.hasPps = false;
    this.hasRecoverySei = false;
    this.slices = 0;
    this.intraSlices = 0;
    this.auDiscard = false;
    this.auTs = NaN;
    return list;
  }
}
