// MPEG-4 audio over RTP, RFC 3640 `mpeg4-generic` (AAC-hbr and the other AU-header layouts
// the fmtp describes): several AUs per packet, each at ts + i·frameLength, and AUs
// fragmented across packets (reassembled once complete).
import type { AudioCodecConfig } from '../../types/media.ts';
import type { RtpPacket } from '../rtp/rtp-packet.ts';
import { BitReader } from '../bits/bit-reader.ts';
import { ErrorLog, NO_ACCESS_UNITS, concatFragments, type AccessUnitOut, type DepacketizeError, type Depacketizer } from '../rtp/depacketizer.ts';
import { NalSlab } from '../rtp/nal-slab.ts';
import { tryParseAudioSpecificConfig, aacCodecString, hexToBytes, type AudioSpecificConfigInfo } from './audio-specific-config.ts';

export interface AacDepacketizerConfig {
  /** fmtp `config`: AudioSpecificConfig in hex. */
  readonly config: string;
  readonly sizeLength?: number;
  readonly indexLength?: number;
  readonly indexDeltaLength?: number;
  readonly ctsDeltaLength?: number;
  readonly dtsDeltaLength?: number;
  readonly randomAccessIndication?: boolean;
  readonly streamStateIndication?: number;
  readonly auxiliaryDataSizeLength?: number;
}

export interface AudioAccessUnit extends AccessUnitOut {
  /** On the first AU (parameterSetsChanged). */
  readonly audioConfig?: AudioCodecConfig;
}

const MAX_AAC_FRAME = 1 << 16;

export class AacDepacketizer implements Depacketizer {
  private readonly errors = new ErrorLog();
  private readonly sizeLength: number;
  private readonly indexLength: number;
  private readonly indexDeltaLength: number;
  private readonly ctsDeltaLength: number;
  private readonly dtsDeltaLength: number;
  private readonly rapFlag: boolean;
  private readonly streamState: number;
  private readonly auxLength: number;
  /** Common AAC-hbr layout: 16-bit AU headers, size then index. */
  private readonly simple16: boolean;
  private readonly frameLength: number;
  private readonly asc: AudioSpecificConfigInfo | undefined;
  private readonly config: AudioCodecConfig | undefined;
  private announced = false;

  private started = false;
  private nextSeq = 0;
  private fragParts: Uint8Array[] = [];
  /** Whole frames are copied here out of the (reused) packet buffer: no buffer per frame. */
  private readonly frames = new NalSlab();
  private fragBytes = 0;
  private fragSize = 0;
  private fragTs = NaN;

  constructor(config: AacDepacketizerConfig) {
    this.sizeLength = config.sizeLength ?? 0;
    this.indexLength = config.indexLength ?? 0;
    this.indexDeltaLength = config.indexDeltaLength ?? 0;
    this.ctsDeltaLength = config.ctsDeltaLength ?? 0;
    this.dtsDeltaLength = config.dtsDeltaLength ?? 0;
    this.rapFlag = config.randomAccessIndication ?? false;
    this.streamState = config.streamStateIndication ?? 0;
    this.auxLength = config.auxiliaryDataSizeLength ?? 0;
    this.simple16 =
      this.sizeLength + this.indexLength === 16 &&
      this.indexLength === this.indexDeltaLength &&
      this.ctsDeltaLength === 0 &&
      this.dtsDeltaLength === 0 &&
      !this.rapFlag &&
      this.streamState === 0;
    const bytes = hexToBytes(config.config);
    const parsed = bytes ? tryParseAudioSpecificConfig(bytes) : undefined;
    if (this.sizeLength < 1 || this.sizeLength > 32 || this.indexLength > 32 || this.indexDeltaLength > 32) {
      this.errors.add('bad-config', `unsupported AU-header layout sizelength=${this.sizeLength} indexlength=${this.indexLength}`);
    }
    if (!bytes || !parsed || !parsed.ok) {
      this.errors.add('bad-config', `fmtp config=${config.config.slice(0, 40)} is not a valid AudioSpecificConfig`);
      this.frameLength = 1024;
      return;
    }
    this.asc = parsed.config;
    this.frameLength = parsed.config.frameLength;
    this.config = {
      codec: 'aac',
      audioSpecificConfig: bytes,
      sampleRate: parsed.config.sampleRate,
      channels: parsed.config.channels,
      codecString: aacCodecString(parsed.config),
    };
  }

