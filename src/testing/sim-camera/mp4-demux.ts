// Reads an MP4 once with mp4box.js and keeps what a simulated camera needs: parameter sets,
// and every sample's bytes and timing. Video samples are split into NAL unit views.
import { readFile } from 'node:fs/promises';
import { createFile } from 'mp4box';

export interface DemuxedVideoSample {
  /** Decode and presentation time in the track timescale. */
  readonly dts: number;
  readonly pts: number;
  readonly keyframe: boolean;
  readonly nalus: readonly Uint8Array[];
}

export interface DemuxedVideo {
  readonly codec: 'h264' | 'h265';
  readonly codecString: string;
  readonly timescale: number;
  readonly width: number;
  readonly height: number;
  readonly vps: readonly Uint8Array[];
  readonly sps: readonly Uint8Array[];
  readonly pps: readonly Uint8Array[];
  /** Track duration in the track timescale. */
  readonly duration: number;
  readonly samples: readonly DemuxedVideoSample[];
}

export interface DemuxedAudio {
  readonly codec: 'aac';
  readonly timescale: number;
  readonly sampleRate: number;
  readonly channels: number;
  readonly audioSpecificConfig: Uint8Array;
  readonly duration: number;
  readonly samples: readonly { readonly dts: number; readonly data: Uint8Array }[];
}

export interface DemuxedFile {
  readonly video?: DemuxedVideo;
  readonly audio?: DemuxedAudio;
  /** Seconds: the video duration if there is video, else the audio duration. */
  readonly durationSec: number;
}

interface Mp4Sample {
  dts: number;
  cts: number;
  is_sync: boolean;
  data?: Uint8Array | undefined;
}
interface NaluHolder {
  data: Uint8Array;
}
interface Mp4Entry {
  type: string;
  avcC?: { lengthSizeMinusOne: number; SPS: NaluHolder[]; PPS: NaluHolder[] };
  hvcC?: { lengthSizeMinusOne: number; nalu_arrays: (NaluHolder[] & { nalu_type: number })[] };
  esds?: { esd: { descs?: { tag: number; descs?: { tag: number; data?: Uint8Array }[] }[] } };
}
interface Mp4TrackInfo {
  id: number;
  codec: string;
  timescale: number;
  duration: number;
  nb_samples: number;
  video?: { width: number; height: number };
  audio?: { sample_rate: number; channel_count: number };
}

export async function demuxMp4(path: string): Promise<DemuxedFile> {
  const buf = await readFile(path);
  const file = createFile();
  const samples = new Map<number, Mp4Sample[]>();
  let tracks: Mp4TrackInfo[] = [];
  let failure: unknown;
  file.onError = (e: unknown) => {
    failure = e;
  };
  file.onReady = (info: { tracks: Mp4TrackInfo[] }) => {
    tracks = info.tracks;
    for (const t of tracks) {
      samples.set(t.id, []);
      file.setExtractionOptions(t.id, null, { nbSamples: t.nb_samples + 1 });
    }
    file.start();
  };
  file.onSamples = (id: number, _user: unknown, got: Mp4Sample[]) => {
    const list = samples.get(id);
    if (list) for (const s of got) if (s.data) list.push({ dts: s.dts, cts: s.cts, is_sync: s.is_sync, data: s.data });
  };
  const ab = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length) as ArrayBuffer & { fileStart: number };
  ab.fileStart = 0;
  (file.appendBuffer as (b: unknown) => void)(ab);
  file.flush();
  if (failure !== undefined) throw new Error(`cannot demux ${path}: ${String(failure)}`);

  let video: DemuxedVideo | undefined;
  let audio: DemuxedAudio | undefined;
  for (const t of tracks) {
    const trak = file.getTrackById(t.id) as unknown as { mdia: { minf: { stbl: { stsd: { entries: Mp4Entry[] } } } } };
    const entry = trak.mdia.minf.stbl.stsd.entries[0];
    const list = samples.get(t.id) ?? [];
    if (!entry) continue;
    if (!video && t.video && (entry.avcC || entry.hvcC)) {
      const h265 = entry.hvcC !== undefined;
      const lengthSize = (h265 ? (entry.hvcC?.lengthSizeMinusOne ?? 3) : (entry.avcC?.lengthSizeMinusOne ?? 3)) + 1;
      const arrays = entry.hvcC?.nalu_arrays ?? [];
      const ofType = (nt: number) => arrays.filter((a) => a.nalu_type === nt).flatMap((a) => a.map((n) => n.data));
      video = {
        codec: h265 ? 'h265' : 'h264',
        codecString: t.codec,
        timescale: t.timescale,
        width: t.video.width,
        height: t.video.height,
        vps: h265 ? ofType(32) : [],
        sps: h265 ? ofType(33) : (entry.avcC?.SPS ?? []).map((n) => n.data),
        pps: h265 ? ofType(34) : (entry.avcC?.PPS ?? []).map((n) => n.data),
        duration: t.duration,
        samples: list.map((s) => ({ dts: s.dts, pts: s.cts, keyframe: s.is_sync, nalus: splitLengthPrefixed(s.data ?? new Uint8Array(0), lengthSize) })),
      };
    } else if (!audio && t.audio && entry.esds) {
      const asc = entry.esds.esd.descs?.find((d) => d.tag === 4)?.descs?.find((d) => d.tag === 5)?.data;
      if (!asc) continue;
      audio = {
        codec: 'aac',
        timescale: t.timescale,
        sampleRate: t.audio.sample_rate,
        channels: t.audio.channel_count,
        audioSpecificConfig: asc,
        duration: t.duration,
        samples: list.map((s) => ({ dts: s.dts, data: s.data ?? new Uint8Array(0) })),
      };
    }
  }
  if (!video && !audio) throw new Error(`no H.264, H.265 or AAC track in ${path}`);
  const durationSec = video ? video.duration / video.timescale : (audio as DemuxedAudio).duration / (audio as DemuxedAudio).timescale;
  return { ...(video ? { video } : {}), ...(audio ? { audio } : {}), durationSec };
}

function splitLengthPrefixed(data: Uint8Array, lengthSize: number): Uint8Array[] {
  const out: Uint8Array[] = [];
  let o = 0;
  while (o + lengthSize <= data.length) {
    let n = 0;
    for (let k = 0; k < lengthSize; k++) n = n * 256 + (data[o + k] as number);
    o += lengthSize;
    if (n === 0 || o + n > data.length) break;
    out.push(data.subarray(o, o + n));
    o += n;
  }
  return out;
}
