// Loads the media fixtures (test/helpers/fixtures.ts) with mp4box (an independent parser) for codec and RTP tests:
// parameter sets from avcC/hvcC/esds, and every sample with its dts/cts and NAL units.
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createFile } from 'mp4box';
import { fixtureAvailable, fixturePath } from '../helpers/fixtures.ts';

export { fixturePath };

export interface FixtureSample {
  dts: number;
  cts: number;
  isSync: boolean;
  /** Raw sample bytes (length-prefixed NALs for video, one AAC frame for audio). */
  data: Uint8Array;
}

export interface FixtureTrack {
  id: number;
  codec: string;
  timescale: number;
  width?: number;
  height?: number;
  /** Parameter sets by NAL type name, without length prefixes. */
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
  audioSpecificConfig?: Uint8Array;
  samples: FixtureSample[];
}

/** The clip is there, or ffmpeg made it just now. */
export function hasFixture(name: string): boolean {
  return fixtureAvailable(name);
}

interface MpBoxNalu {
  data: Uint8Array;
}
interface MpBoxEntry {
  avcC?: { SPS: MpBoxNalu[]; PPS: MpBoxNalu[] };
  hvcC?: { nalu_arrays: (MpBoxNalu[] & { nalu_type: number })[] };
  esds?: { esd: { descs: { descs: { tag: number; data: Uint8Array }[] }[] } };
}
interface MpBoxSample {
  dts: number;
  cts: number;
  is_sync: boolean;
  offset: number;
  size: number;
}

const cache = new Map<string, FixtureTrack[]>();

/** Reads every track of a fixture; `maxSamples` bounds the samples kept per track. */
export function loadFixture(name: string, maxSamples = Infinity): FixtureTrack[] {
  const key = `${name}:${maxSamples}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const buf = readFileSync(fixturePath(name));
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength) as ArrayBuffer & { fileStart: number };
  ab.fileStart = 0;
  const mp = createFile();
  let info: { tracks: { id: number; codec: string; timescale: number; nb_samples: number; video?: { width: number; height: number } }[] } | undefined;
  mp.onReady = (i: unknown) => {
    info = i as typeof info;
  };
  mp.appendBuffer(ab as never);
  mp.flush();
  if (!info) throw new Error(`mp4box could not read ${name}`);
  const tracks: FixtureTrack[] = [];
  for (const t of info.tracks) {
    const trak = mp.getTrackById(t.id) as unknown as { mdia: { minf: { stbl: { stsd: { entries: MpBoxEntry[] } } } } };
    const entry = trak.mdia.minf.stbl.stsd.entries[0] ?? {};
    const track: FixtureTrack = { id: t.id, codec: t.codec, timescale: t.timescale, vps: [], sps: [], pps: [], samples: [] };
    if (t.video) {
      track.width = t.video.width;
      track.height = t.video.height;
    }
    if (entry.avcC) {
      track.sps = entry.avcC.SPS.map((n) => Uint8Array.from(n.data));
      track.pps = entry.avcC.PPS.map((n) => Uint8Array.from(n.data));
    }
    if (entry.hvcC) {
      for (const arr of entry.hvcC.nalu_arrays) {
        const list = arr.nalu_type === 32 ? track.vps : arr.nalu_type === 33 ? track.sps : arr.nalu_type === 34 ? track.pps : undefined;
        if (list) for (const n of arr) list.push(Uint8Array.from(n.data));
      }
    }
    const dsi = entry.esds?.esd.descs[0]?.descs.find((d) => d.tag === 5);
    if (dsi) track.audioSpecificConfig = Uint8Array.from(dsi.data);
    // The sample table gives offsets into the file; slicing the file is all extraction needs.
    const table = (mp.getTrackSamplesInfo(t.id) as unknown as MpBoxSample[]).slice(0, maxSamples);
    for (const s of table) {
      track.samples.push({ dts: s.dts, cts: s.cts, isSync: s.is_sync, data: new Uint8Array(buf.buffer, buf.byteOffset + s.offset, s.size) });
    }
    tracks.push(track);
  }
  cache.set(key, tracks);
  return tracks;
}

/** Splits a sample of 4-byte length-prefixed NAL units. */
export function splitLengthPrefixed(data: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  while (p + 4 <= data.length) {
    const len = (((data[p] as number) << 24) | ((data[p + 1] as number) << 16) | ((data[p + 2] as number) << 8) | (data[p + 3] as number)) >>> 0;
    p += 4;
    out.push(data.subarray(p, p + len));
    p += len;
  }
  return out;
}

export interface FfprobeStream {
  codec_name: string;
  profile?: string;
  width?: number;
  height?: number;
  level?: number;
  sample_rate?: string;
  channels?: number;
  r_frame_rate?: string;
  has_b_frames?: number;
}

export function ffprobeStreams(name: string): FfprobeStream[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', fixturePath(name)], { encoding: 'utf8', timeout: 20_000 });
  if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: FfprobeStream[] }).streams;
}