  get errorCount(): number {
    return this.errors.count;
  }

  takeErrors(): DepacketizeError[] {
    return this.errors.take();
  }

  get audioConfig(): AudioCodecConfig | undefined {
    return this.config;
  }

  get audioSpecificConfig(): AudioSpecificConfigInfo | undefined {
    return this.asc;
  }

  /** Samples per AU (1024, or 960). */
  get samplesPerFrame(): number {
    return this.frameLength;
  }

  push(packet: RtpPacket, ts: number): readonly AccessUnitOut[] {
    const seq = packet.sequenceNumber;
    const lost = this.started && seq !== this.nextSeq;
    this.started = true;
    this.nextSeq = (seq + 1) & 0xffff;
    if (!this.config || this.sizeLength < 1 || this.sizeLength > 32) return NO_ACCESS_UNITS;
    if (lost && this.fragBytes > 0) {
      this.errors.add('fragment-lost', 'packet lost inside a fragmented AAC frame; frame dropped', seq);
      this.resetFragment();
    }
    const payload = packet.payload;
    if (payload.length < 2) {
      this.errors.add('malformed-packet', `payload of ${payload.length} bytes`, seq);
      return NO_ACCESS_UNITS;
    }
    const headerBits = ((payload[0] as number) << 8) | (payload[1] as number);
    const headerBytes = (headerBits + 7) >> 3;
    if (headerBits === 16 && this.simple16 && this.auxLength === 0 && this.fragBytes === 0) {
      // The usual packet: one whole AU behind one 16-bit header. Same result as below, without
      // the size list and the data view.
      const size = (((payload[2] as number) << 8) | (payload[3] as number)) >>> (16 - this.sizeLength);
      if (size > 0 && size <= payload.length - 4) return [this.unit(ts, this.copyFrame(payload.subarray(4, 4 + size)))];
    }
    let dataStart = 2 + headerBytes;
    if (dataStart > payload.length) {
      this.errors.add('malformed-packet', `AU headers of ${headerBits} bits overrun ${payload.length} bytes`, seq);
      return NO_ACCESS_UNITS;
    }
    // Sizes of the AUs in this packet; most packets hold a few, so a small array is fine.
    const sizes: number[] = [];
    if (this.simple16 && headerBits % 16 === 0) {
      const shift = 16 - this.sizeLength;
      for (let p = 2; p < dataStart; p += 2) sizes.push((((payload[p] as number) << 8) | (payload[p + 1] as number)) >>> shift);
    } else if (!this.readHeaders(payload.subarray(2, dataStart), headerBits, sizes, seq)) {
      return NO_ACCESS_UNITS;
    }
    if (this.auxLength > 0) {
      try {
        const r = new BitReader(payload, dataStart);
        const auxBits = r.u(this.auxLength);
        dataStart += (this.auxLength + auxBits + 7) >> 3;
      } catch {
        dataStart = payload.length + 1;
      }
      if (dataStart > payload.length) {
        this.errors.add('malformed-packet', 'auxiliary data overruns the packet', seq);
        return NO_ACCESS_UNITS;
      }
    }
    const data = payload.subarray(dataStart);
    if (sizes.length === 0) {
      this.errors.add('malformed-packet', 'no AU headers', seq);
      return NO_ACCESS_UNITS;
    }

    // A fragment: one AU header whose size exceeds the data (first) or continues one (rest).
    if (sizes.length === 1 && (this.fragBytes > 0 || (sizes[0] as number) > data.length)) {
      return this.pushFragment(sizes[0] as number, data, ts, seq);
    }
    if (this.fragBytes > 0) {
      this.errors.add('fragment-incomplete', 'fragmented AAC frame not completed; dropped', seq);
      this.resetFragment();
    }
    let total = 0;
    for (const s of sizes) total += s;
    if (total > data.length) {
      this.errors.add('malformed-packet', `AU sizes total ${total} bytes, packet has ${data.length}`, seq);
      return NO_ACCESS_UNITS;
    }
    const out: AudioAccessUnit[] = [];
    let p = 0;
    for (let i = 0; i < sizes.length; i++) {
      const size = sizes[i] as number;
      if (size === 0) continue;
      out.push(this.unit(ts + i * this.frameLength, this.copyFrame(data.subarray(p, p + size))));
      p += size;
    }
    return out;
  }

