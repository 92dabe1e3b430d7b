// H.265 over RTP (RFC 7798): single NAL units, aggregation packets (AP), fragmentation units
// (FU), with DONL/DOND fields when sprop-max-don-diff > 0 (they are stripped; NAL units are
// kept in transmission order, which is decoding order for every camera seen so far).
// AU boundaries and marker handling: see VideoDepacketizer.
import type { VideoCodecConfig } from '../../types/media.ts';
import { VideoDepacketizer, type VideoAccessUnit } from '../rtp/video-depacketizer.ts';
import { ParameterSetStore } from '../rtp/parameter-set-store.ts';
import { decodeParameterSetList } from '../rtp/base64.ts';
import { H265Nal, readH265PpsId, readH265VpsId } from './nal.ts';
import { h265RandomAccessOfType } from './random-access.ts';
import { tryParseH265Sps, h265CodecString, h265ProfileName, type H265SpsInfo } from './sps.ts';

export interface H265DepacketizerConfig {
  /** fmtp `sprop-vps`, `sprop-sps`, `sprop-pps`: base64 NAL units separated by commas. */
  readonly spropVps?: string;
  readonly spropSps?: string;
  readonly spropPps?: string;
  /** fmtp `sprop-max-don-diff`; > 0 means DONL/DOND fields are present. */
  readonly spropMaxDonDiff?: number;
  /** fmtp `sprop-depack-buf-nalus`; > 0 also means DONL/DOND fields are present. */
  readonly spropDepackBufNalus?: number;
  /** Leave VPS/SPS/PPS out of the AU units (they are still tracked for the config). */
  readonly stripParameterSets?: boolean;
}

export type H265AccessUnit = VideoAccessUnit;

export class H265Depacketizer extends VideoDepacketizer {
  private readonly strip: boolean;
  private readonly donl: boolean;
  private readonly vpsStore = new ParameterSetStore();
  private readonly spsStore = new ParameterSetStore();
  private readonly ppsStore = new ParameterSetStore();
  private spsInfo: H265SpsInfo | undefined;
  private hasIrap = false;
  private hasVcl = false;

  constructor(config: H265DepacketizerConfig = {}) {
    super();
    this.strip = config.stripParameterSets ?? false;
    this.donl = (config.spropMaxDonDiff ?? 0) > 0 || (config.spropDepackBufNalus ?? 0) > 0;
    for (const value of [config.spropVps, config.spropSps, config.spropPps]) {
      if (!value) continue;
      const { sets, bad } = decodeParameterSetList(value, 3);
      for (let i = 0; i < bad; i++) this.error('bad-parameter-set', 'sprop parameter set is not base64 or too short');
      for (const nal of sets) this.storeParameterSet(nal);
    }
  }

  /** The latest SPS fields, once an SPS is known. */
  get sps(): H265SpsInfo | undefined {
    return this.spsInfo;
  }

  protected readPayload(payload: Uint8Array, seq: number): void {
    if (payload.length < 3) {
      this.error('malformed-packet', `H.265 payload of ${payload.length} bytes`, seq);
      return;
    }
    const type = ((payload[0] as number) >> 1) & 0x3f;
    if (type === H265Nal.ap) {
      this.dropUnfinishedFragment(seq);
      this.readAp(payload, seq);
    } else if (type === H265Nal.fu) {
      this.readFu(payload, seq);
    } else if (type === H265Nal.paci || type > 50) {
      this.error('unsupported-packetization', `payload type ${type} (PACI/reserved) not supported`, seq);
    } else {
      this.dropUnfinishedFragment(seq);
      if (this.donl) {
        if (payload.length < 5) {
          this.error('malformed-packet', 'single NAL packet too short for its DONL', seq);
          return;
        }
        this.addNalWithHeader(payload[0] as number, payload[1] as number, payload.subarray(4));
      } else {
        this.addNal(payload);
      }
    }
  }

  private readAp(payload: Uint8Array, seq: number): void {
    let p = 2;
    let first = true;
    while (p < payload.length) {
      if (this.donl) p += first ? 2 : 1;
      first = false;
      if (p + 2 > payload.length) break;
      const size = ((payload[p] as number) << 8) | (payload[p + 1] as number);
      p += 2;
      if (size < 2 || p + size > payload.length) {
        this.error('malformed-packet', `AP unit of ${size} bytes at ${p} overruns ${payload.length}`, seq);
        return;
      }
      this.addNal(payload.subarray(p, p + size));
      p += size;
    }
    if (p !== payload.length) this.error('malformed-packet', 'trailing bytes in AP', seq);
  }

