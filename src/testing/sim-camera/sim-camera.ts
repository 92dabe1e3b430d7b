// A simulated IP camera: an MP4 demuxed once, looped forever as a live RTSP stream with
// continuous timestamps (pass k is offset by k × the file duration), paced by timers at
// `speed` × real time, RTCP sender reports mapping NTP to RTP time, late joiners starting at
// the next keyframe, and the RTSP server's camera quirks on demand.
import { randomBytes } from 'node:crypto';
import { startRtspServer, type RtspMediaSink, type RtspServer, type RtspServerQuirks } from '../../media/rtsp/io/rtsp-server.ts';
import { formatSdp } from '../../media/sdp/sdp.ts';
import { demuxMp4, type DemuxedAudio, type DemuxedFile, type DemuxedVideo } from './mp4-demux.ts';
import { createAudioPacketizer, createVideoPacketizer, type SimPacketizer } from './packetizers.ts';
import { buildSenderReport } from './sender-report.ts';

export interface SimulatedCameraQuirks extends RtspServerQuirks {
  /** Parameter sets repeated in-band before every keyframe (default true, as cameras do). */
  readonly inBandParameterSets?: boolean;
  /** Leave sprop-parameter-sets / sprop-vps/sps/pps out of the SDP. */
  readonly omitSprop?: boolean;
  /** Never send RTCP sender reports. */
  readonly noSenderReports?: boolean;
  /** Shift the NTP time in sender reports (a camera without NTP: years off). */
  readonly senderReportClockOffsetMs?: number;
  /** Add a G.711 µ-law track (silence) that recorders must skip without stopping video. */
  readonly g711Track?: boolean;
  /** First RTP timestamp of every track (default random; near 2^32 tests wrap-around). */
  readonly initialRtpTimestamp?: number;
  /** First RTP sequence number of every track (default random). */
  readonly initialSequenceNumber?: number;
}

export interface SimulatedCameraOptions {
  readonly file: string;
  readonly port?: number;
  readonly host?: '127.0.0.1';
  /** 1 = real time; N = media time advances N× faster than the wall clock. */
  readonly speed?: number;
  readonly auth?: {
    readonly username: string;
    readonly password: string;
    readonly scheme: 'basic' | 'digest';
    readonly algorithms?: readonly ('MD5' | 'SHA-256')[];
  };
  /** Served path (default `/live`). */
  readonly path?: string;
  readonly quirks?: SimulatedCameraQuirks;
  /** Wall-clock period of sender reports (default 1000 ms). */
  readonly senderReportIntervalMs?: number;
  /** Largest RTP payload (default 1200 bytes). */
  readonly maxPayloadSize?: number;
}

export interface SimulatedCameraStats {
  loops: number;
  videoFrames: number;
  audioFrames: number;
  rtpPackets: number;
  senderReports: number;
  clients: number;
}

export interface SimulatedCamera {
  /** rtsp://127.0.0.1:<port><path>, without credentials. */
  readonly url: string;
  readonly port: number;
  readonly server: RtspServer;
  readonly media: DemuxedFile;
  readonly stats: Readonly<SimulatedCameraStats>;
  /**
   * Simulates a camera reboot without dropping connections: every track gets a new RTP
   * timestamp base and sequence number, and a new SSRC unless `keepSsrc` (then it looks like
   * a clock jump).
   */
  reboot(opts?: { keepSsrc?: boolean }): void;
  close(): Promise<void>;
}

interface TrackState {
  readonly index: number;
  readonly clockRate: number;
  ssrc: number;
  baseTs: number;
  packetizer: SimPacketizer;
  packets: number;
  octets: number;
}

interface Client {
  readonly sink: RtspMediaSink;
  videoStarted: boolean;
}

const TICK_MS = 5;

