// Cuts a stream of MediaMessages into fMP4 segments: one fragment per GOP, a new segment on the
// first keyframe after `segmentLengthMs` of media time, a new init when codec parameters change.
// Push-driven and free of I/O: `push(message)` returns the actions its owner performs in order.
//
// Timing rules:
// - nothing is written before the first video keyframe (audio before it is dropped);
// - cuts happen on video keyframes, by media time (the keyframes' pts), never by the wall clock;
// - audio samples whose dts falls before the GOP's end go in the GOP's fragment;
// - a sample's duration is the next sample's dts minus its own; the last one of a stream
//   (End, Discontinuity) repeats the previous duration;
// - memory stays bounded: a GOP longer than `maxFragmentMs` is split into several fragments,
//   and audio is written alone when video stalls for twice that;
// - dts is made strictly increasing per track by the smallest shift, which never accumulates,
//   so tracks stay in sync;
// - on the epoch timeline (the default; docs/architecture.md, Decode timeline) every decode
//   time is media time since the Unix epoch: each run (from a first keyframe to the next
//   discontinuity) places each track by the wall clock of its first sample and then follows
//   the source's timestamps unchanged, so a session stays continuous, a new session jumps
//   forward by the real gap, and nothing ever goes back before what was already written.
import type { MediaMessage, Sample, TrackInfo } from '../../types/media.ts';
import type { SegmentTrackSummary } from '../../types/segment.ts';
import { buildFragment, lengthPrefixedUnits, type TrackRun } from '../mp4/fragment.ts';
import { buildInitSegment } from '../mp4/init.ts';
import { sampleFlags } from '../mp4/sample-flags.ts';
import { describeTrack } from '../mp4/track-description.ts';
import type { TrackDescription } from '../mp4/types.ts';
import type { CloseReason, CutterAction, SegmentSummary } from './actions.ts';
import { initSegmentId } from './init-id.ts';

export interface SegmentCutterOptions {
  /** Minimum media time per segment; the cut happens on the next keyframe after it. */
  readonly segmentLengthMs: number;
  /**
   * A GOP longer than this is split into several fragments (without a keyframe in the later
   * ones) so memory stays bounded with cameras that send keyframes rarely. Default 10 s.
   */
  readonly maxFragmentMs?: number;
  /** Write a `prft` box (wall clock of the fragment) before each moof. Default true. */
  readonly producerReferenceTime?: boolean;
  /** Init segments get an mehd box to patch with the duration (whole-file recording). */
  readonly initWithDuration?: boolean;
  /**
   * `epoch` (default): tfdt = media time since the Unix epoch, one timeline for everything
   * this cutter writes (what an asset needs: concatenation, HLS and export line up).
   * `source`: the source's own media time (a local file starting near 0).
   */
  readonly decodeTimeline?: 'epoch' | 'source';
}

interface TrackState {
  info: TrackInfo;
  description: TrackDescription;
  /** Samples waiting for the next fragment (video: the current GOP). */
  pending: Sample[];
  lastDts: number | undefined;
  lastDuration: number | undefined;
  /** Ticks added to the source's dts/pts in this run (epoch timeline); undefined until its first sample. */
  offset: number | undefined;
  /** End (dts + duration) of the last sample written, on the output timeline; kept across runs. */
  endDts: number | undefined;
}

interface InitState {
  readonly id: string;
  readonly bytes: Uint8Array;
  readonly codecs: readonly string[];
}

interface TrackTotals {
  sampleCount: number;
  durationTicks: number;
}

interface OpenSegment {
  readonly sequence: number;
  readonly initId: string;
  readonly startDts: number;
  /** Presentation time of the first keyframe: segment length is measured between keyframes' pts. */
  readonly startPts: number;
  readonly startWallClockMs: number;
  readonly afterDiscontinuity: boolean;
  endDts: number;
  /** Latest wall clock of a video sample in the segment: bounds its end when no next keyframe gives it. */
  lastWallClockMs: number;
  byteSize: number;
  fragments: number;
  readonly totals: Map<number, TrackTotals>;
}

