// A tiny ISO-BMFF reader for tests: walks the box tree and reads back the fields our writer
// sets, so golden-byte tables can be checked in both directions. Independent of src/.

export class ByteReader {
  private pos = 0;
  private readonly view: DataView;
  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  }
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  u8(): number {
    return this.view.getUint8(this.pos++);
  }
  u16(): number {
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }
  u24(): number {
    return (this.u8() << 16) | this.u16();
  }
  u32(): number {
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }
  i32(): number {
    const v = this.view.getInt32(this.pos);
    this.pos += 4;
    return v;
  }
  u64(): number {
    const hi = this.u32();
    return hi * 0x1_0000_0000 + this.u32();
  }
  fourcc(): string {
    return String.fromCharCode(...this.take(4));
  }
  take(n: number): Uint8Array {
    const b = this.bytes.subarray(this.pos, this.pos + n);
    if (b.length !== n) throw new RangeError('short read');
    this.pos += n;
    return b;
  }
  skip(n: number): void {
    this.take(n);
  }
  fullBoxHeader(): { version: number; flags: number } {
    const version = this.u8();
    return { version, flags: this.u24() };
  }
}

export interface ParsedBox {
  readonly type: string;
  readonly size: number;
  /** Offset of the box in the buffer given to parseBoxes. */
  readonly offset: number;
  /** Everything after the 8-byte (or 16-byte) header. */
  readonly body: Uint8Array;
  readonly children: ParsedBox[];
}

/** Bytes to skip in a box body before its child boxes start. */
const CONTAINERS: Record<string, number> = {
  moov: 0,
  trak: 0,
  mdia: 0,
  minf: 0,
  dinf: 0,
  stbl: 0,
  mvex: 0,
  moof: 0,
  traf: 0,
  stsd: 8,
  dref: 8,
  avc1: 78,
  hvc1: 78,
  mp4a: 28,
};

export function parseBoxes(bytes: Uint8Array, base = 0): ParsedBox[] {
  const out: ParsedBox[] = [];
  const r = new ByteReader(bytes);
  let offset = 0;
  while (r.remaining >= 8) {
    let size = r.u32();
    const type = r.fourcc();
    let header = 8;
    if (size === 1) {
      size = r.u64();
      header = 16;
    }
    if (size < header || offset + size > bytes.length) throw new RangeError(`bad size ${size} for ${type} at ${base + offset}`);
    const body = bytes.subarray(offset + header, offset + size);
    r.skip(size - header);
    const skip = CONTAINERS[type];
    out.push({ type, size, offset: base + offset, body, children: skip === undefined ? [] : parseBoxes(body.subarray(skip), base + offset + header + skip) });
    offset += size;
  }
  if (r.remaining !== 0) throw new RangeError(`${r.remaining} trailing bytes`);
  return out;
}

/** Depth-first search by a path of types, e.g. find(boxes, 'moov', 'trak', 'tkhd'). */
export function findBox(boxes: readonly ParsedBox[], ...path: string[]): ParsedBox | undefined {
  const [head, ...rest] = path;
  const hit = boxes.find((b) => b.type === head);
  if (!hit || rest.length === 0) return hit;
  return findBox(hit.children, ...rest);
}

export function findAll(boxes: readonly ParsedBox[], type: string): ParsedBox[] {
  return boxes.flatMap((b) => [...(b.type === type ? [b] : []), ...findAll(b.children, type)]);
}

// --- field readers, one per box, named as in ISO/IEC 14496-12/-14/-15 ---

export function readFtyp(body: Uint8Array) {
  const r = new ByteReader(body);
  const major_brand = r.fourcc();
  const minor_version = r.u32();
  const compatible_brands: string[] = [];
  while (r.remaining >= 4) compatible_brands.push(r.fourcc());
  return { major_brand, minor_version, compatible_brands };
}

export function readMvhd(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version } = r.fullBoxHeader();
  r.skip(8);
  const timescale = r.u32();
  const duration = r.u32();
  const rate = r.u32();
  const volume = r.u16();
  r.skip(10 + 36 + 24);
  return { version, timescale, duration, rate, volume, next_track_ID: r.u32() };
}