  private readFu(payload: Uint8Array, seq: number): void {
    const fu = payload[2] as number;
    const start = (fu & 0x80) !== 0;
    const end = (fu & 0x40) !== 0;
    let p = 3;
    if (start && this.donl) p += 2;
    if (p >= payload.length) {
      this.error('malformed-packet', `FU of ${payload.length} bytes`, seq);
      return;
    }
    if (start) {
      const data = payload.subarray(p);
      const h0 = ((payload[0] as number) & 0x81) | ((fu & 0x3f) << 1);
      if (end) {
        this.dropUnfinishedFragment(seq);
        this.addNalWithHeader(h0, payload[1] as number, data);
        return;
      }
      this.beginFragment(h0, payload[1] as number, data, seq);
      return;
    }
    // payload header and FU header in front of the data (DONL only on the first fragment)
    this.addFragment(payload, p, end, seq);
  }

  protected classifyAfterMarker(payload: Uint8Array): 'new-picture' | 'same-picture' | 'undecided' {
    if (payload.length < 3) return 'undecided';
    let type = ((payload[0] as number) >> 1) & 0x3f;
    let firstSliceByte: number | undefined;
    if (type === H265Nal.ap) {
      const p = 2 + (this.donl ? 2 : 0) + 2;
      if (p + 2 >= payload.length) return 'undecided';
      type = ((payload[p] as number) >> 1) & 0x3f;
      firstSliceByte = payload[p + 2];
    } else if (type === H265Nal.fu) {
      const fu = payload[2] as number;
      if (!(fu & 0x80)) return 'same-picture';
      type = fu & 0x3f;
      firstSliceByte = payload[3 + (this.donl ? 2 : 0)];
    } else {
      firstSliceByte = payload[2 + (this.donl ? 2 : 0)];
    }
    if (type === H265Nal.aud) return 'new-picture';
    if (type <= 31) {
      if (firstSliceByte === undefined) return 'undecided';
      return (firstSliceByte & 0x80) !== 0 ? 'new-picture' : 'same-picture';
    }
    return 'undecided';
  }

  protected auHasPicture(): boolean {
    return this.hasVcl;
  }

  protected inspectNal(nal: Uint8Array): boolean {
    if (nal.length < 2) return false;
    const type = ((nal[0] as number) >> 1) & 0x3f;
    if (type === H265Nal.aud || type === H265Nal.fd) return false;
    if (type === H265Nal.vps || type === H265Nal.sps || type === H265Nal.pps) {
      this.storeParameterSet(nal);
      return !this.strip;
    }
    if (type <= 31) this.hasVcl = true;
    if (h265RandomAccessOfType(type) !== undefined) this.hasIrap = true;
    return true;
  }

  protected isKeyframe(): boolean {
    return this.hasIrap;
  }

  protected resetAuFlags(): void {
    this.hasIrap = false;
    this.hasVcl = false;
  }

  protected haveParameterSets(): boolean {
    return this.spsInfo !== undefined && this.vpsStore.size > 0 && this.ppsStore.size > 0;
  }

  private storeParameterSet(nal: Uint8Array): void {
    const type = ((nal[0] as number) >> 1) & 0x3f;
    if (type === H265Nal.sps) {
      const r = tryParseH265Sps(nal);
      if (!r.ok) {
        this.error('bad-parameter-set', `SPS ignored: ${r.error.message}`);
        return;
      }
      if (this.spsStore.put(r.sps.spsId, nal)) {
        this.spsInfo = r.sps;
        this.psDirty = true;
      }
    } else if (type === H265Nal.vps || type === H265Nal.pps) {
      const id = type === H265Nal.vps ? readH265VpsId(nal) : readH265PpsId(nal);
      if (id === undefined) {
        this.error('bad-parameter-set', `${type === H265Nal.vps ? 'VPS' : 'PPS'} ignored: unreadable id`);
        return;
      }
      if ((type === H265Nal.vps ? this.vpsStore : this.ppsStore).put(id, nal)) this.psDirty = true;
    } else {
      this.error('bad-parameter-set', `sprop holds NAL type ${type}`);
    }
  }

  protected buildConfig(): VideoCodecConfig | undefined {
    const sps = this.spsInfo;
    if (!sps) return undefined;
    return {
      codec: 'h265',
      vps: this.vpsStore.list(),
      sps: this.spsStore.list(),
      pps: this.ppsStore.list(),
      width: sps.width,
      height: sps.height,
      codecString: h265CodecString(sps),
      profile: h265ProfileName(sps.generalProfileIdc),
    };
  }
}
