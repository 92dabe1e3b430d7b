// Cuts one continuous run of stored fragments (one init, no gap) to [from, to) as a
// progressive MP4: starts at the video keyframe at or before `from`, lets the edit list hide
// the frames before `from`, drops the samples after `to`, and writes the kept sample bytes to
// a payload file. Plain async functions over byte readers: no storage or RxJS here.
import { open } from 'node:fs/promises';
import { readInitForRemux, type InitTrackForRemux } from '../../media/mp4/read-init-tracks.ts';
import { readSegmentSamples, type StoredSample } from '../../media/mp4/read-samples.ts';
import { buildProgressiveHeader, type Edit, type ProgressiveChunk, type ProgressiveSample } from '../../media/mp4/progressive.ts';

export interface RunSegment {
  readonly name: string;
  readonly startMs: number;
  readonly endMs: number;
}

export interface CutRunInput {
  /** The run's segments in time order; those before `fromMs` are only searched for a keyframe. */
  readonly segments: readonly RunSegment[];
  readonly readInit: () => Promise<Uint8Array>;
  readonly readSegment: (s: RunSegment) => Promise<Uint8Array>;
  readonly fromMs: number;
  readonly toMs: number;
  /** Where the mdat payload is written (created or truncated). */
  readonly payloadPath: string;
}

export interface CutRun {
  /** First presented instant (Unix ms): the pts of the frame on screen at `fromMs` (≤ it, by less than a frame), or later when the run starts later. */
  readonly startMs: number;
  /** Just past the last presented instant. */
  readonly endMs: number;
  /** Decode start: the keyframe the file begins with (≤ startMs). */
  readonly keyframeMs: number;
  /** True when no keyframe at or before `fromMs` was recorded in the run, so the file starts later. */
  readonly noKeyframeBefore: boolean;
  /** ftyp + moov + mdat header, to be written before the payload. */
  readonly header: Uint8Array;
  readonly payloadBytes: number;
}

interface Parsed {
  readonly bytes: Uint8Array;
  readonly samples: readonly StoredSample[];
}

interface TrackCut {
  readonly track: InitTrackForRemux;
  readonly samples: ProgressiveSample[];
  readonly chunks: ProgressiveChunk[];
  firstDts: number | undefined;
  firstPts: number;
  endPts: number;
}

// Epoch times in ticks (~1.6e14 at 90 kHz) are exact doubles, but ticks × 1000 is not (past
// 2^53): convert whole seconds and the remainder apart.
const toTicks = (ms: number, timescale: number): number => Math.floor(ms / 1000) * timescale + Math.round(((ms % 1000) * timescale) / 1000);
const toMs = (ticks: number, timescale: number): number => Math.floor(ticks / timescale) * 1000 + ((ticks % timescale) * 1000) / timescale;

