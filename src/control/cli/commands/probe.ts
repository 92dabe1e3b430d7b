// `mediagraph probe <url>`: connects, plays for a few seconds and reports what the camera
// sends (codecs, resolution, frame rate, frame counts, loss). Errors say what to fix.
import { RtspMediaSession, type MediaSessionEvent } from '../../../media/session/rtsp-media-session.ts';
import { RtspError, type RtspErrorCode } from '../../../media/rtsp/errors.ts';
import { redactText, redactUrl } from '../../../media/rtsp/headers/url.ts';
import type { TlsOptions } from '../../../media/rtsp/io/connection.ts';
import type { MediaMessage, TrackInfo } from '../../../types/media.ts';

export type ProbeTrack =
  | { codec: 'h264' | 'h265'; profile: string; width: number; height: number; fps: number | null }
  | { codec: 'aac'; sampleRate: number; channels: number };

export interface ProbeResult {
  tracks: ProbeTrack[];
  videoFrames: number;
  keyframes: number;
  audioFrames: number;
  lostPackets: number;
  /** Tracks the stream has but mediagraph cannot record (e.g. G.711), with the reason. */
  skippedTracks: { mediaType: string; encoding: string; reason: string }[];
}

export interface ProbeOptions {
  seconds: number;
  transport?: 'tcp' | 'udp' | 'http';
  username?: string;
  password?: string;
  /** Deadline per RTSP request, ms (default 10 000). */
  requestTimeoutMs?: number;
  tls?: TlsOptions;
}

export type ProbeErrorCode = 'auth-failed' | 'unreachable' | 'not-found' | 'unsupported-codec' | 'timeout' | 'no-media' | 'protocol';

export class ProbeError extends Error {
  override readonly name = 'ProbeError';
  constructor(
    readonly code: ProbeErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

function toProbeError(e: unknown, url: string, password: string | undefined): ProbeError {
  const where = redactUrl(url);
  if (!(e instanceof RtspError)) {
    const m = e instanceof Error ? e.message : String(e);
    return new ProbeError('protocol', redactText(`probe of ${where} failed: ${m}`, [password]));
  }
  const detail = redactText(e.message, [password]);
  const map: Record<RtspErrorCode, [ProbeErrorCode, string]> = {
    'auth-failed': ['auth-failed', `authentication failed for ${where}: check the user name and password`],
    'not-found': ['not-found', `stream not found (404) at ${where}: check the path`],
    unreachable: ['unreachable', `cannot reach ${where}: check the host, port and network`],
    timeout: ['timeout', `${where} did not answer in time`],
    'media-timeout': ['no-media', `${where} accepted the session but sent no media`],
    unsupported: ['unsupported-codec', `${where} offers nothing mediagraph can record`],
    protocol: ['protocol', `RTSP protocol error with ${where}`],
    closed: ['protocol', `session with ${where} was closed`],
  };
  const [code, text] = map[e.code];
  return new ProbeError(code, `${text} (${detail})`, e.status);
}

export async function probe(url: string, opts: ProbeOptions): Promise<ProbeResult> {
  const infos = new Map<number, TrackInfo>();
  const pts = new Map<number, { first: number; last: number; n: number }>();
  const skipped: ProbeResult['skippedTracks'] = [];
  let failure: RtspError | undefined;
  const session = new RtspMediaSession(
    {
      url,
      ...(opts.transport ? { transport: opts.transport } : {}),
      ...(opts.username !== undefined ? { username: opts.username } : {}),
      ...(opts.password !== undefined ? { password: opts.password } : {}),
      ...(opts.tls ? { tls: opts.tls } : {}),
      requestTimeoutMs: opts.requestTimeoutMs ?? 10_000,
      // Silence must be noticed inside the probe window, not race with its end.
      mediaTimeoutMs: Math.round(Math.max(1000, Math.min(10_000, opts.seconds * 600))),
    },
    {
      onMessage: (m: MediaMessage) => {
        if (m.kind === 'track') infos.set(m.trackId, m);
        else if (m.kind === 'sample' && infos.get(m.trackId)?.mediaType === 'video') {
          const p = pts.get(m.trackId);
          if (!p) pts.set(m.trackId, { first: m.pts, last: m.pts, n: 1 });
          else {
            p.first = Math.min(p.first, m.pts);
            p.last = Math.max(p.last, m.pts);
            p.n++;
          }
        }
      },
      onError: (e) => {
        failure = e;
      },
      onEvent: (e: MediaSessionEvent) => {
        if (e.type === 'track-skipped') skipped.push({ mediaType: e.mediaType, encoding: e.encoding, reason: e.reason });
      },
    },
  );
  try {
    await session.start();
  } catch (e) {
    throw toProbeError(e, url, opts.password);
  }
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const poll = setInterval(() => {
      if (failure || Date.now() - started >= opts.seconds * 1000) {
        clearInterval(poll);
        resolve();
      }
    }, 20);
  });
  await session.stop();
  if (failure) throw toProbeError(failure, url, opts.password);
  if (session.stats.rtpPackets === 0) {
    throw new ProbeError('no-media', `${redactUrl(url)} accepted the session but sent no media in ${opts.seconds} s`);
  }
  const tracks: ProbeTrack[] = [];
  for (const [id, info] of [...infos].sort((a, b) => a[0] - b[0])) {
    const c = info.config;
    if (c.codec === 'aac') {
      tracks.push({ codec: 'aac', sampleRate: c.sampleRate, channels: c.channels });
    } else {
      const p = pts.get(id);
      const observed = p && p.n > 1 && p.last > p.first ? ((p.n - 1) * 90000) / (p.last - p.first) : undefined;
      const fps = info.fps ?? observed;
      tracks.push({ codec: c.codec, profile: c.profile, width: c.width, height: c.height, fps: fps === undefined ? null : Math.round(fps * 100) / 100 });
    }
  }
  const s = session.stats;
  return { tracks, videoFrames: s.videoFrames, keyframes: s.keyframes, audioFrames: s.audioFrames, lostPackets: s.lostPackets, skippedTracks: skipped };
}

export function formatProbeTable(r: ProbeResult): string {
  const rows: string[][] = [['track', 'codec', 'details']];
  r.tracks.forEach((t, i) => {
    if (t.codec === 'aac') rows.push([String(i), 'aac', `${t.sampleRate} Hz, ${t.channels} ch`]);
    else rows.push([String(i), t.codec, `${t.profile}, ${t.width}x${t.height}${t.fps !== null ? `, ${t.fps} fps` : ''}`]);
  });
  for (const s of r.skippedTracks) rows.push(['-', s.encoding, `skipped: ${s.reason}`]);
  const widths = rows[0]?.map((_, c) => Math.max(...rows.map((row) => (row[c] ?? '').length))) ?? [];
  const line = (row: string[]) =>
    row
      .map((cell, c) => cell.padEnd(widths[c] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [line(rows[0] ?? []), ...rows.slice(1).map(line)];
  out.push('', `video frames ${r.videoFrames}, keyframes ${r.keyframes}, audio frames ${r.audioFrames}, lost packets ${r.lostPackets}`);
  return out.join('\n');
}
