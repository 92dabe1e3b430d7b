// H.264 over RTP (RFC 6184), non-interleaved mode: single NAL units, STAP-A, FU-A.
// Parameter sets come from sprop-parameter-sets and in-band; in-band ones replace them.
// AU boundaries and marker handling: see VideoDepacketizer.
import type { VideoCodecConfig } from '../../types/media.ts';
import { VideoDepacketizer, type VideoAccessUnit } from '../rtp/video-depacketizer.ts';
import { ParameterSetStore } from '../rtp/parameter-set-store.ts';
import { decodeParameterSetList } from '../rtp/base64.ts';
import { H264Nal, readH264PpsId, readH264SliceStart } from './nal.ts';
import { H264RandomAccessScan } from './random-access.ts';
import { tryParseH264Sps, h264CodecString, h264ProfileName, type H264SpsInfo } from './sps.ts';

export interface H264DepacketizerConfig {
  /** fmtp `sprop-parameter-sets`: base64 NAL units separated by commas. */
  readonly spropParameterSets?: string;
  /** fmtp `packetization-mode`; 2 (interleaved) is not supported. */
  readonly packetizationMode?: number;
  /** Leave SPS/PPS out of the AU units (they are still tracked for the config). */
  readonly stripParameterSets?: boolean;
}

export type H264AccessUnit = VideoAccessUnit;

export class H264Depacketizer extends VideoDepacketizer {
  private readonly strip: boolean;
  private readonly interleaved: boolean;
  private readonly spsStore = new ParameterSetStore();
  private readonly ppsStore = new ParameterSetStore();
  private spsInfo: H264SpsInfo | undefined;

  /** Random access of the AU being assembled (parameter sets counted even when stripped). */
  private readonly randomAccess = new H264RandomAccessScan();

  constructor(config: H264DepacketizerConfig = {}) {
    super();
    this.strip = config.stripParameterSets ?? false;
    this.interleaved = config.packetizationMode === 2;
    if (this.interleaved) this.error('unsupported-packetization', 'packetization-mode=2 (interleaved) is not supported');
    if (config.spropParameterSets) {
      const { sets, bad } = decodeParameterSetList(config.spropParameterSets, 1);
      for (let i = 0; i < bad; i++) this.error('bad-parameter-set', 'sprop-parameter-sets entry is not base64');
      for (const nal of sets) this.storeParameterSet(nal);
    }
  }

  /** The latest SPS fields, once an SPS is known. */
  get sps(): H264SpsInfo | undefined {
    return this.spsInfo;
  }

  protected readPayload(payload: Uint8Array, seq: number): void {
    if (this.interleaved) return;
    const type = (payload[0] as number) & 0x1f;
    if (type >= 1 && type <= 23) {
      this.dropUnfinishedFragment(seq);
      this.addNal(payload);
    } else if (type === H264Nal.stapA) {
      this.dropUnfinishedFragment(seq);
      this.readStapA(payload, seq);
    } else if (type === H264Nal.fuA) {
      this.readFuA(payload, seq);
    } else {
      this.error('unsupported-packetization', `payload type ${type} (STAP-B/MTAP/FU-B/reserved) not supported`, seq);
    }
  }

  protected classifyAfterMarker(payload: Uint8Array): 'new-picture' | 'same-picture' | 'undecided' {
    if (payload.length < 2) return 'undecided';
    let nal: Uint8Array = payload;
    let type = (payload[0] as number) & 0x1f;
    if (type === H264Nal.stapA) {
      if (payload.length < 4) return 'undecided';
      nal = payload.subarray(3);
      type = (nal[0] as number) & 0x1f;
    } else if (type === H264Nal.fuA) {
      const fu = payload[1] as number;
      if (!(fu & 0x80)) return 'same-picture';
      type = fu & 0x1f;
      nal = payload.subarray(1); // the FU header stands in for the NAL header byte
    }
    if (type === H264Nal.aud) return 'new-picture';
    if (type >= 1 && type <= 5) {
      const s = readH264SliceStart(nal);
      if (!s) return 'undecided';
      return s.firstMbInSlice === 0 ? 'new-picture' : 'same-picture';
    }
    return 'undecided';
  }