const DEFAULT_MAX_FRAGMENT_MS = 10_000;
/** Fallback durations when a track has only ever seen one sample. */
const DEFAULT_VIDEO_DURATION_S = 1 / 25;
const AAC_FRAME_SAMPLES = 1024;

/** MP4 track_ID for a source track id: sources count from 0, ISO-BMFF from 1. */
export function mp4TrackId(sourceTrackId: number): number {
  return sourceTrackId + 1;
}

export class SegmentCutter {
  private readonly segmentLengthMs: number;
  private readonly maxFragmentMs: number;
  private readonly withPrft: boolean;
  private readonly initWithDuration: boolean;
  private readonly epochTimeline: boolean;
  /** How far this run was pushed later so it does not overlap what was written (ms, all tracks). */
  private runShiftMs = 0;
  private readonly tracks = new Map<number, TrackState>();
  private readonly rejected = new Set<number>();
  private videoTrackId: number | undefined;
  /** Init of the tracks as announced; a segment opens with it. */
  private announcedInit: InitState | undefined;
  private lastEmittedInitId: string | undefined;
  private segment: OpenSegment | undefined;
  private started = false;
  /** Decode time (s) of the keyframe that started this run: earlier audio is dropped. */
  private runStartS = 0;
  /** Wall clock of that keyframe's decode time. */
  private runStartWallClockMs = 0;
  private nextAfterDiscontinuity = true;
  private segmentSequence = 0;
  /** End of the last closed segment: the next one never starts before it. */
  private lastEndWallClockMs = -Infinity;
  private fragmentSequence = 0;

  constructor(options: SegmentCutterOptions) {
    if (!(options.segmentLengthMs > 0)) throw new RangeError(`segmentLengthMs must be positive, got ${options.segmentLengthMs}`);
    this.segmentLengthMs = options.segmentLengthMs;
    this.maxFragmentMs = options.maxFragmentMs ?? DEFAULT_MAX_FRAGMENT_MS;
    this.withPrft = options.producerReferenceTime ?? true;
    this.initWithDuration = options.initWithDuration ?? false;
    this.epochTimeline = (options.decodeTimeline ?? 'epoch') === 'epoch';
  }

  /** True while a segment is open (between its open-segment and close-segment actions). */
  get segmentOpen(): boolean {
    return this.segment !== undefined;
  }

  push(message: MediaMessage): CutterAction[] {
    const out: CutterAction[] = [];
    switch (message.kind) {
      case 'track':
        this.onTrack(message, out);
        break;
      case 'sample':
        this.onSample(message, out);
        break;
      case 'discontinuity':
        this.stop('discontinuity', out);
        break;
      case 'end':
        this.stop('end', out);
        break;
    }
    return out;
  }

  private onTrack(info: TrackInfo, out: CutterAction[]): void {
    let description: TrackDescription;
    try {
      // ISO-BMFF track_ID 0 is reserved; sources number tracks from 0 (RTSP media index)
      description = { ...describeTrack(info), trackId: mp4TrackId(info.trackId) };
    } catch (e) {
      this.rejected.add(info.trackId);
      out.push({ type: 'track-rejected', trackId: info.trackId, message: (e as Error).message });
      return;
    }
    this.rejected.delete(info.trackId);
    const prev = this.tracks.get(info.trackId);
    if (prev) {
      prev.info = info;
      prev.description = description;
    } else {
      this.tracks.set(info.trackId, { info, description, pending: [], lastDts: undefined, lastDuration: undefined, offset: undefined, endDts: undefined });
    }
    if (info.mediaType === 'video' && this.videoTrackId === undefined) this.videoTrackId = info.trackId;
    const ordered = [...this.tracks.values()].sort((a, b) => a.info.trackId - b.info.trackId);
    const bytes = buildInitSegment(
      ordered.map((t) => t.description),
      { withDuration: this.initWithDuration },
    );
    this.announcedInit = { id: initSegmentId(bytes), bytes, codecs: ordered.map((t) => t.info.config.codecString) };
  }

