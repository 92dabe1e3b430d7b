// Joins the RTSP client with the RTP layer and the depacketizers, producing MediaMessages:
// a TrackInfo per supported track (again when parameter sets change), then Samples with
// dts/pts in the track timescale, keyframe flags, NAL units as views and wall-clock times.
// Unsupported tracks (G.711, …) are not set up; they are reported as events, never errors.
//
// Timestamps: each track's media time starts at 0 with its first access unit's decode time,
// so dts/pts are small numbers; A/V alignment is carried by wallClockMs (RTCP SR anchored,
// never later than arrival).
import type { MediaMessage, TrackInfo, VideoCodecConfig, AudioCodecConfig } from '../../types/media.ts';
import { RtspClient, type RtspClientOptions, type RtspSessionInfo } from '../rtsp/io/rtsp-client.ts';
import { RtspError } from '../rtsp/errors.ts';
import { blankRtpPacket, readRtpPacket, type RtpPacket } from '../rtp/rtp-packet.ts';
import { parseRtcpCompound, buildReceiverReport } from '../rtp/rtcp.ts';
import { SequenceReorderer } from '../rtp/sequence-reorderer.ts';
import { TimestampUnwrapper } from '../rtp/timestamp-unwrapper.ts';
import { WallClockAnchor } from '../rtp/wall-clock-anchor.ts';
import { RtpReceiverStats } from '../rtp/receiver-stats.ts';
import type { AccessUnitOut } from '../rtp/depacketizer.ts';
import type { SdpMedia } from '../sdp/sdp.ts';
import { chooseTrackDecoder, type SessionTrackDecoder } from './track-decoders.ts';
import { DtsDeriver } from '../rtp/dts-deriver.ts';

export type MediaSessionEvent =
  | {
      readonly type: 'established';
      readonly sdp: string;
      readonly transport: string;
      readonly tracks: readonly { trackId: number; mediaType: 'video' | 'audio'; codec: string }[];
    }
  | { readonly type: 'track-skipped'; readonly mediaIndex: number; readonly mediaType: string; readonly encoding: string; readonly reason: string }
  | { readonly type: 'depacketize-errors'; readonly trackId: number; readonly codes: readonly string[]; readonly total: number }
  | { readonly type: 'sender-report'; readonly trackId: number; readonly verdict: 'accepted' | 'implausible' | 'no-packets-yet' };

export interface RtspMediaSessionOptions extends Omit<RtspClientOptions, 'selectMedia' | 'buildReceiverReport' | 'transientMedia'> {
  /** Packets a hole may wait for before it is declared lost (UDP; TCP never reorders). Default 64. */
  readonly reorderWindow?: number;
  /** Largest plausible |SR NTP − arrival| before the SR is ignored (default 10 min). */
  readonly maxClockSkewMs?: number;
}

export interface RtspMediaSessionHandlers {
  onMessage(msg: MediaMessage): void;
  /** Terminal failure after start() resolved. */
  onError?(err: RtspError): void;
  onEvent?(ev: MediaSessionEvent): void;
}

export interface RtspMediaSessionStats {
  rtpPackets: number;
  malformedPackets: number;
  lostPackets: number;
  videoFrames: number;
  keyframes: number;
  audioFrames: number;
  /** Access units dropped because the codec config was not known yet. */
  droppedBeforeConfig: number;
  /** Video frames dropped after a discontinuity until the track's next keyframe. */
  droppedAfterDiscontinuity: number;
  depacketizeErrors: number;
}

