// Synthetic media streams for segmenter tests: real codec configs (from the committed fixtures,
// so these tests need no ffmpeg) with small made-up payloads and exact, controllable timing.
import type { Discontinuity, End, MediaMessage, Sample, TrackInfo } from '../../src/types/media.ts';
import { demuxFixture } from './mp4-fixtures.ts';

export const T0_WALL = Date.UTC(2026, 0, 1, 12);

export function videoTrack(fixture = 'h264-main-aac.mp4', trackId = 1): TrackInfo {
  const t = demuxFixture(fixture).tracks.find((x) => x.mediaType === 'video')!;
  return { ...t, trackId };
}

export function audioTrack(trackId = 2): TrackInfo {
  const t = demuxFixture('h264-main-aac.mp4').tracks.find((x) => x.mediaType === 'audio')!;
  return { ...t, trackId };
}

export interface StreamShape {
  /** Seconds of media. */
  readonly seconds: number;
  readonly fps?: number;
  /** Frames per GOP. */
  readonly gop?: number;
  readonly audio?: boolean;
  /** Video dts of the first frame (90 kHz). */
  readonly startDts?: number;
  /** Add B-frames: pts = dts + 2 frames. */
  readonly bFrames?: boolean;
}

/** Video (and audio) samples interleaved by time, as a live source would deliver them. */
export function stream(shape: StreamShape): Sample[] {
  const fps = shape.fps ?? 25;
  const gop = shape.gop ?? 25;
  const frame = 90000 / fps;
  const start = shape.startDts ?? 0;
  const out: { t: number; s: Sample }[] = [];
  const frames = Math.round(shape.seconds * fps);
  for (let i = 0; i < frames; i++) {
    const dts = start + i * frame;
    const pts = dts + (shape.bFrames ? 2 * frame : 0);
    out.push({
      t: i / fps,
      s: {
        kind: 'sample',
        trackId: 1,
        dts,
        pts,
        keyframe: i % gop === 0,
        units: [new Uint8Array([0x65, i & 0xff, 1, 2])],
        wallClockMs: T0_WALL + ((pts - start) / 90000) * 1000,
      },
    });
  }
  if (shape.audio) {
    const aStart = Math.round((start / 90000) * 48000);
    const n = Math.floor((shape.seconds * 48000) / 1024);
    for (let k = 0; k < n; k++) {
      const dts = aStart + k * 1024;
      out.push({
        t: (k * 1024) / 48000,
        s: {
          kind: 'sample',
          trackId: 2,
          dts,
          pts: dts,
          keyframe: true,
          units: [new Uint8Array([0x21, k & 0xff])],
          wallClockMs: T0_WALL + ((k * 1024) / 48000) * 1000,
        },
      });
    }
  }
  return out.sort((a, b) => a.t - b.t || a.s.trackId - b.s.trackId).map((x) => x.s);
}

export const END: End = { kind: 'end' };
export const discontinuity = (atWallClockMs = T0_WALL): Discontinuity => ({ kind: 'discontinuity', reason: 'reconnect', atWallClockMs });
export type { MediaMessage };