  private onSample(input: Sample, out: CutterAction[]): void {
    const track = this.tracks.get(input.trackId);
    if (!track || this.rejected.has(input.trackId)) return;
    const isVideo = input.trackId === this.videoTrackId;
    const ts = track.info.timescale;

    if (!this.started) {
      if (!isVideo || !input.keyframe) return; // wait for the first video keyframe
      this.started = true;
      this.runStartS = input.dts / ts;
      // the keyframe's wall clock is that of its presentation; the run starts at its decode time
      this.runStartWallClockMs = input.wallClockMs - ((input.pts - input.dts) / ts) * 1000;
    } else if (!isVideo && (this.epochTimeline ? input.wallClockMs < this.runStartWallClockMs : input.dts / ts < this.runStartS)) {
      // audio from before the run's first keyframe (the session numbers each track's media
      // time from its own first frame: only the wall clock compares them)
      return;
    }

    const sample = this.monotonic(track, this.onTimeline(track, input, isVideo));

    if (isVideo) {
      const gop = track.pending;
      const first = gop[0];
      if (sample.keyframe && first) {
        this.flushFragment(sample.dts, out);
        this.maybeCut(sample, out);
      } else if (first && ((sample.dts - first.dts) / ts) * 1000 >= this.maxFragmentMs) {
        this.flushFragment(sample.dts, out); // a very long GOP: bound memory, keep the segment
      }
      if (!this.segment) this.openSegment(sample, out);
      const seg = this.segment!;
      if (sample.wallClockMs > seg.lastWallClockMs) seg.lastWallClockMs = sample.wallClockMs;
    } else if (this.segment) {
      // Video stalled while audio flows: write the audio alone rather than hold it all. (Twice
      // the fragment bound, so that in normal operation the video keyframe flushes first.)
      const first = track.pending[0];
      if (first && ((sample.dts - first.dts) / ts) * 1000 >= 2 * this.maxFragmentMs) this.flushFragment(undefined, out, true);
    }
    track.pending.push(sample);
  }

  /**
   * The sample on the output timeline. Epoch: the run's first sample of a track fixes its
   * offset from its wall clock (the clock of its pts), so tracks line up by wall clock; later
   * samples keep the source's spacing exactly. A run that would start before what this track
   * already wrote (a clock stepped back, a source whose media outran the wall clock) is pushed
   * later, and the whole run with it, so the tracks stay in step.
   */
  private onTimeline(track: TrackState, s: Sample, isVideo: boolean): Sample {
    if (!this.epochTimeline) return s;
    if (track.offset === undefined) {
      const ts = track.info.timescale;
      const wall = Number.isFinite(s.wallClockMs) ? s.wallClockMs : 0; // no clock: placed after what was written
      let offset = Math.round(((wall + this.runShiftMs) * ts) / 1000) - Math.round(s.pts);
      const behind = track.endDts === undefined ? 0 : track.endDts - (Math.round(s.dts) + offset);
      if (behind > 0) {
        offset += behind;
        if (isVideo) this.runShiftMs += (behind * 1000) / ts;
      }
      track.offset = offset;
    }
    const offset = track.offset;
    return { ...s, dts: s.dts + offset, pts: s.pts + offset };
  }

  /** Strictly increasing dts per track, by the smallest shift; pts moves with it. */
  private monotonic(track: TrackState, s: Sample): Sample {
    // Ticks are integers in the boxes; a source that computed them in floating point is rounded.
    if (!Number.isInteger(s.dts) || !Number.isInteger(s.pts)) s = { ...s, dts: Math.round(s.dts), pts: Math.round(s.pts) };
    const last = track.lastDts;
    if (last !== undefined && s.dts <= last) {
      const shift = last + 1 - s.dts;
      s = { ...s, dts: s.dts + shift, pts: s.pts + shift };
    }
    track.lastDts = s.dts;
    return s;
  }

