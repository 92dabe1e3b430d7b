// Independent checks of what we write: mp4box.js for structure and timing, ffmpeg for decoding.
import { spawnSync } from 'node:child_process';
import { createFile } from 'mp4box';

/** `offset`: where the sample's data starts in the buffer given to inspectMp4. */
export interface InspectedSample {
  dts: number;
  cts: number;
  duration: number;
  is_sync: boolean;
  size: number;
  offset: number;
}
export interface InspectedTrack {
  id: number;
  codec: string;
  timescale: number;
  type: 'video' | 'audio' | 'other';
  samples: InspectedSample[];
}

/** Parses a whole (init + fragments) buffer with mp4box.js and lists each track's samples. */
export function inspectMp4(bytes: Uint8Array): InspectedTrack[] {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer & { fileStart: number };
  ab.fileStart = 0;
  const file = createFile();
  let tracks: { id: number; codec: string; timescale: number; video?: unknown; audio?: unknown }[] | undefined;
  file.onReady = (info) => {
    tracks = info.tracks as unknown as typeof tracks;
  };
  file.onError = (module: string, message: string) => {
    throw new Error(`mp4box: ${module}: ${message}`);
  };
  file.appendBuffer(ab as never, true);
  file.flush();
  if (!tracks) throw new Error('mp4box found no moov');
  return tracks.map((t) => ({
    id: t.id,
    codec: t.codec,
    timescale: t.timescale,
    type: t.video ? 'video' : t.audio ? 'audio' : 'other',
    samples: file.getTrackSamplesInfo(t.id).map((s) => ({ dts: s.dts, cts: s.cts, duration: s.duration, is_sync: s.is_sync, size: s.size, offset: s.offset })),
  }));
}

/** `ffmpeg -v error -i file -f null -`: returns what ffmpeg printed (empty when clean) and its status. */
export function ffmpegDecode(path: string): { status: number | null; stderr: string } {
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', path, '-map', '0:v?', '-map', '0:a?', '-f', 'null', '-'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { status: r.status, stderr: r.stderr.trim() };
}

/** Frames counted by ffprobe per stream type. */
export function ffprobeFrames(path: string): { video: number; audio: number } {
  const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,nb_read_packets', '-of', 'csv=p=0', path], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  const out = { video: 0, audio: 0 };
  for (const line of r.stdout.trim().split('\n')) {
    const [type, n] = line.split(',');
    if (type === 'video' || type === 'audio') out[type] += Number(n);
  }
  return out;
}
