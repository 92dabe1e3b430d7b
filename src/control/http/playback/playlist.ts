// An HLS v7 media playlist over fMP4 segments (RFC 8216bis): one EXT-X-MAP per init segment,
// a PROGRAM-DATE-TIME per segment (wall clock, so a player can show and seek real time), and a
// DISCONTINUITY wherever the recording has a hole or the init segment changes. Every gap the
// recorder recorded (camera lost, recorder stopped or down, evicted, write failed) is also an
// EXT-X-DATERANGE with its reason (X-REASON), and a DISCONTINUITY even when the wall-clock
// labels around it nearly touch: the media timeline restarts after any such gap.
// Segments dated over each other (written by a recorder whose clock ran ahead, then recorded
// over by another) would give overlapping PROGRAM-DATE-TIMEs that no player can place: the
// one that starts inside a segment already listed is left out (one instant, one picture).
import type { PlaybackSegment, RecordedGap } from './source.ts';

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
  /** Gaps the recorder recorded in the playlist's window, with their reasons. */
  readonly gaps?: readonly RecordedGap[];
}

/** The DATERANGE CLASS of a recorded gap (reverse-DNS, as RFC 8216bis asks). */
export const GAP_DATERANGE_CLASS = 'dev.mediagraph.gap';

export function buildMediaPlaylist(input: PlaylistInput): string {
  const segs: PlaybackSegment[] = [];
  for (const s of [...input.segments].sort((a, b) => a.startMs - b.startMs)) {
    const last = segs[segs.length - 1];
    if (last && s.startMs < last.endMs - GAP_TOLERANCE_MS) continue;
    segs.push(s);
  }
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
  const gaps = [...(input.gaps ?? [])].sort((a, b) => a.startMs - b.startMs);
  let prev: PlaybackSegment | undefined;
  for (const s of segs) {
    const initChanged = prev === undefined || prev.initId !== s.initId;
    const before = prev;
    const recorded = before === undefined ? [] : gaps.filter((g) => g.startMs >= before.endMs - GAP_TOLERANCE_MS && g.endMs <= s.startMs + GAP_TOLERANCE_MS);
    for (const g of recorded) lines.push(dateRange(g));
    if (before !== undefined && (initChanged || recorded.length > 0 || s.startMs - before.endMs > GAP_TOLERANCE_MS)) lines.push('#EXT-X-DISCONTINUITY');
    if (initChanged) lines.push(`#EXT-X-MAP:URI="${input.initUri(s.initId)}"`);
    lines.push(`#EXT-X-PROGRAM-DATE-TIME:${new Date(s.startMs).toISOString()}`);
    lines.push(`#EXTINF:${(s.durationMs / 1000).toFixed(3)},`);
    lines.push(input.segmentUri(s));
    prev = s;
  }
  if (input.closed) lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

/** One recorded gap as an EXT-X-DATERANGE (its ID is stable: the same gap, the same ID). */
function dateRange(g: RecordedGap): string {
  const start = new Date(g.startMs).toISOString();
  const attrs = [
    `ID="gap-${g.startMs}-${g.endMs}"`,
    `CLASS="${GAP_DATERANGE_CLASS}"`,
    `START-DATE="${start}"`,
    `END-DATE="${new Date(g.endMs).toISOString()}"`,
    ...(g.reason ? [`X-REASON="${g.reason.replace(/[^a-z-]/g, '')}"`] : []),
  ];
  return `#EXT-X-DATERANGE:${attrs.join(',')}`;
}