  private maybeCut(keyframe: Sample, out: CutterAction[]): void {
    const seg = this.segment;
    if (!seg) return;
    if (this.announcedInit && this.announcedInit.id !== seg.initId) {
      this.closeSegment('codec-change', keyframe.wallClockMs, out);
      return;
    }
    const videoTs = this.tracks.get(this.videoTrackId!)!.info.timescale;
    // By presentation time: with leading pictures (H.265 CRA + RASL) the keyframes' decode
    // times are not evenly spaced, their presentation times are.
    if (((keyframe.pts - seg.startPts) / videoTs) * 1000 >= this.segmentLengthMs) {
      this.closeSegment('length', keyframe.wallClockMs, out);
    }
  }

  private openSegment(keyframe: Sample, out: CutterAction[]): void {
    const init = this.announcedInit!;
    if (init.id !== this.lastEmittedInitId) {
      out.push({ type: 'init', id: init.id, bytes: init.bytes, codecs: init.codecs });
      this.lastEmittedInitId = init.id;
    }
    const sequence = ++this.segmentSequence;
    // Segment names and the asset index are keyed by wall-clock start: they must never repeat
    // or run backwards, whatever the camera's or the host's clock did (CAMERA-QUIRKS: Clocks).
    const startWallClockMs = Math.max(keyframe.wallClockMs, this.lastEndWallClockMs);
    this.segment = {
      sequence,
      initId: init.id,
      startDts: keyframe.dts,
      startPts: keyframe.pts,
      endDts: keyframe.dts,
      startWallClockMs,
      afterDiscontinuity: this.nextAfterDiscontinuity,
      lastWallClockMs: keyframe.wallClockMs,
      byteSize: 0,
      fragments: 0,
      totals: new Map(),
    };
    this.nextAfterDiscontinuity = false;
    out.push({
      type: 'open-segment',
      sequence,
      initId: init.id,
      startWallClockMs,
      baseMediaDecodeTime: keyframe.dts,
      afterDiscontinuity: this.segment.afterDiscontinuity,
    });
  }

  private closeSegment(reason: CloseReason, endWallClockMs: number | undefined, out: CutterAction[]): void {
    const seg = this.segment;
    if (!seg) return;
    this.segment = undefined;
    const videoTs = this.tracks.get(this.videoTrackId!)!.info.timescale;
    const mediaDurationMs = ((seg.endDts - seg.startDts) / videoTs) * 1000;
    const tracks: SegmentTrackSummary[] = [];
    for (const [trackId, t] of [...seg.totals].sort((a, b) => a[0] - b[0])) {
      const st = this.tracks.get(trackId)!;
      tracks.push({
        trackId,
        mediaType: st.info.mediaType,
        codecString: st.info.config.codecString,
        sampleCount: t.sampleCount,
        durationMs: (t.durationTicks / st.info.timescale) * 1000,
      });
    }
    const byMedia = seg.startWallClockMs + Math.max(1, mediaDurationMs);
    // Without a next keyframe the end is start + media duration, but never later than the last
    // frame's own clock allows: media delivered faster than real time (a sped-up camera) must
    // not produce a recording that ends in the future.
    const lastFrameMs = ((this.tracks.get(this.videoTrackId!)!.lastDuration ?? 0) / videoTs) * 1000;
    const byClock = seg.lastWallClockMs + lastFrameMs;
    const fallbackEnd = byClock > seg.startWallClockMs ? Math.min(byMedia, byClock) : byMedia;
    const summary: SegmentSummary = {
      sequence: seg.sequence,
      initId: seg.initId,
      startWallClockMs: seg.startWallClockMs,
      // On a cut, the next segment's first keyframe gives the end exactly, so wall-clock ranges
      // meet; a wall clock that stepped backwards falls back to start + media duration.
      endWallClockMs: endWallClockMs !== undefined && endWallClockMs > seg.startWallClockMs ? endWallClockMs : fallbackEnd,
      mediaDurationMs,
      baseMediaDecodeTime: seg.startDts,
      afterDiscontinuity: seg.afterDiscontinuity,
      byteSize: seg.byteSize,
      fragments: seg.fragments,
      tracks,
      reason,
    };
    this.lastEndWallClockMs = summary.endWallClockMs;
    out.push({ type: 'close-segment', summary });
  }

