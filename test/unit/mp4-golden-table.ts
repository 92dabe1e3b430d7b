// Golden bytes for each box our writer emits, shared by the write test (bytes equal) and the
// read-back test (fields equal). Hex written out by hand from ISO/IEC 14496-12/-14/-15.
import { BoxWriter } from '../../src/media/mp4/writer.ts';
import { ftyp, mdhd, mehd, hdlr, tkhd, trex, vmhd, smhd, dinf, mvhd } from '../../src/media/mp4/init.ts';
import { avcC, hvcC, esds, audioSampleEntry } from '../../src/media/mp4/sample-entries.ts';
import { mfhd, tfhd, tfdt, trun, prft } from '../../src/media/mp4/fragment.ts';
import { SYNC_SAMPLE_FLAGS, NON_SYNC_SAMPLE_FLAGS } from '../../src/media/mp4/sample-flags.ts';
import * as read from '../helpers/mp4-read.ts';
import type { AudioTrackDescription, VideoTrackDescription } from '../../src/media/mp4/types.ts';

export interface GoldenRow {
  readonly name: string;
  readonly write: (w: BoxWriter) => void;
  /** Reads the box body back (after the 8-byte header). */
  readonly read: (body: Uint8Array) => unknown;
  /** What `read` must return. */
  readonly fields: unknown;
  readonly hex: string;
}

const sps = Uint8Array.from([0x67, 0x64, 0x00, 0x1f, 0xac]);
const pps = Uint8Array.from([0x68, 0xee, 0x3c, 0x80]);
const video: VideoTrackDescription = {
  kind: 'video',
  trackId: 1,
  timescale: 90000,
  width: 640,
  height: 360,
  decoderConfig: {
    codec: 'avc1',
    avcC: {
      AVCProfileIndication: 0x64,
      profile_compatibility: 0,
      AVCLevelIndication: 0x1f,
      sps: [sps],
      pps: [pps],
      chroma_format: 1,
      bit_depth_luma_minus8: 0,
      bit_depth_chroma_minus8: 0,
    },
  },
};
const audio: AudioTrackDescription = {
  kind: 'audio',
  trackId: 2,
  timescale: 48000,
  channelcount: 2,
  samplerate: 48000,
  audioSpecificConfig: Uint8Array.from([0x11, 0x90]),
};
const hevc = {
  general_profile_space: 0,
  general_tier_flag: 0,
  general_profile_idc: 1,
  general_profile_compatibility_flags: 0x60000000,
  general_constraint_indicator_flags: Uint8Array.from([0x90, 0, 0, 0, 0, 0]),
  general_level_idc: 63,
  min_spatial_segmentation_idc: 0,
  parallelismType: 0,
  chroma_format_idc: 1,
  bit_depth_luma_minus8: 0,
  bit_depth_chroma_minus8: 0,
  avgFrameRate: 0,
  constantFrameRate: 0,
  numTemporalLayers: 1,
  temporalIdNested: 1,
  vps: [Uint8Array.from([0x40, 0x01])],
  sps: [Uint8Array.from([0x42, 0x01, 0x01])],
  pps: [Uint8Array.from([0x44, 0x01])],
};
const hx = (s: string) => s.replace(/\s+/g, '');