interface TrackRuntime {
  readonly trackId: number;
  readonly decoder: SessionTrackDecoder;
  reorderer: SequenceReorderer<{ packet: RtpPacket; arrivalMs: number }>;
  readonly unwrapper: TimestampUnwrapper;
  anchor: WallClockAnchor;
  stats: RtpReceiverStats;
  /** SSRC of the source being received; a change means the camera restarted. */
  ssrc: number | undefined;
  /** Extended timestamp of the last packet, to spot jumps. */
  lastExt: number;
  /** Last emitted dts (track timescale) and where the next timeline segment starts after a restart. */
  lastDts: number;
  restartBase: number;
  /** The session's discontinuity count when this (video) track last sent a keyframe. */
  keyframeAfterBreak: number;
  lastWallClockMs: number;
  readonly dts: DtsDeriver | undefined;
  /** Extended timestamp of the first access unit: media time 0. */
  origin: number;
  announced: string | undefined;
  lastLost: number;
  errorsReported: number;
}

const GATE_LIMIT = 1000;

export class RtspMediaSession {
  private client: RtspClient | undefined;
  private readonly tracks: TrackRuntime[] = [];
  /** Decoders chosen while selecting media, in set-up order. */
  private readonly chosen: SessionTrackDecoder[] = [];
  private stopped = false;
  /** Discontinuities emitted so far (any track). */
  private breaks = 0;
  /** Refilled for every RTP packet; copied only when the reorderer has to hold one. */
  private readonly scratch = blankRtpPacket();
  /**
   * Messages held until every track has announced its TrackInfo, so a segmenter sees all
   * tracks before the first sample. Bounded: a track that never gets a config (no SPS ever)
   * opens the gate after GATE_LIMIT messages.
   */
  private gate: MediaMessage[] | undefined = [];
  readonly stats: RtspMediaSessionStats = {
    rtpPackets: 0,
    malformedPackets: 0,
    lostPackets: 0,
    videoFrames: 0,
    keyframes: 0,
    audioFrames: 0,
    droppedBeforeConfig: 0,
    droppedAfterDiscontinuity: 0,
    depacketizeErrors: 0,
  };

  constructor(
    private readonly opts: RtspMediaSessionOptions,
    private readonly handlers: RtspMediaSessionHandlers,
  ) {}

  async start(): Promise<RtspSessionInfo> {
    const client = new RtspClient(
      {
        ...this.opts,
        // every payload byte the session keeps is copied by the depacketizers
        transientMedia: true,
        selectMedia: (media, mediaIndex) => this.select(media, mediaIndex),
        buildReceiverReport: (i) => this.receiverReport(i),
      },
      {
        onRtp: (i, bytes, t) => this.onRtp(i, bytes, t),
        onRtcp: (i, bytes, t) => this.onRtcp(i, bytes, t),
        onError: (e) => {
          if (!this.stopped) this.handlers.onError?.(e);
        },
      },
    );
    this.client = client;
    // Track runtimes are created in selection order, which is set-up order (trackIndex).
    const info = await client.start();
    if (this.tracks.length === 0) {
      await client.stop();
      throw new RtspError('unsupported', 'no supported track (H.264, H.265 or AAC) in the stream');
    }
    this.handlers.onEvent?.({
      type: 'established',
      sdp: info.sdpText,
      transport: info.transport,
      tracks: this.tracks.map((t) => ({ trackId: t.trackId, mediaType: t.decoder.mediaType, codec: t.decoder.codec })),
    });
    return info;
  }