export async function startSimulatedCamera(opts: SimulatedCameraOptions): Promise<SimulatedCamera> {
  const media = await demuxMp4(opts.file);
  const speed = opts.speed ?? 1;
  if (!(speed > 0)) throw new RangeError('speed must be > 0');
  const q = opts.quirks ?? {};
  const path = opts.path ?? '/live';
  const mtu = opts.maxPayloadSize ?? 1200;
  const stats: SimulatedCameraStats = { loops: 0, videoFrames: 0, audioFrames: 0, rtpPackets: 0, senderReports: 0, clients: 0 };
  const duration = media.durationSec;
  const tracks: TrackState[] = [];
  const sdpMedia: Parameters<typeof formatSdp>[0]['media'][number][] = [];
  const rand32 = () => randomBytes(4).readUInt32BE(0);
  const initialSeq = () => q.initialSequenceNumber ?? randomBytes(2).readUInt16BE(0);

  let videoTrack: TrackState | undefined;
  let audioTrack: TrackState | undefined;
  let g711Track: TrackState | undefined;
  const makeVideoPacketizer = (ssrc: number) =>
    createVideoPacketizer(media.video as DemuxedVideo, { payloadType: 96, ssrc, initialSequence: initialSeq(), maxPayloadSize: mtu });
  const makeAudioPacketizer = (ssrc: number) =>
    createAudioPacketizer(media.audio as DemuxedAudio, { payloadType: 97, ssrc, initialSequence: initialSeq(), maxPayloadSize: mtu });
  if (media.video) {
    const v = media.video;
    const packetizer = createVideoPacketizer(v, { payloadType: 96, ssrc: rand32(), initialSequence: initialSeq(), maxPayloadSize: mtu });
    videoTrack = {
      index: tracks.length,
      clockRate: 90000,
      ssrc: packetizer.ssrc,
      baseTs: q.initialRtpTimestamp ?? rand32(),
      packetizer,
      packets: 0,
      octets: 0,
    };
    tracks.push(videoTrack);
    sdpMedia.push({
      type: 'video',
      payloadType: 96,
      rtpmap: v.codec === 'h264' ? 'H264/90000' : 'H265/90000',
      fmtp: videoFmtp(v, q.omitSprop === true),
      control: `trackID=${videoTrack.index}`,
      framerate: frameRate(v),
    });
  }
  if (media.audio) {
    const a = media.audio;
    const packetizer = createAudioPacketizer(a, { payloadType: 97, ssrc: rand32(), initialSequence: initialSeq(), maxPayloadSize: mtu });
    audioTrack = {
      index: tracks.length,
      clockRate: a.sampleRate,
      ssrc: packetizer.ssrc,
      baseTs: q.initialRtpTimestamp ?? rand32(),
      packetizer,
      packets: 0,
      octets: 0,
    };
    tracks.push(audioTrack);
    sdpMedia.push({
      type: 'audio',
      payloadType: 97,
      rtpmap: `mpeg4-generic/${a.sampleRate}/${a.channels}`,
      fmtp: `streamtype=5;profile-level-id=1;mode=AAC-hbr;sizelength=13;indexlength=3;indexdeltalength=3;config=${hex(a.audioSpecificConfig)}`,
      control: `trackID=${audioTrack.index}`,
    });
  }
  if (q.g711Track) {
    const ssrc = rand32();
    let seq = initialSeq();
    const packetizer: SimPacketizer = {
      ssrc,
      packetize(units: readonly Uint8Array[], ts: number) {
        const payload = units[0] ?? new Uint8Array(0);
        const p = new Uint8Array(12 + payload.length);
        p[0] = 0x80;
        p[1] = 0x80 | 0;
        p[2] = seq >> 8;
        p[3] = seq & 0xff;
        new DataView(p.buffer).setUint32(4, ts >>> 0);
        new DataView(p.buffer).setUint32(8, ssrc);
        p.set(payload, 12);
        seq = (seq + 1) & 0xffff;
        return [p];
      },
    };
    g711Track = { index: tracks.length, clockRate: 8000, ssrc, baseTs: q.initialRtpTimestamp ?? rand32(), packetizer, packets: 0, octets: 0 };
    tracks.push(g711Track);
    sdpMedia.push({ type: 'audio', payloadType: 0, rtpmap: 'PCMU/8000', control: `trackID=${g711Track.index}` });
  }
  const sdp = formatSdp({
    sessionName: 'mediagraph simulated camera',
    attributes: [
      ['tool', 'mediagraph'],
      ['range', 'npt=now-'],
    ],
    media: sdpMedia,
  });

  const clients = new Set<Client>();
  const startMs = Date.now();
  const mediaSecAt = (ms: number) => ((ms - startMs) / 1000) * speed;
  const rtpAt = (t: TrackState, mediaSec: number) => (t.baseTs + Math.round(mediaSec * t.clockRate)) >>> 0;

  const send = (t: TrackState, packets: readonly Uint8Array[], isVideoKey?: boolean) => {
    for (const p of packets) {
      t.packets++;
      t.octets += p.length - 12;
    }
    stats.rtpPackets += packets.length;
    for (const c of clients) {
      if (!c.sink.tracks.has(t.index)) continue;
      if (t === videoTrack && !c.videoStarted) {
        if (!isVideoKey) continue;
        c.videoStarted = true;
      }
      for (const p of packets) c.sink.sendRtp(t.index, p);
    }
  };

  // Cursors: the next sample to send on each track, as (pass, index).
  const vCur = { pass: 0, i: 0 };
  const aCur = { pass: 0, i: 0 };
  const gCur = { n: 0 };
  const inBand = q.inBandParameterSets ?? true;
  const audioSamples = media.audio ? media.audio.samples.filter((s) => s.dts / (media.audio as DemuxedAudio).timescale < duration) : [];

  const tick = () => {
    const now = mediaSecAt(Date.now());
    if (media.video && videoTrack) {
      const v = media.video;
      for (;;) {
        if (vCur.i >= v.samples.length) {
          vCur.pass++;
          vCur.i = 0;
          stats.loops = Math.max(stats.loops, vCur.pass);
        }
        const s = v.samples[vCur.i] as DemuxedVideo['samples'][number];
        const dtsSec = vCur.pass * duration + (s.dts - (v.samples[0]?.dts ?? 0)) / v.timescale;
        if (dtsSec > now) break;
        const ptsSec = vCur.pass * duration + s.pts / v.timescale;
        const units = s.keyframe && inBand ? [...v.vps, ...v.sps, ...v.pps, ...s.nalus] : s.nalus;
        // With nobody watching, time still passes but nothing is packetized.
        if (clients.size > 0) send(videoTrack, videoTrack.packetizer.packetize(units, rtpAt(videoTrack, ptsSec)), s.keyframe);
        stats.videoFrames++;
        vCur.i++;
      }
    }
    if (media.audio && audioTrack && audioSamples.length > 0) {
      const a = media.audio;
      for (;;) {
        if (aCur.i >= audioSamples.length) {
          aCur.pass++;
          aCur.i = 0;
          if (!media.video) stats.loops = aCur.pass;
        }
        const s = audioSamples[aCur.i] as DemuxedAudio['samples'][number];
        const sec = aCur.pass * duration + s.dts / a.timescale;
        if (sec > now) break;
        if (clients.size > 0) send(audioTrack, audioTrack.packetizer.packetize([s.data], rtpAt(audioTrack, sec)));
        stats.audioFrames++;
        aCur.i++;
      }
    }
    if (g711Track) {
      // 20 ms of µ-law silence (0xff) per packet.
      for (;;) {
        const sec = gCur.n * 0.02;
        if (sec > now) break;
        if (clients.size > 0) send(g711Track, g711Track.packetizer.packetize([new Uint8Array(160).fill(0xff)], rtpAt(g711Track, sec)));
        gCur.n++;
      }
    }
  };

  const sendReports = () => {
    if (q.noSenderReports) return;
    const nowMs = Date.now();
    for (const t of tracks) {
      if (t.packets === 0) continue;
      const sr = buildSenderReport({
        // the camera's clock runs at media speed, so NTP↔RTP stays consistent at speed N
        ssrc: t.ssrc,
        unixMs: startMs + mediaSecAt(nowMs) * 1000 + (q.senderReportClockOffsetMs ?? 0),
        rtpTimestamp: rtpAt(t, mediaSecAt(nowMs)),
        packetCount: t.packets,
        octetCount: t.octets,
      });
      stats.senderReports++;
      for (const c of clients) if (c.sink.tracks.has(t.index)) c.sink.sendRtcp(t.index, sr);
    }
  };

  const tickTimer = setInterval(tick, TICK_MS);
  const srTimer = setInterval(sendReports, opts.senderReportIntervalMs ?? 1000);
  tickTimer.unref();
  srTimer.unref();

  let server: RtspServer;
  try {
    server = await startRtspServer({
      host: opts.host ?? '127.0.0.1',
      port: opts.port ?? 0,
      ...(opts.auth ? { auth: opts.auth } : {}),
      quirks: q,
      streams: (p) => (p === path.replace(/\/+$/, '') ? stream : undefined),
    });
  } catch (e) {
    clearInterval(tickTimer);
    clearInterval(srTimer);
    throw e;
  }

  const stream = {
    sdp,
    ssrcOf: (track: number) => tracks[track]?.ssrc,
    play(sink: RtspMediaSink) {
      const c: Client = { sink, videoStarted: false };
      clients.add(c);
      stats.clients = clients.size;
      // A first sender report right away, so receivers can anchor wall-clock time early.
      queueMicrotask(sendReports);
      return () => {
        clients.delete(c);
        stats.clients = clients.size;
      };
    },
  };

  return {
    url: server.url(path),
    port: server.port,
    server,
    media,
    stats,
    reboot(o = {}) {
      for (const t of tracks) {
        // A new base at least a minute away, so it cannot pass for jitter.
        t.baseTs = (t.baseTs + 60 * t.clockRate + (rand32() % (3600 * t.clockRate))) >>> 0;
        if (!o.keepSsrc) t.ssrc = rand32();
        t.packets = 0;
        t.octets = 0;
        if (t === videoTrack) t.packetizer = makeVideoPacketizer(t.ssrc);
        else if (t === audioTrack) t.packetizer = makeAudioPacketizer(t.ssrc);
      }
    },
    async close() {
      clearInterval(tickTimer);
      clearInterval(srTimer);
      clients.clear();
      await server.close();
    },
  };
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

function b64(b: Uint8Array): string {
  return Buffer.from(b).toString('base64');
}

function videoFmtp(v: DemuxedVideo, omitSprop: boolean): string {
  if (v.codec === 'h264') {
    const sps = v.sps[0];
    const pli = sps && sps.length >= 4 ? hex(sps.subarray(1, 4)) : '42e01f';
    const parts = ['packetization-mode=1', `profile-level-id=${pli}`];
    if (!omitSprop) parts.push(`sprop-parameter-sets=${[...v.sps, ...v.pps].map(b64).join(',')}`);
    return parts.join(';');
  }
  if (omitSprop) return 'profile-id=1';
  return [`sprop-vps=${v.vps.map(b64).join(',')}`, `sprop-sps=${v.sps.map(b64).join(',')}`, `sprop-pps=${v.pps.map(b64).join(',')}`].join(';');
}

function frameRate(v: DemuxedVideo): number | undefined {
  if (v.samples.length < 2 || v.duration <= 0) return undefined;
  return Math.round((v.samples.length / (v.duration / v.timescale)) * 100) / 100;
}