export const GOLDEN: readonly GoldenRow[] = [
  {
    name: 'ftyp',
    write: (w) => ftyp(w),
    read: read.readFtyp,
    fields: { major_brand: 'iso6', minor_version: 0, compatible_brands: ['iso6', 'cmfc', 'mp41'] },
    hex: hx('0000001c 66747970 69736f36 00000000 69736f36 636d6663 6d703431'),
  },
  {
    name: 'mvhd',
    write: (w) => mvhd(w, 3),
    read: read.readMvhd,
    fields: { version: 0, timescale: 1000, duration: 0, rate: 0x10000, volume: 0x100, next_track_ID: 3 },
    hex: hx(`0000006c 6d766864 00000000 00000000 00000000 000003e8 00000000 00010000 0100 0000 00000000 00000000
             00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000
             00000000 00000000 00000000 00000000 00000000 00000000 00000003`),
  },
  {
    name: 'tkhd (video)',
    write: (w) => tkhd(w, video),
    read: read.readTkhd,
    fields: { version: 0, flags: 3, track_ID: 1, volume: 0, width: 640, height: 360 },
    hex: hx(`0000005c 746b6864 00000003 00000000 00000000 00000001 00000000 00000000 00000000 00000000 0000 0000 0000 0000
             00010000 00000000 00000000 00000000 00010000 00000000 00000000 00000000 40000000 02800000 01680000`),
  },
  {
    name: 'mdhd',
    write: (w) => mdhd(w, video),
    read: read.readMdhd,
    fields: { version: 0, timescale: 90000, duration: 0, language: 'und' },
    hex: hx('00000020 6d646864 00000000 00000000 00000000 00015f90 00000000 55c4 0000'),
  },
  {
    name: 'hdlr (soun)',
    write: (w) => hdlr(w, audio),
    read: read.readHdlr,
    fields: { handler_type: 'soun', name: 'SoundHandler' },
    hex: hx('0000002d 68646c72 00000000 00000000 736f756e 00000000 00000000 00000000 536f756e6448616e646c657200'),
  },
  {
    name: 'vmhd',
    write: (w) => vmhd(w),
    read: (b) => Array.from(b),
    fields: [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0],
    hex: hx('00000014 766d6864 00000001 0000 000000000000'),
  },
  { name: 'smhd', write: (w) => smhd(w), read: (b) => Array.from(b), fields: [0, 0, 0, 0, 0, 0, 0, 0], hex: hx('00000010 736d6864 00000000 0000 0000') },
  {
    name: 'dinf',
    write: (w) => dinf(w),
    read: (b) => read.parseBoxes(b).map((x) => [x.type, x.children.map((c) => c.type)]),
    fields: [['dref', ['url ']]],
    hex: hx('00000024 64696e66 0000001c 64726566 00000000 00000001 0000000c 75726c20 00000001'),
  },
  {
    name: 'trex',
    write: (w) => trex(w, 2),
    read: read.readTrex,
    fields: { track_ID: 2, default_sample_description_index: 1, default_sample_duration: 0, default_sample_size: 0, default_sample_flags: 0 },
    hex: hx('00000020 74726578 00000000 00000002 00000001 00000000 00000000 00000000'),
  },
  {
    name: 'mehd (v1)',
    write: (w) => mehd(w, 0x1_0000_0002),
    read: read.readMehd,
    fields: { version: 1, fragment_duration: 0x1_0000_0002 },
    hex: hx('00000014 6d656864 01000000 00000001 00000002'),
  },
  {
    name: 'avcC (High: with chroma/bit depth)',
    write: (w) => avcC(w, video.decoderConfig.codec === 'avc1' ? video.decoderConfig.avcC : (undefined as never)),
    read: read.readAvcC,
    fields: {
      configurationVersion: 1,
      AVCProfileIndication: 0x64,
      profile_compatibility: 0,
      AVCLevelIndication: 0x1f,
      lengthSizeMinusOne: 3,
      sps: [sps],
      pps: [pps],
      ext: { chroma_format: 1, bit_depth_luma_minus8: 0, bit_depth_chroma_minus8: 0, numOfSequenceParameterSetExt: 0 },
    },
    hex: hx('00000020 61766343 01 64 00 1f ff e1 0005 676400 1fac 01 0004 68ee3c80 fd f8 f8 00'),
  },
  {
    name: 'avcC (Main: no extension)',
    write: (w) =>
      avcC(w, {
        AVCProfileIndication: 77,
        profile_compatibility: 0x40,
        AVCLevelIndication: 30,
        sps: [sps],
        pps: [pps],
        chroma_format: 1,
        bit_depth_luma_minus8: 0,
        bit_depth_chroma_minus8: 0,
      }),
    read: read.readAvcC,
    fields: {
      configurationVersion: 1,
      AVCProfileIndication: 77,
      profile_compatibility: 0x40,
      AVCLevelIndication: 30,
      lengthSizeMinusOne: 3,
      sps: [sps],
      pps: [pps],
      ext: undefined,
    },
    hex: hx('0000001c 61766343 01 4d 40 1e ff e1 0005 6764001fac 01 0004 68ee3c80'),
  },
  {
    name: 'hvcC',
    write: (w) => hvcC(w, hevc),
    read: read.readHvcC,
    fields: {
      configurationVersion: 1,
      general_profile_space: 0,
      general_tier_flag: 0,
      general_profile_idc: 1,
      general_profile_compatibility_flags: 0x60000000,
      general_constraint_indicator_flags: Uint8Array.from([0x90, 0, 0, 0, 0, 0]),
      general_level_idc: 63,
      min_spatial_segmentation_idc: 0,
      parallelismType: 0,
      chroma_format_idc: 1,
      bit_depth_luma_minus8: 0,
      bit_depth_chroma_minus8: 0,
      avgFrameRate: 0,
      constantFrameRate: 0,
      numTemporalLayers: 1,
      temporalIdNested: 1,
      lengthSizeMinusOne: 3,
      arrays: [
        { array_completeness: 1, NAL_unit_type: 32, nalus: [Uint8Array.from([0x40, 0x01])] },
        { array_completeness: 1, NAL_unit_type: 33, nalus: [Uint8Array.from([0x42, 0x01, 0x01])] },
        { array_completeness: 1, NAL_unit_type: 34, nalus: [Uint8Array.from([0x44, 0x01])] },
      ],
    },
    hex: hx(`00000035 68766343 01 01 60000000 900000000000 3f f000 fc fd f8 f8 0000 0f 03
             a0 0001 0002 4001  a1 0001 0003 420101  a2 0001 0002 4401`),
  },
  {
    name: 'esds',
    write: (w) => esds(w, audio),
    read: read.readEsds,
    fields: {
      esTag: 3,
      ES_ID: 0,
      dcdTag: 4,
      objectTypeIndication: 0x40,
      streamType: 5,
      maxBitrate: 0,
      avgBitrate: 0,
      dsiTag: 5,
      audioSpecificConfig: Uint8Array.from([0x11, 0x90]),
      slTag: 6,
      slPredefined: 2,
    },
    hex: hx('00000027 65736473 00000000 03 19 0000 00 04 11 40 15 000000 00000000 00000000 05 02 1190 06 01 02'),
  },
  {
    name: 'mp4a',
    write: (w) => audioSampleEntry(w, audio),
    read: read.readMp4a,
    fields: { data_reference_index: 1, channelcount: 2, samplesize: 16, samplerate: 48000 },
    hex: hx(
      '0000004b 6d703461 000000000000 0001 00000000 00000000 0002 0010 0000 0000 bb800000 00000027 65736473 00000000 03 19 0000 00 04 11 40 15 000000 00000000 00000000 05 02 1190 06 01 02',
    ),
  },
  { name: 'mfhd', write: (w) => mfhd(w, 7), read: read.readMfhd, fields: { sequence_number: 7 }, hex: hx('00000010 6d666864 00000000 00000007') },
  {
    name: 'tfhd (default flags)',
    write: (w) => tfhd(w, 1, NON_SYNC_SAMPLE_FLAGS),
    read: read.readTfhd,
    fields: { flags: 0x020020, track_ID: 1, default_sample_flags: 0x01010000 },
    hex: hx('00000014 74666864 00020020 00000001 01010000'),
  },
  {
    name: 'tfhd (no defaults)',
    write: (w) => tfhd(w, 2, undefined),
    read: read.readTfhd,
    fields: { flags: 0x020000, track_ID: 2 },
    hex: hx('00000010 74666864 00020000 00000002'),
  },
  {
    name: 'tfdt (v1, above 2^32)',
    write: (w) => tfdt(w, 0x1_2345_6789),
    read: read.readTfdt,
    fields: { version: 1, baseMediaDecodeTime: 0x1_2345_6789 },
    hex: hx('00000014 74666474 01000000 00000001 23456789'),
  },
  {
    name: 'trun (B-frames: version 1, signed offsets, first-sample flags)',
    write: (w) => {
      trun(
        w,
        [
          { duration: 3600, size: 100, flags: SYNC_SAMPLE_FLAGS, compositionTimeOffset: 7200 },
          { duration: 3600, size: 50, flags: NON_SYNC_SAMPLE_FLAGS, compositionTimeOffset: -3600 },
        ],
        SYNC_SAMPLE_FLAGS,
        false,
      );
    },
    read: read.readTrun,
    fields: {
      version: 1,
      flags: 0x000b05,
      sample_count: 2,
      data_offset: 0,
      first_sample_flags: 0x02000000,
      samples: [
        { duration: 3600, size: 100, composition_time_offset: 7200 },
        { duration: 3600, size: 50, composition_time_offset: -3600 },
      ],
    },
    hex: hx('00000030 7472756e 01000b05 00000002 00000000 02000000 00000e10 00000064 00001c20 00000e10 00000032 fffff1f0'),
  },
  {
    name: 'trun (audio: version 0, duration + size)',
    write: (w) => {
      trun(w, [{ duration: 1024, size: 300, flags: SYNC_SAMPLE_FLAGS, compositionTimeOffset: 0 }], undefined, false);
    },
    read: read.readTrun,
    fields: { version: 0, flags: 0x000301, sample_count: 1, data_offset: 0, first_sample_flags: undefined, samples: [{ duration: 1024, size: 300 }] },
    hex: hx('0000001c 7472756e 00000301 00000001 00000000 00000400 0000012c'),
  },
  {
    name: 'prft (v1: NTP wall clock + 64-bit media time)',
    write: (w) => prft(w, { referenceTrackId: 1, wallClockMs: 1_767_225_600_500, mediaTime: 90000 }),
    read: read.readPrft,
    // 2026-01-01T00:00:00.5Z: NTP seconds 1767225600 + 2208988800 = 3976214400 = 0xed003780, fraction 0.5 = 0x80000000
    fields: { version: 1, flags: 0, reference_track_ID: 1, ntpSeconds: 3_976_214_400, ntpFraction: 0x80000000, media_time: 90000 },
    hex: hx('00000020 70726674 01000000 00000001 ed003780 80000000 00000000 00015f90'),
  },
];