  /** Stops the client (TEARDOWN), flushes held frames and emits End. Idempotent. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    await this.client?.stop();
    for (const t of this.tracks) {
      for (const au of t.decoder.depacketizer.flush()) this.onAccessUnit(t, au);
    }
    this.openGate();
    this.handlers.onMessage({ kind: 'end' });
  }

  private select(media: SdpMedia, mediaIndex: number): boolean {
    if (media.formats.length === 0 || !/RTP/i.test(media.protocol)) return false;
    const choice = chooseTrackDecoder(media);
    if (!choice.ok) {
      this.handlers.onEvent?.({ type: 'track-skipped', mediaIndex, mediaType: media.type, encoding: choice.encoding, reason: choice.reason });
      return false;
    }
    const d = choice.decoder;
    const trackId = this.tracks.length;
    this.tracks.push({
      trackId,
      decoder: d,
      reorderer: this.newReorderer(),
      unwrapper: new TimestampUnwrapper(),
      anchor: this.newAnchor(d.clockRate),
      stats: new RtpReceiverStats(d.clockRate),
      ssrc: undefined,
      lastExt: NaN,
      lastDts: NaN,
      restartBase: 0,
      keyframeAfterBreak: 0,
      lastWallClockMs: NaN,
      dts:
        d.mediaType === 'video'
          ? new DtsDeriver({ clockRate: d.clockRate, ...opt('reorderDepth', d.reorderDepth()), ...opt('frameDuration', frameDuration(d)) })
          : undefined,
      origin: NaN,
      announced: undefined,
      lastLost: 0,
      errorsReported: 0,
    });
    this.chosen.push(d);
    // With sprop parameter sets (or an audio config) in the SDP, announce the track now, so
    // every TrackInfo precedes the first sample of any track.
    const config = d.config();
    if (config) this.announce(this.tracks[trackId] as TrackRuntime, config);
    return true;
  }

  private newReorderer(): SequenceReorderer<{ packet: RtpPacket; arrivalMs: number }> {
    return new SequenceReorderer({ maxWait: this.opts.transport === 'udp' ? (this.opts.reorderWindow ?? 64) : 0 });
  }

  private newAnchor(clockRate: number): WallClockAnchor {
    return new WallClockAnchor({ clockRate, ...(this.opts.maxClockSkewMs !== undefined ? { maxSkewMs: this.opts.maxClockSkewMs } : {}) });
  }

  /**
   * The source restarted (new SSRC: camera reboot) or its clock jumped: finish what the old
   * source started, tell downstream, and continue the track's timeline one frame later so
   * media time stays monotonic within the session.
   */
  private restartTrack(t: TrackRuntime, reason: 'source-restart' | 'timestamp-jump', atMs: number): void {
    for (const au of t.decoder.depacketizer.flush()) this.onAccessUnit(t, au);
    this.breaks++;
    this.emit({
      kind: 'discontinuity',
      reason,
      atWallClockMs: atMs,
      ...(Number.isFinite(t.lastWallClockMs) ? { lastMediaWallClockMs: t.lastWallClockMs } : {}),
    });
    const step = t.decoder.mediaType === 'video' ? Math.round(90000 / (t.decoder.fps() ?? 25)) : 1024;
    t.restartBase = Number.isNaN(t.lastDts) ? t.restartBase : t.lastDts + step;
    t.origin = NaN;
    t.lastExt = NaN;
    t.unwrapper.reset();
    t.anchor = this.newAnchor(t.decoder.clockRate);
    t.stats = new RtpReceiverStats(t.decoder.clockRate);
    t.reorderer = this.newReorderer();
    t.lastLost = 0;
    t.dts?.reset();
  }

  private onRtp(trackIndex: number, bytes: Uint8Array, arrivalMs: number): void {
    const t = this.tracks[trackIndex];
    if (!t || this.stopped) return;
    const packet = this.scratch;
    if (readRtpPacket(bytes, packet) !== undefined) {
      this.stats.malformedPackets++;
      return;
    }
    this.stats.rtpPackets++;
    if (t.ssrc !== undefined && packet.ssrc !== t.ssrc) this.restartTrack(t, 'source-restart', arrivalMs);
    t.ssrc = packet.ssrc;
    t.stats.onRtp(packet.ssrc, packet.sequenceNumber, packet.timestamp, arrivalMs);
    if (t.reorderer.passThrough(packet.sequenceNumber)) {
      // in order (always, over TCP): no holding, so the scratch packet needs no copy
      this.onOrderedRtp(t, packet, arrivalMs);
    } else {
      // held until its turn: its own copy (the client's buffer is reused after this call)
      const released = t.reorderer.push(packet.sequenceNumber, { packet: { ...packet, payload: packet.payload.slice() }, arrivalMs });
      // The reorderer reuses its output array on its next push, which cannot happen inside this
      // loop (a restart replaces the reorderer, it does not push to it): no copy per packet.
      for (let k = 0, n = released.length; k < n; k++) {
        const r = released[k]!;
        this.onOrderedRtp(t, r.packet, r.arrivalMs);
      }
    }
    if (t.reorderer.lost !== t.lastLost) {
      this.stats.lostPackets += t.reorderer.lost - t.lastLost;
      t.lastLost = t.reorderer.lost;
    }
    const errs = t.decoder.depacketizer.errorCount;
    if (errs !== t.errorsReported) {
      this.stats.depacketizeErrors += errs - t.errorsReported;
      const codes = [...new Set(t.decoder.depacketizer.takeErrors().map((e) => e.code))];
      this.handlers.onEvent?.({ type: 'depacketize-errors', trackId: t.trackId, codes, total: errs });
      t.errorsReported = errs;
    }
  }

