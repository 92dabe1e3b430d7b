// Turns the fixture MP4 files into the messages an RTSP source would emit (TrackInfo + Sample,
// 90 kHz video time, sample-rate audio time), using mp4box.js as the independent demuxer.
// Also exposes the source's own avcC/hvcC/esds fields so tests can compare ours against them.
import { readFileSync } from 'node:fs';
import { createFile } from 'mp4box';
import type { AudioCodecConfig, Sample, TrackInfo, VideoCodecConfig } from '../../src/types/media.ts';
import { fixturePath } from './fixtures.ts';

export interface SourceHvcC {
  general_profile_space: number;
  general_tier_flag: number;
  general_profile_idc: number;
  general_profile_compatibility: number;
  general_constraint_indicator: Uint8Array;
  general_level_idc: number;
  chroma_format_idc: number;
  bit_depth_luma_minus8: number;
  bit_depth_chroma_minus8: number;
  numTemporalLayers: number;
  temporalIdNested: number;
}

export interface DemuxedFixture {
  readonly tracks: TrackInfo[];
  /** All samples of all tracks, ordered by decode time as a live source would deliver them. */
  readonly samples: Sample[];
  readonly sourceHvcC?: SourceHvcC;
  readonly sourceAvcC?: { AVCProfileIndication: number; profile_compatibility: number; AVCLevelIndication: number };
}

interface Mp4BoxNalu {
  data: Uint8Array;
}
interface Mp4BoxEntry {
  avcC?: { SPS: Mp4BoxNalu[]; PPS: Mp4BoxNalu[]; AVCProfileIndication: number; profile_compatibility: number; AVCLevelIndication: number };
  hvcC?: SourceHvcC & { nalu_arrays: (Mp4BoxNalu[] & { nalu_type: number })[] };
  esds?: { esd: { descs: { descs: { tag: number; data: Uint8Array }[] }[] } };
  channel_count?: number;
  samplerate?: number;
}

const cache = new Map<string, DemuxedFixture>();

/** Demuxes the media fixture `name` (see fixtures.ts; cached: the result is shared, do not mutate). */
export function demuxFixture(name: string, wallClockStartMs = Date.UTC(2026, 0, 1)): DemuxedFixture {
  const key = `${name}@${wallClockStartMs}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const buf = readFileSync(fixturePath(name));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer & { fileStart: number };
  ab.fileStart = 0;
  const file = createFile(true);
  let infoTracks: {
    id: number;
    codec: string;
    timescale: number;
    video?: { width: number; height: number };
    audio?: { sample_rate: number; channel_count: number };
  }[] = [];
  file.onReady = (info) => {
    infoTracks = info.tracks as unknown as typeof infoTracks;
  };
  file.appendBuffer(ab as never);
  file.flush();
  const tracks: TrackInfo[] = [];
  const samples: Sample[] = [];
  let sourceHvcC: SourceHvcC | undefined;
  let sourceAvcC: DemuxedFixture['sourceAvcC'];
  for (const t of infoTracks) {
    const trak = file.getTrackById(t.id) as unknown as { mdia: { minf: { stbl: { stsd: { entries: Mp4BoxEntry[] } } } } };
    const entry = trak.mdia.minf.stbl.stsd.entries[0]!;
    const isVideo = t.video !== undefined;
    const outTimescale = isVideo ? 90000 : t.timescale;
    if (isVideo) {
      const v = t.video!;
      let config: VideoCodecConfig;
      if (entry.avcC) {
        sourceAvcC = entry.avcC;
        config = {
          codec: 'h264',
          vps: [],
          sps: entry.avcC.SPS.map((n) => n.data),
          pps: entry.avcC.PPS.map((n) => n.data),
          width: v.width,
          height: v.height,
          codecString: t.codec,
          profile: entry.avcC.AVCProfileIndication === 100 ? 'High' : 'Main',
        };
      } else if (entry.hvcC) {
        sourceHvcC = entry.hvcC;
        const byType = (type: number) => entry.hvcC!.nalu_arrays.filter((a) => a.nalu_type === type).flatMap((a) => a.map((n) => n.data));
        config = { codec: 'h265', vps: byType(32), sps: byType(33), pps: byType(34), width: v.width, height: v.height, codecString: t.codec, profile: 'Main' };
      } else throw new Error(`unsupported video entry in ${name}`);
      tracks.push({ kind: 'track', trackId: t.id, mediaType: 'video', timescale: 90000, config, fps: 25 });
    } else {
      const dsi = entry.esds?.esd.descs[0]?.descs.find((d) => d.tag === 5);
      if (!dsi) throw new Error(`no AudioSpecificConfig in ${name}`);
      const config: AudioCodecConfig = {
        codec: 'aac',
        audioSpecificConfig: dsi.data,
        sampleRate: t.audio!.sample_rate,
        channels: t.audio!.channel_count,
        codecString: t.codec,
      };
      tracks.push({ kind: 'track', trackId: t.id, mediaType: 'audio', timescale: t.timescale, config });
    }
    const scale = (x: number) => Math.round((x * outTimescale) / t.timescale);
    for (const s of file.getTrackSamplesInfo(t.id)) {
      const full = file.getTrackSample(t.id, s.number) as unknown as { data: Uint8Array; dts: number; cts: number; is_sync: boolean; duration: number };
      const data = full.data;
      const units: Uint8Array[] = [];
      if (isVideo) {
        const view = new DataView(data.buffer, data.byteOffset, data.length);
        for (let p = 0; p + 4 <= data.length; ) {
          const n = view.getUint32(p);
          units.push(data.subarray(p + 4, p + 4 + n));
          p += 4 + n;
        }
      } else units.push(data);
      const dts = scale(full.dts);
      const pts = scale(full.cts);
      samples.push({
        kind: 'sample',
        trackId: t.id,
        dts,
        pts,
        keyframe: isVideo ? full.is_sync : true,
        units,
        wallClockMs: wallClockStartMs + (pts / outTimescale) * 1000,
      });
    }
  }
  const timescaleOf = new Map(tracks.map((t) => [t.trackId, t.timescale]));
  samples.sort((a, b) => a.dts / timescaleOf.get(a.trackId)! - b.dts / timescaleOf.get(b.trackId)! || a.trackId - b.trackId);
  const result: DemuxedFixture = { tracks, samples, ...(sourceHvcC ? { sourceHvcC } : {}), ...(sourceAvcC ? { sourceAvcC } : {}) };
  cache.set(key, result);
  return result;
}