  protected auHasPicture(): boolean {
    return this.randomAccess.sliceCount > 0;
  }

  private readStapA(payload: Uint8Array, seq: number): void {
    let p = 1;
    while (p + 2 <= payload.length) {
      const size = ((payload[p] as number) << 8) | (payload[p + 1] as number);
      p += 2;
      if (size === 0 || p + size > payload.length) {
        this.error('malformed-packet', `STAP-A unit of ${size} bytes at ${p} overruns ${payload.length}`, seq);
        return;
      }
      this.addNal(payload.subarray(p, p + size));
      p += size;
    }
    if (p !== payload.length) this.error('malformed-packet', 'trailing byte in STAP-A', seq);
  }

  private readFuA(payload: Uint8Array, seq: number): void {
    if (payload.length < 3) {
      this.error('malformed-packet', `FU-A of ${payload.length} bytes`, seq);
      return;
    }
    const fu = payload[1] as number;
    if (fu & 0x80) {
      const data = payload.subarray(2);
      const head = ((payload[0] as number) & 0xe0) | (fu & 0x1f);
      if (fu & 0x40) {
        // start and end in one packet: one NAL, header rebuilt
        this.dropUnfinishedFragment(seq);
        this.addNalWithHeader(head, -1, data);
        return;
      }
      this.beginFragment(head, -1, data, seq);
      return;
    }
    // FU indicator and FU header in front of the data
    this.addFragment(payload, 2, (fu & 0x40) !== 0, seq);
  }

  protected inspectNal(nal: Uint8Array): boolean {
    const type = (nal[0] as number) & 0x1f;
    if (type === 0 || type === H264Nal.aud || type === H264Nal.filler) return false;
    this.randomAccess.add(nal);
    if (type === H264Nal.sps || type === H264Nal.pps) {
      this.storeParameterSet(nal);
      return !this.strip;
    }
    return true;
  }

  /** See random-access.ts: IDR, or an all-intra picture with a recovery point (count 0) or SPS+PPS. */
  protected isKeyframe(): boolean {
    return this.randomAccess.kind() !== undefined;
  }

  protected resetAuFlags(): void {
    this.randomAccess.reset();
  }

  protected haveParameterSets(): boolean {
    return this.spsInfo !== undefined && this.ppsStore.size > 0;
  }

  private storeParameterSet(nal: Uint8Array): void {
    const type = (nal[0] as number) & 0x1f;
    if (type === H264Nal.sps) {
      const r = tryParseH264Sps(nal);
      if (!r.ok) {
        this.error('bad-parameter-set', `SPS ignored: ${r.error.message}`);
        return;
      }
      if (this.spsStore.put(r.sps.spsId, nal)) {
        this.spsInfo = r.sps;
        this.psDirty = true;
      }
    } else if (type === H264Nal.pps) {
      const id = readH264PpsId(nal);
      if (id === undefined) {
        this.error('bad-parameter-set', 'PPS ignored: unreadable id');
        return;
      }
      if (this.ppsStore.put(id, nal)) this.psDirty = true;
    } else {
      this.error('bad-parameter-set', `sprop-parameter-sets holds NAL type ${type}`);
    }
  }

  protected buildConfig(): VideoCodecConfig | undefined {
    const sps = this.spsInfo;
    if (!sps || this.ppsStore.size === 0) return undefined;
    return {
      codec: 'h264',
      vps: [],
      sps: this.spsStore.list(),
      pps: this.ppsStore.list(),
      width: sps.width,
      height: sps.height,
      codecString: h264CodecString(sps),
      profile: h264ProfileName(sps.profileIdc, sps.constraintFlags),
    };
  }
}