export function readTkhd(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version, flags } = r.fullBoxHeader();
  r.skip(8);
  const track_ID = r.u32();
  r.skip(4 + 4 + 8 + 4);
  const volume = r.u16();
  r.skip(2 + 36);
  return { version, flags, track_ID, volume, width: r.u32() / 0x10000, height: r.u32() / 0x10000 };
}

export function readMdhd(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version } = r.fullBoxHeader();
  r.skip(8);
  const timescale = r.u32();
  const duration = r.u32();
  const lang = r.u16();
  const language = String.fromCharCode(((lang >> 10) & 31) + 0x60, ((lang >> 5) & 31) + 0x60, (lang & 31) + 0x60);
  return { version, timescale, duration, language };
}

export function readHdlr(body: Uint8Array) {
  const r = new ByteReader(body);
  r.fullBoxHeader();
  r.skip(4);
  const handler_type = r.fourcc();
  r.skip(12);
  const nameBytes = r.take(r.remaining);
  return { handler_type, name: new TextDecoder().decode(nameBytes.subarray(0, nameBytes.indexOf(0))) };
}

export function readTrex(body: Uint8Array) {
  const r = new ByteReader(body);
  r.fullBoxHeader();
  return {
    track_ID: r.u32(),
    default_sample_description_index: r.u32(),
    default_sample_duration: r.u32(),
    default_sample_size: r.u32(),
    default_sample_flags: r.u32(),
  };
}

export function readMehd(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version } = r.fullBoxHeader();
  return { version, fragment_duration: version === 1 ? r.u64() : r.u32() };
}

export function readAvcC(body: Uint8Array) {
  const r = new ByteReader(body);
  const configurationVersion = r.u8();
  const AVCProfileIndication = r.u8();
  const profile_compatibility = r.u8();
  const AVCLevelIndication = r.u8();
  const lengthSizeMinusOne = r.u8() & 3;
  const sps: Uint8Array[] = [];
  for (let n = r.u8() & 31; n > 0; n--) sps.push(r.take(r.u16()));
  const pps: Uint8Array[] = [];
  for (let n = r.u8(); n > 0; n--) pps.push(r.take(r.u16()));
  const ext =
    r.remaining >= 4
      ? { chroma_format: r.u8() & 3, bit_depth_luma_minus8: r.u8() & 7, bit_depth_chroma_minus8: r.u8() & 7, numOfSequenceParameterSetExt: r.u8() }
      : undefined;
  return { configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication, lengthSizeMinusOne, sps, pps, ext };
}

export function readHvcC(body: Uint8Array) {
  const r = new ByteReader(body);
  const configurationVersion = r.u8();
  const b = r.u8();
  const general_profile_compatibility_flags = r.u32();
  const general_constraint_indicator_flags = Uint8Array.from(r.take(6));
  const general_level_idc = r.u8();
  const min_spatial_segmentation_idc = r.u16() & 0x0fff;
  const parallelismType = r.u8() & 3;
  const chroma_format_idc = r.u8() & 3;
  const bit_depth_luma_minus8 = r.u8() & 7;
  const bit_depth_chroma_minus8 = r.u8() & 7;
  const avgFrameRate = r.u16();
  const c = r.u8();
  const arrays: { array_completeness: number; NAL_unit_type: number; nalus: Uint8Array[] }[] = [];
  for (let n = r.u8(); n > 0; n--) {
    const t = r.u8();
    const nalus: Uint8Array[] = [];
    for (let k = r.u16(); k > 0; k--) nalus.push(r.take(r.u16()));
    arrays.push({ array_completeness: t >> 7, NAL_unit_type: t & 63, nalus });
  }
  return {
    configurationVersion,
    general_profile_space: b >> 6,
    general_tier_flag: (b >> 5) & 1,
    general_profile_idc: b & 31,
    general_profile_compatibility_flags,
    general_constraint_indicator_flags,
    general_level_idc,
    min_spatial_segmentation_idc,
    parallelismType,
    chroma_format_idc,
    bit_depth_luma_minus8,
    bit_depth_chroma_minus8,
    avgFrameRate,
    constantFrameRate: c >> 6,
    numTemporalLayers: (c >> 3) & 7,
    temporalIdNested: (c >> 2) & 1,
    lengthSizeMinusOne: c & 3,
    arrays,
  };
}