export async function cutRun(input: CutRunInput): Promise<CutRun | undefined> {
  const init = readInitForRemux(await input.readInit());
  const video = init.tracks.find((t) => t.handler === 'vide')!;
  const parsed = new Map<number, Parsed>();
  const parse = async (i: number): Promise<Parsed> => {
    let p = parsed.get(i);
    if (!p) {
      const bytes = await input.readSegment(input.segments[i]!);
      p = { bytes, samples: readSegmentSamples(bytes, init.defaults) };
      parsed.set(i, p);
    }
    return p;
  };

  // The keyframe at or before `from`: search back from the segment holding `from`.
  const fromV = toTicks(input.fromMs, video.timescale);
  let at = input.segments.findLastIndex((s) => s.startMs <= input.fromMs);
  let start: { segment: number; sample: StoredSample } | undefined;
  for (let i = Math.max(at, 0); i >= 0 && !start; i--) {
    const key = (await parse(i)).samples.findLast((s) => s.trackId === video.trackId && s.sync && s.dts + s.cto <= fromV);
    if (key) start = { segment: i, sample: key };
  }
  let noKeyframeBefore = false;
  if (!start) {
    // Nothing decodable at `from`: begin at the first keyframe after it.
    for (let i = Math.max(at, 0); i < input.segments.length && !start; i++) {
      const key = (await parse(i)).samples.find((s) => s.trackId === video.trackId && s.sync && s.dts + s.cto > fromV);
      if (key) start = { segment: i, sample: key };
    }
    if (!start) return undefined;
    noKeyframeBefore = input.segments[0]!.startMs <= input.fromMs;
  }
  const keyPts = start.sample.dts + start.sample.cto;
  // Presentation starts at the frame on screen at `from` (its own pts, up to one frame before
  // `from`), not inside it: ffmpeg drops a frame the edit list starts inside of, so the
  // first frame shown would be the next one.
  let startPts = keyPts;
  if (!noKeyframeBefore) {
    for (let i = start.segment; i <= Math.max(at, start.segment); i++) {
      for (const s of (await parse(i)).samples) {
        if (s.trackId !== video.trackId || (i === start.segment && s.dts < start.sample.dts)) continue;
        const pts = s.dts + s.cto;
        if (pts <= fromV && pts > startPts) startPts = pts;
      }
    }
  }
  at = start.segment;
  const startMs = toMs(startPts, video.timescale);

  const cuts = new Map<number, TrackCut>(
    init.tracks.map((track) => [track.trackId, { track, samples: [], chunks: [], firstDts: undefined, firstPts: Infinity, endPts: -Infinity }]),
  );
  const payload = await open(input.payloadPath, 'w');
  let payloadBytes = 0;
  try {
    for (let i = at; i < input.segments.length && input.segments[i]!.startMs < input.toMs; i++) {
      const { bytes, samples } = await parse(i);
      parsed.delete(i);
      // The last video sample needed before `to`, in decode order: a reference frame shown
      // after `to` is kept when a frame shown before it depends on it; the rest is dropped.
      const toV = toTicks(input.toMs, video.timescale);
      const lastNeededDts = Math.max(-1, ...samples.filter((s) => s.trackId === video.trackId && s.dts + s.cto < toV).map((s) => s.dts));
      const parts: Uint8Array[] = [];
      let lastTrack = -1;
      for (const s of samples) {
        const cut = cuts.get(s.trackId);
        if (!cut) continue;
        const ts = cut.track.timescale;
        const pts = s.dts + s.cto;
        const keep =
          cut.track === video
            ? (i > at || s.dts >= start.sample.dts) && s.dts <= lastNeededDts
            : pts + s.duration > toTicks(startMs, ts) && pts < toTicks(input.toMs, ts);
        if (!keep) {
          lastTrack = -1;
          continue;
        }
        cut.firstDts ??= s.dts;
        cut.firstPts = Math.min(cut.firstPts, pts);
        cut.endPts = Math.max(cut.endPts, pts + s.duration);
        cut.samples.push({ duration: s.duration, size: s.size, cto: s.cto, sync: s.sync });
        const chunk = cut.chunks[cut.chunks.length - 1];
        if (lastTrack === s.trackId && chunk) cut.chunks[cut.chunks.length - 1] = { ...chunk, sampleCount: chunk.sampleCount + 1 };
        else cut.chunks.push({ payloadOffset: payloadBytes, sampleCount: 1 });
        lastTrack = s.trackId;
        parts.push(bytes.subarray(s.offset, s.offset + s.size));
        payloadBytes += s.size;
      }
      if (parts.length) await payload.write(Buffer.concat(parts));
    }
  } finally {
    await payload.close();
  }

  const videoCut = cuts.get(video.trackId)!;
  if (videoCut.samples.length === 0) return undefined;
  const endMs = Math.min(input.toMs, toMs(videoCut.endPts, video.timescale));
  const tracks = [...cuts.values()]
    .filter((c) => c.samples.length > 0)
    .map((c) => {
      const edits = editsFor(c, startMs, endMs);
      return { ...c.track, samples: c.samples, chunks: c.chunks, edits };
    })
    .filter((t) => t.edits.length > 0);
  const header = buildProgressiveHeader(tracks, { startMs, payloadBytes });
  return { startMs, endMs, keyframeMs: toMs(keyPts, video.timescale), noKeyframeBefore, header, payloadBytes };
}

/** The edit list that shows [startMs, min(endMs, track end)) of a track (an empty edit first if it starts later). */
function editsFor(c: TrackCut, startMs: number, endMs: number): Edit[] {
  const ts = c.track.timescale;
  const firstDts = c.firstDts!;
  const trackEnd = Math.min(endMs, toMs(c.endPts, ts));
  const firstMs = toMs(c.firstPts, ts);
  const edits: Edit[] = [];
  let shownFrom = startMs;
  if (firstMs > startMs) {
    const gap = Math.round(firstMs - startMs);
    if (gap > 0) edits.push({ durationMs: gap, mediaTime: -1 });
    shownFrom = firstMs;
  }
  const duration = Math.round(trackEnd - startMs) - edits.reduce((s, e) => s + e.durationMs, 0);
  if (duration <= 0) return [];
  edits.push({ durationMs: duration, mediaTime: Math.max(0, toTicks(shownFrom, ts) - firstDts) });
  return edits;
}