  flush(): readonly AccessUnitOut[] {
    if (this.fragBytes > 0) {
      this.errors.add('fragment-incomplete', 'stream ended inside a fragmented AAC frame');
      this.resetFragment();
    }
    return NO_ACCESS_UNITS;
  }

  private copyFrame(bytes: Uint8Array): Uint8Array {
    this.frames.append(bytes);
    return this.frames.finish();
  }

  private unit(timestamp: number, frame: Uint8Array): AudioAccessUnit {
    if (!this.announced && this.config) {
      this.announced = true;
      return { timestamp, units: [frame], keyframe: true, parameterSetsChanged: true, audioConfig: this.config };
    }
    return { timestamp, units: [frame], keyframe: true, parameterSetsChanged: false };
  }

  private readHeaders(headers: Uint8Array, headerBits: number, sizes: number[], seq: number): boolean {
    try {
      const r = new BitReader(headers);
      const end = headerBits;
      let first = true;
      while (r.position() < end) {
        sizes.push(r.u(this.sizeLength));
        r.skip(first ? this.indexLength : this.indexDeltaLength);
        first = false;
        if (this.ctsDeltaLength > 0 && r.u1()) r.skip(this.ctsDeltaLength);
        if (this.dtsDeltaLength > 0 && r.u1()) r.skip(this.dtsDeltaLength);
        if (this.rapFlag) r.skip(1);
        if (this.streamState > 0) r.skip(this.streamState);
        if (sizes.length > 512) throw new RangeError('too many AU headers');
      }
      return true;
    } catch {
      this.errors.add('malformed-packet', 'AU headers do not parse', seq);
      return false;
    }
  }

  private pushFragment(size: number, data: Uint8Array, ts: number, seq: number): readonly AccessUnitOut[] {
    if (this.fragBytes > 0 && (ts !== this.fragTs || size !== this.fragSize)) {
      this.errors.add('fragment-incomplete', 'fragmented AAC frame not completed; dropped', seq);
      this.resetFragment();
    }
    if (size > MAX_AAC_FRAME) {
      this.errors.add('too-large', `AAC frame of ${size} bytes`, seq);
      return NO_ACCESS_UNITS;
    }
    if (this.fragBytes === 0) {
      this.fragTs = ts;
      this.fragSize = size;
    }
    this.fragParts.push(data.slice());
    this.fragBytes += data.length;
    if (this.fragBytes < size) return NO_ACCESS_UNITS;
    if (this.fragBytes > size) {
      this.errors.add('malformed-packet', `AAC fragments total ${this.fragBytes} bytes, AU size ${size}`, seq);
      this.resetFragment();
      return NO_ACCESS_UNITS;
    }
    const frame = concatFragments(undefined, this.fragParts, this.fragBytes);
    this.resetFragment();
    return [this.unit(ts, frame)];
  }

  private resetFragment(): void {
    this.fragParts = [];
    this.fragBytes = 0;
    this.fragSize = 0;
    this.fragTs = NaN;
  }
}