  /** One packet in sequence order. */
  private onOrderedRtp(t: TrackRuntime, p: RtpPacket, at: number): void {
    let ext = t.unwrapper.unwrap(p.timestamp);
    // More than 10 s either way between consecutive packets is a clock jump, not jitter.
    if (!Number.isNaN(t.lastExt) && Math.abs(ext - t.lastExt) > 10 * t.decoder.clockRate) {
      this.restartTrack(t, 'timestamp-jump', at);
      ext = t.unwrapper.unwrap(p.timestamp);
    }
    t.lastExt = ext;
    t.anchor.onPacket(ext, at);
    const aus = t.decoder.depacketizer.push(p, ext);
    for (let i = 0, n = aus.length; i < n; i++) this.onAccessUnit(t, aus[i]!);
  }

  private onRtcp(trackIndex: number, bytes: Uint8Array, arrivalMs: number): void {
    const t = this.tracks[trackIndex];
    if (!t) return;
    const r = parseRtcpCompound(bytes);
    if (!r.ok) return;
    for (const p of r.packets) {
      if (p.type !== 'sr') continue;
      t.stats.onSenderReport(p.ntpSeconds, p.ntpFraction, arrivalMs);
      const verdict = t.anchor.onSenderReport(p.ntpUnixMs, p.rtpTimestamp, arrivalMs);
      this.handlers.onEvent?.({ type: 'sender-report', trackId: t.trackId, verdict });
    }
  }

  private receiverReport(trackIndex: number): Uint8Array | undefined {
    const t = this.tracks[trackIndex];
    if (!t || t.stats.extendedHighestSeq === 0) return undefined;
    return buildReceiverReport(0x6d656469, [t.stats.reportBlock(Date.now())], 'mediagraph');
  }

  private onAccessUnit(t: TrackRuntime, au: AccessUnitOut): void {
    const config = t.decoder.config();
    if (!config) {
      this.stats.droppedBeforeConfig++;
      return;
    }
    // the config is compared (a hex key) only when it can have changed, not on every frame
    if ((t.announced === undefined || au.parameterSetsChanged) && configKey(config) !== t.announced) this.announce(t, config);
    if (t.decoder.mediaType === 'video' && t.dts) {
      // Wait for a keyframe before the first video sample: nothing before it can be decoded.
      if (Number.isNaN(t.origin) && !au.keyframe) {
        this.stats.droppedBeforeConfig++;
        return;
      }
      // A discontinuity is session-wide: when another track restarted first, this one may
      // still hand over a frame from before it. After a break video resumes at a keyframe.
      if (t.keyframeAfterBreak !== this.breaks) {
        if (!au.keyframe) {
          this.stats.droppedAfterDiscontinuity++;
          return;
        }
        t.keyframeAfterBreak = this.breaks;
      }
      const dts = t.dts.next(au.timestamp);
      // Media time 0 is the first decode time; the first pts sits the reorder delay later.
      if (Number.isNaN(t.origin)) t.origin = dts - this.unscale(t, t.restartBase);
      this.emitVideo(t, dts, au.timestamp, au, t.anchor.captureTimeMs(au.timestamp));
      return;
    }
    if (Number.isNaN(t.origin)) t.origin = au.timestamp - t.restartBase;
    const ts = this.scale(t, au.timestamp - t.origin);
    this.stats.audioFrames++;
    t.lastDts = ts;
    t.lastWallClockMs = t.anchor.captureTimeMs(au.timestamp);
    this.emit({
      kind: 'sample',
      trackId: t.trackId,
      dts: ts,
      pts: ts,
      keyframe: true,
      units: au.units,
      wallClockMs: t.lastWallClockMs,
    });
  }

