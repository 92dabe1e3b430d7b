// The playlist is one timeline: PROGRAM-DATE-TIMEs never overlap (segments dated over each
// other, as a recorder whose clock ran ahead left them, keep the first), and a hole between
// segments is an EXT-X-DISCONTINUITY.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMediaPlaylist, GAP_TOLERANCE_MS } from '../../src/control/http/playback/playlist.ts';
import type { PlaybackSegment } from '../../src/control/http/playback/source.ts';

const T0 = Date.UTC(2026, 0, 1);
const seg = (fromS: number, toS: number): PlaybackSegment => ({
  name: `s${fromS}.m4s`,
  startMs: T0 + fromS * 1000,
  endMs: T0 + toS * 1000,
  durationMs: (toS - fromS) * 1000,
  initId: 'i1',
});

/** (PROGRAM-DATE-TIME, EXTINF, discontinuity before) of each segment, in playlist order. */
function entries(text: string): { at: number; seconds: number; discontinuity: boolean; uri: string }[] {
  const out: { at: number; seconds: number; discontinuity: boolean; uri: string }[] = [];
  let at = NaN;
  let seconds = NaN;
  let discontinuity = false;
  for (const line of text.trim().split('\n')) {
    if (line === '#EXT-X-DISCONTINUITY') discontinuity = true;
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) at = Date.parse(line.slice(25));
    else if (line.startsWith('#EXTINF:')) seconds = Number.parseFloat(line.slice(8));
    else if (!line.startsWith('#')) {
      out.push({ at, seconds, discontinuity, uri: line });
      discontinuity = false;
    }
  }
  return out;
}

test('segments dated over each other never give overlapping PROGRAM-DATE-TIMEs', () => {
  // 30 s segments that a sped-up recorder dated 30 s apart, then a real-time recording over the same minute
  const text = buildMediaPlaylist({
    segments: [seg(0, 30), seg(30, 60), seg(10, 12), seg(12, 14), seg(60, 62), seg(61, 63)],
    closed: true,
    initUri: (id) => `init/${id}.mp4`,
    segmentUri: (s) => `segments/${s.name}`,
  });
  const list = entries(text);
  for (let i = 1; i < list.length; i++) {
    const prevEnd = list[i - 1]!.at + list[i - 1]!.seconds * 1000;
    assert.ok(list[i]!.at >= prevEnd - GAP_TOLERANCE_MS, `${list[i]!.uri} starts ${prevEnd - list[i]!.at} ms before ${list[i - 1]!.uri} ends`);
  }
  assert.deepEqual(
    list.map((e) => e.uri),
    ['segments/s0.m4s', 'segments/s30.m4s', 'segments/s60.m4s'],
  );
});

test('a hole between segments is a DISCONTINUITY; segments that meet are not', () => {
  const list = entries(
    buildMediaPlaylist({
      segments: [seg(0, 2), seg(2, 4), seg(7, 9), seg(9.2, 11)],
      closed: true,
      initUri: (id) => `init/${id}.mp4`,
      segmentUri: (s) => `segments/${s.name}`,
    }),
  );
  assert.deepEqual(
    list.map((e) => e.discontinuity),
    [false, false, true, false],
  );
});
