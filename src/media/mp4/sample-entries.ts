// Sample entries for stsd: avc1+avcC, hvc1+hvcC (ISO/IEC 14496-15), mp4a+esds (ISO/IEC 14496-14).
//
//   avc1 (VisualSampleEntry)        hvc1 (VisualSampleEntry)       mp4a (AudioSampleEntry)
//   └── avcC                        └── hvcC                       └── esds
//                                                                      └── ES_Descriptor (3)
//                                                                          ├── DecoderConfigDescriptor (4)
//                                                                          │   └── DecoderSpecificInfo (5)
//                                                                          └── SLConfigDescriptor (6)
import { BoxWriter } from './writer.ts';
import type { AudioTrackDescription, AvcDecoderConfig, HevcDecoderConfig, VideoTrackDescription } from './types.ts';

const HIGH_PROFILES = new Set([100, 110, 122, 144]);

/** Fields shared by all SampleEntry boxes (14496-12 §8.5.2.2). */
function sampleEntryHeader(w: BoxWriter): void {
  w.zeros(6); // reserved
  w.u16(1); // data_reference_index
}

function visualSampleEntry(w: BoxWriter, t: VideoTrackDescription, type: string, config: (w: BoxWriter) => void): void {
  w.box(type, (w) => {
    sampleEntryHeader(w);
    w.u16(0).u16(0); // pre_defined, reserved
    w.zeros(12); // pre_defined[3]
    w.u16(t.width).u16(t.height);
    w.u32(0x00480000).u32(0x00480000); // horizresolution, vertresolution: 72 dpi
    w.u32(0); // reserved
    w.u16(1); // frame_count
    w.zeros(32); // compressorname (empty Pascal string)
    w.u16(0x0018); // depth
    w.u16(0xffff); // pre_defined = -1
    config(w);
  });
}

export function avcC(w: BoxWriter, c: AvcDecoderConfig): void {
  w.box('avcC', (w) => {
    w.u8(1); // configurationVersion
    w.u8(c.AVCProfileIndication).u8(c.profile_compatibility).u8(c.AVCLevelIndication);
    w.u8(0xfc | 3); // reserved + lengthSizeMinusOne: 4-byte NAL lengths
    w.u8(0xe0 | c.sps.length);
    for (const s of c.sps) w.u16(s.length).bytes(s);
    w.u8(c.pps.length);
    for (const p of c.pps) w.u16(p.length).bytes(p);
    if (HIGH_PROFILES.has(c.AVCProfileIndication)) {
      w.u8(0xfc | c.chroma_format);
      w.u8(0xf8 | c.bit_depth_luma_minus8);
      w.u8(0xf8 | c.bit_depth_chroma_minus8);
      w.u8(0); // numOfSequenceParameterSetExt
    }
  });
}

const HEVC_NAL_VPS = 32;
const HEVC_NAL_SPS = 33;
const HEVC_NAL_PPS = 34;

export function hvcC(w: BoxWriter, c: HevcDecoderConfig): void {
  if (c.general_constraint_indicator_flags.length !== 6) throw new RangeError('general_constraint_indicator_flags must be 6 bytes');
  w.box('hvcC', (w) => {
    w.u8(1); // configurationVersion
    w.u8((c.general_profile_space << 6) | (c.general_tier_flag << 5) | c.general_profile_idc);
    w.u32(c.general_profile_compatibility_flags);
    w.bytes(c.general_constraint_indicator_flags);
    w.u8(c.general_level_idc);
    w.u16(0xf000 | c.min_spatial_segmentation_idc);
    w.u8(0xfc | c.parallelismType);
    w.u8(0xfc | c.chroma_format_idc);
    w.u8(0xf8 | c.bit_depth_luma_minus8);
    w.u8(0xf8 | c.bit_depth_chroma_minus8);
    w.u16(c.avgFrameRate);
    w.u8((c.constantFrameRate << 6) | (c.numTemporalLayers << 3) | (c.temporalIdNested << 2) | 3); // lengthSizeMinusOne = 3
    const arrays: [number, readonly Uint8Array[]][] = [
      [HEVC_NAL_VPS, c.vps],
      [HEVC_NAL_SPS, c.sps],
      [HEVC_NAL_PPS, c.pps],
    ];
    const present = arrays.filter(([, nals]) => nals.length > 0);
    w.u8(present.length); // numOfArrays
    for (const [type, nals] of present) {
      w.u8(0x80 | type); // array_completeness = 1: all parameter sets are here
      w.u16(nals.length);
      for (const n of nals) w.u16(n.length).bytes(n);
    }
  });
}

export function videoSampleEntry(w: BoxWriter, t: VideoTrackDescription): void {
  const d = t.decoderConfig;
  if (d.codec === 'avc1') visualSampleEntry(w, t, 'avc1', (w) => avcC(w, d.avcC));
  else visualSampleEntry(w, t, 'hvc1', (w) => hvcC(w, d.hvcC));
}

/** MPEG-4 descriptor with its expandable size field (14496-1 §8.3.3), 1 to 4 size bytes. */
function descriptor(w: BoxWriter, tag: number, body: (w: BoxWriter) => void): void {
  // Written into a scratch writer first: the size field's own length depends on the size.
  const inner = new BoxWriter(64);
  body(inner);
  const bytes = inner.finish();
  w.u8(tag);
  const n = bytes.length;
  if (n >= 1 << 28) throw new RangeError('descriptor too large');
  const sizeBytes: number[] = [];
  let v = n;
  do {
    sizeBytes.unshift(v & 0x7f);
    v >>>= 7;
  } while (v > 0);
  sizeBytes.forEach((b, i) => w.u8(i < sizeBytes.length - 1 ? b | 0x80 : b));
  w.bytes(bytes);
}

export function esds(w: BoxWriter, t: AudioTrackDescription): void {
  w.fullBox('esds', 0, 0, (w) => {
    descriptor(w, 0x03, (w) => {
      w.u16(0); // ES_ID (0: assigned by the track)
      w.u8(0); // streamDependenceFlag, URL_Flag, OCRstreamFlag, streamPriority
      descriptor(w, 0x04, (w) => {
        w.u8(0x40); // objectTypeIndication: MPEG-4 Audio
        w.u8((0x05 << 2) | 1); // streamType = AudioStream, upStream = 0, reserved = 1
        w.u24(0); // bufferSizeDB
        w.u32(t.maxBitrate ?? 0);
        w.u32(t.avgBitrate ?? 0);
        descriptor(w, 0x05, (w) => w.bytes(t.audioSpecificConfig));
      });
      descriptor(w, 0x06, (w) => w.u8(0x02)); // SLConfigDescriptor: predefined = MP4
    });
  });
}

export function audioSampleEntry(w: BoxWriter, t: AudioTrackDescription): void {
  w.box('mp4a', (w) => {
    sampleEntryHeader(w);
    w.zeros(8); // reserved[2]
    w.u16(t.channelcount);
    w.u16(16); // samplesize
    w.u16(0).u16(0); // pre_defined, reserved
    // samplerate is 16.16 fixed point; rates above 65535 Hz do not fit and are carried by esds.
    w.u32(t.samplerate <= 0xffff ? t.samplerate * 0x10000 : 0);
    esds(w, t);
  });
}
