// An HLS v7 media playlist over fMP4 segments (RFC 8216bis): one EXT-X-MAP per init segment,
// a PROGRAM-DATE-TIME per segment (wall clock, so a player can show and seek real time), and a
// DISCONTINUITY wherever the recording has a hole or the init segment changes.
import type { PlaybackSegment } from './source.ts';

/** Holes shorter than this are clock jitter between adjacent segments, not gaps. */
export const GAP_TOLERANCE_MS = 500;

export interface PlaylistInput {
  readonly segments: readonly PlaybackSegment[];
  /** Closed: the range will not grow (EXT-X-ENDLIST, PLAYLIST-TYPE VOD). */
  readonly closed: boolean;
  /** URI of an init segment, relative to the playlist. */
  readonly initUri: (id: string) => string;
  /** URI of a segment, relative to the playlist. */
  readonly segmentUri: (segment: PlaybackSegment) => string;
}

export function buildMediaPlaylist(input: PlaylistInput): string {
  const segs = [...input.segments].sort((a, b) => a.startMs - b.startMs);
  const longest = segs.reduce((m, s) => Math.max(m, s.durationMs), 0);
  const lines = [
    '#EXTM3U',
    '#EXT-X-VERSION:7',
    // TARGETDURATION bounds every EXTINF rounded to the nearest integer.
    `#EXT-X-TARGETDURATION:${Math.max(1, Math.round(longest / 1000))}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-DISCONTINUITY-SEQUENCE:0',
    '#EXT-X-INDEPENDENT-SEGMENTS',
  ];
  if (input.closed) lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  let prev: PlaybackSegment | undefined;
  for (const s of segs) {
    const initChanged = prev === undefined || prev.initId !== s.initId;
    if (prev !== undefined && (initChanged || s.startMs - prev.endMs > GAP_TOLERANCE_MS)) lines.push('#EXT-X-DISCONTINUITY');
    if (initChanged) lines.push(`#EXT-X-MAP:URI="${input.initUri(s.initId)}"`);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startMs).toISOString()}`);
    lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`);
    lines.push(input.segmentUri(s));
    prev = s;
  }
  if (input.closed) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}