function readDescriptor(r: ByteReader): { tag: number; body: Uint8Array } {
  const tag = r.u8();
  let size = 0;
  for (let i = 0; i < 4; i++) {
    const b = r.u8();
    size = (size << 7) | (b & 0x7f);
    if ((b & 0x80) === 0) break;
  }
  return { tag, body: r.take(size) };
}

export function readEsds(body: Uint8Array) {
  const r = new ByteReader(body);
  r.fullBoxHeader();
  const es = readDescriptor(r);
  const er = new ByteReader(es.body);
  const ES_ID = er.u16();
  er.u8();
  const dcd = readDescriptor(er);
  const sl = readDescriptor(er);
  const dr = new ByteReader(dcd.body);
  const objectTypeIndication = dr.u8();
  const streamType = dr.u8() >> 2;
  dr.u24();
  const maxBitrate = dr.u32();
  const avgBitrate = dr.u32();
  const dsi = readDescriptor(dr);
  return {
    esTag: es.tag,
    ES_ID,
    dcdTag: dcd.tag,
    objectTypeIndication,
    streamType,
    maxBitrate,
    avgBitrate,
    dsiTag: dsi.tag,
    audioSpecificConfig: Uint8Array.from(dsi.body),
    slTag: sl.tag,
    slPredefined: sl.body[0],
  };
}

export function readMp4a(body: Uint8Array) {
  const r = new ByteReader(body);
  r.skip(6);
  const data_reference_index = r.u16();
  r.skip(8);
  const channelcount = r.u16();
  const samplesize = r.u16();
  r.skip(4);
  return { data_reference_index, channelcount, samplesize, samplerate: r.u32() / 0x10000 };
}

export function readVisualSampleEntry(body: Uint8Array) {
  const r = new ByteReader(body);
  r.skip(6);
  const data_reference_index = r.u16();
  r.skip(16);
  return { data_reference_index, width: r.u16(), height: r.u16() };
}

export function readMfhd(body: Uint8Array) {
  const r = new ByteReader(body);
  r.fullBoxHeader();
  return { sequence_number: r.u32() };
}

export function readTfhd(body: Uint8Array) {
  const r = new ByteReader(body);
  const { flags } = r.fullBoxHeader();
  const track_ID = r.u32();
  const out: {
    flags: number;
    track_ID: number;
    base_data_offset?: number;
    sample_description_index?: number;
    default_sample_duration?: number;
    default_sample_size?: number;
    default_sample_flags?: number;
  } = { flags, track_ID };
  if (flags & 0x01) out.base_data_offset = r.u64();
  if (flags & 0x02) out.sample_description_index = r.u32();
  if (flags & 0x08) out.default_sample_duration = r.u32();
  if (flags & 0x10) out.default_sample_size = r.u32();
  if (flags & 0x20) out.default_sample_flags = r.u32();
  return out;
}

export function readTfdt(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version } = r.fullBoxHeader();
  return { version, baseMediaDecodeTime: version === 1 ? r.u64() : r.u32() };
}

export function readTrun(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version, flags } = r.fullBoxHeader();
  const sample_count = r.u32();
  const data_offset = flags & 0x01 ? r.i32() : undefined;
  const first_sample_flags = flags & 0x04 ? r.u32() : undefined;
  const samples: { duration?: number; size?: number; flags?: number; composition_time_offset?: number }[] = [];
  for (let i = 0; i < sample_count; i++) {
    const s: (typeof samples)[number] = {};
    if (flags & 0x100) s.duration = r.u32();
    if (flags & 0x200) s.size = r.u32();
    if (flags & 0x400) s.flags = r.u32();
    if (flags & 0x800) s.composition_time_offset = version === 1 ? r.i32() : r.u32();
    samples.push(s);
  }
  return { version, flags, sample_count, data_offset, first_sample_flags, samples };
}

export function readPrft(body: Uint8Array) {
  const r = new ByteReader(body);
  const { version, flags } = r.fullBoxHeader();
  const reference_track_ID = r.u32();
  const ntpSeconds = r.u32();
  const ntpFraction = r.u32();
  const media_time = version === 1 ? r.u64() : r.u32();
  return { version, flags, reference_track_ID, ntpSeconds, ntpFraction, media_time };
}
