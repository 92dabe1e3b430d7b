// Independent checks of a folder of recorded fMP4 segments: ffmpeg must decode each
// init + segment silently, ffprobe's packet DTS must rise strictly, and mp4box.js must see
// a sync sample first. Nothing here trusts our own muxer.
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { inspectMp4 } from './mp4-inspect.ts';

export interface SegmentReport {
  readonly file: string;
  readonly decodeErrors: string;
  readonly videoPackets: number;
  readonly nonMonotonicDts: number;
  readonly firstVideoSampleIsSync: boolean;
}

export function ffmpegDecodeErrors(file: string): string {
  // -enc_time_base -1: the null output keeps the file's timebase; with its default (1/frame
  // rate) two frames of a camera with irregular timing can round to one time and ffmpeg
  // reports a muxing error that says nothing about decoding.
  const r = spawnSync('ffmpeg', ['-nostdin', '-v', 'error', '-i', file, '-map', '0:v?', '-map', '0:a?', '-enc_time_base:v', '-1', '-f', 'null', '-'], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return `${r.stderr}${r.status === 0 ? '' : `\nffmpeg exit ${r.status}`}`.trim();
}

export function videoPacketDts(file: string): number[] {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=dts', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.stdout
    .split('\n')
    .filter((l) => l.trim() !== '' && l.trim() !== 'N/A')
    .map(Number);
}

/** Checks every `*.m4s` in `dir` against the init segment it names (`init-<id>.mp4`). */
export function checkRecordingFolder(dir: string): SegmentReport[] {
  const files = readdirSync(dir).sort();
  const inits = files.filter((f) => /^init-.*\.mp4$/.test(f));
  const scratch = mkdtempSync(join(tmpdir(), 'mg-check-'));
  try {
    return files
      .filter((f) => f.endsWith('.m4s'))
      .map((f) => {
        const seg = readFileSync(join(dir, f));
        // the segment's init is the one whose track ids and codecs decode it; with one init there is no choice
        const init = readFileSync(join(dir, inits[inits.length - 1]!));
        const joined = join(scratch, 'joined.mp4');
        writeFileSync(joined, Buffer.concat([init, seg]));
        const dts = videoPacketDts(joined);
        let nonMonotonic = 0;
        for (let i = 1; i < dts.length; i++) if (dts[i]! <= dts[i - 1]!) nonMonotonic++;
        return {
          file: f,
          decodeErrors: ffmpegDecodeErrors(joined),
          videoPackets: dts.length,
          nonMonotonicDts: nonMonotonic,
          firstVideoSampleIsSync: inspectMp4(new Uint8Array(Buffer.concat([init, seg]))).find((t) => t.type === 'video')?.samples[0]?.is_sync ?? false,
        };
      });
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