  /** Flush what is pending, close the segment and wait for a fresh keyframe. */
  private stop(reason: 'discontinuity' | 'end', out: CutterAction[]): void {
    if (this.segment) this.flushFragment(undefined, out);
    this.closeSegment(reason, undefined, out);
    for (const t of this.tracks.values()) {
      t.pending = [];
      // The next run is placed afresh; on the source timeline it may start anywhere, even
      // earlier, while the epoch timeline keeps lastDts/endDts so it never goes back.
      if (!this.epochTimeline) {
        t.lastDts = undefined;
        t.endDts = undefined;
      }
      t.lastDuration = undefined;
      t.offset = undefined;
    }
    this.runShiftMs = 0;
    this.started = false;
    this.nextAfterDiscontinuity = true;
  }

  /**
   * Writes pending samples as one fragment: the video GOP up to `endDts` (the next keyframe's
   * dts, or undefined at the end of the stream) and the audio whose time is before it.
   */
  private flushFragment(endDts: number | undefined, out: CutterAction[], audioOnly = false): void {
    const seg = this.segment;
    if (!seg || this.videoTrackId === undefined) return;
    const video = this.tracks.get(this.videoTrackId)!;
    const endS = endDts === undefined ? Infinity : endDts / video.info.timescale;
    const runs: TrackRun[] = [];
    const others = [...this.tracks.values()].filter((t) => t !== video).sort((a, b) => a.info.trackId - b.info.trackId);
    const ordered = audioOnly ? others : [video, ...others];
    let firstVideo: Sample | undefined;
    for (const t of ordered) {
      const ts = t.info.timescale;
      let n = 0;
      while (n < t.pending.length && t.pending[n]!.dts / ts < endS) n++;
      if (n === 0) continue;
      const taken = t.pending.slice(0, n);
      const rest = t.pending.slice(n);
      t.pending = rest;
      const nextDts = t === video ? endDts : rest[0]?.dts;
      const run = this.trackRun(t, taken, nextDts);
      runs.push(run);
      const totals = seg.totals.get(t.info.trackId) ?? { sampleCount: 0, durationTicks: 0 };
      totals.sampleCount += taken.length;
      for (const s of run.samples) totals.durationTicks += s.duration;
      seg.totals.set(t.info.trackId, totals);
      if (t === video) {
        firstVideo = taken[0];
        const last = run.samples[run.samples.length - 1]!;
        seg.endDts = taken[taken.length - 1]!.dts + last.duration;
      }
    }
    if (runs.length === 0) return;
    const prft =
      this.withPrft && firstVideo
        ? { referenceTrackId: mp4TrackId(video.info.trackId), wallClockMs: firstVideo.wallClockMs, mediaTime: firstVideo.pts }
        : undefined;
    const fragment = buildFragment(++this.fragmentSequence, runs, prft);
    seg.byteSize += fragment.byteLength;
    seg.fragments++;
    out.push({ type: 'append', sequence: seg.sequence, chunks: fragment.chunks, byteLength: fragment.byteLength });
  }

  private trackRun(t: TrackState, samples: readonly Sample[], nextDts: number | undefined): TrackRun {
    const isVideo = t.description.kind === 'video';
    const payload = isVideo
      ? lengthPrefixedUnits(samples.map((s) => s.units))
      : { data: samples.flatMap((s) => s.units), sizes: samples.map((s) => s.units.reduce((n, u) => n + u.length, 0)) };
    const fallback = isVideo ? Math.round(t.info.timescale * DEFAULT_VIDEO_DURATION_S) : AAC_FRAME_SAMPLES;
    const fs = samples.map((s, i) => {
      const next = samples[i + 1]?.dts ?? nextDts;
      const duration = next !== undefined ? next - s.dts : (s.duration ?? t.lastDuration ?? fallback);
      t.lastDuration = duration;
      t.endDts = s.dts + duration;
      return { duration, size: payload.sizes[i]!, flags: sampleFlags(s.keyframe), compositionTimeOffset: s.pts - s.dts };
    });
    return { trackId: mp4TrackId(t.info.trackId), baseMediaDecodeTime: samples[0]!.dts, samples: fs, data: payload.data };
  }
}