  private emit(m: MediaMessage): void {
    if (!this.gate) {
      this.handlers.onMessage(m);
      return;
    }
    this.gate.push(m);
    if (this.tracks.every((t) => t.announced !== undefined) || this.gate.length >= GATE_LIMIT) this.openGate();
  }

  private openGate(): void {
    const held = this.gate;
    if (!held) return;
    this.gate = undefined;
    const infos = held.filter((m): m is TrackInfo => m.kind === 'track').sort((a, b) => a.trackId - b.trackId);
    for (const m of infos) this.handlers.onMessage(m);
    for (const m of held) if (m.kind !== 'track') this.handlers.onMessage(m);
  }

  private announce(t: TrackRuntime, config: VideoCodecConfig | AudioCodecConfig): void {
    t.announced = configKey(config);
    t.dts?.configure(t.decoder.reorderDepth(), frameDuration(t.decoder));
    const fps = t.decoder.fps();
    const info: TrackInfo = {
      kind: 'track',
      trackId: t.trackId,
      mediaType: t.decoder.mediaType,
      timescale: t.decoder.mediaType === 'video' ? 90000 : t.decoder.clockRate,
      config,
      ...(fps !== undefined ? { fps } : {}),
    };
    this.emit(info);
  }

  private emitVideo(t: TrackRuntime, dtsExt: number, ptsExt: number, au: AccessUnitOut, wallClockMs: number): void {
    this.stats.videoFrames++;
    if (au.keyframe) this.stats.keyframes++;
    t.lastDts = this.scale(t, dtsExt - t.origin);
    t.lastWallClockMs = wallClockMs;
    this.emit({
      kind: 'sample',
      trackId: t.trackId,
      dts: this.scale(t, dtsExt - t.origin),
      pts: this.scale(t, ptsExt - t.origin),
      keyframe: au.keyframe,
      units: au.units,
      wallClockMs,
    });
  }

  private unscale(t: TrackRuntime, ticks: number): number {
    if (t.decoder.mediaType === 'video' && t.decoder.clockRate !== 90000) return Math.round((ticks * t.decoder.clockRate) / 90000);
    return ticks;
  }

  /** RTP clock ticks → track timescale ticks (video is always 90 kHz). */
  private scale(t: TrackRuntime, ticks: number): number {
    if (t.decoder.mediaType === 'video' && t.decoder.clockRate !== 90000) return Math.round((ticks * 90000) / t.decoder.clockRate);
    return ticks;
  }
}

function configKey(c: VideoCodecConfig | AudioCodecConfig): string {
  if (c.codec === 'aac') return `aac:${hex(c.audioSpecificConfig)}`;
  return `${c.codec}:${[...c.vps, ...c.sps, ...c.pps].map(hex).join('/')}`;
}

function hex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s;
}

function frameDuration(d: SessionTrackDecoder): number | undefined {
  const fps = d.fps();
  return fps !== undefined && fps > 0 ? d.clockRate / fps : undefined;
}

function opt<K extends string>(key: K, v: number | undefined): { [P in K]?: number } {
  return (v === undefined ? {} : { [key]: v }) as { [P in K]?: number };
}
