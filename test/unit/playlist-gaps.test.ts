// The HLS playlist marks every recorded gap: an EXT-X-DATERANGE with its reason, and an
// EXT-X-DISCONTINUITY before the segment after it, even when the wall-clock labels around the
// gap nearly touch (a recorder that restarted within half a second still restarted its media
// timeline).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMediaPlaylist, GAP_DATERANGE_CLASS } from '../../src/control/http/playback/playlist.ts';
import type { PlaybackSegment, RecordedGap } from '../../src/control/http/playback/source.ts';

const T0 = Date.UTC(2026, 0, 1);
const seg = (fromS: number, toS: number): PlaybackSegment => ({
  name: `s${fromS}.m4s`,
  startMs: T0 + fromS * 1000,
  endMs: T0 + toS * 1000,
  durationMs: (toS - fromS) * 1000,
  initId: 'i1',
});
const gap = (fromS: number, toS: number, reason: string): RecordedGap => ({ startMs: T0 + fromS * 1000, endMs: T0 + toS * 1000, reason });

test('each recorded gap is a DATERANGE with its reason and a DISCONTINUITY before the next segment', () => {
  const text = buildMediaPlaylist({
    segments: [seg(0, 2), seg(2, 4), seg(9, 11), seg(11.3, 13), seg(13, 15)],
    gaps: [gap(4, 9, 'camera-lost'), gap(11, 11.3, 'recorder-down')],
    closed: true,
    initUri: (id) => `init/${id}.mp4`,
    segmentUri: (s) => `segments/${s.name}`,
  });
  const lines = text.trim().split('\n');
  const before = (uri: string): string[] => {
    const i = lines.indexOf(`segments/${uri}`);
    return lines.slice(i - 5, i);
  };
  assert.ok(before('s9.m4s').includes('#EXT-X-DISCONTINUITY'));
  // labels 300 ms apart (under the jitter tolerance), but the recorder was down in between
  assert.ok(before('s11.3.m4s').includes('#EXT-X-DISCONTINUITY'), before('s11.3.m4s').join('\n'));
  assert.ok(!before('s13.m4s').includes('#EXT-X-DISCONTINUITY'));
  assert.equal(lines.filter((l) => l === '#EXT-X-DISCONTINUITY').length, 2);
  const ranges = lines.filter((l) => l.startsWith('#EXT-X-DATERANGE:'));
  assert.deepEqual(ranges, [
    `#EXT-X-DATERANGE:ID="gap-${T0 + 4000}-${T0 + 9000}",CLASS="${GAP_DATERANGE_CLASS}",START-DATE="2026-01-01T00:00:04.000Z",END-DATE="2026-01-01T00:00:09.000Z",X-REASON="camera-lost"`,
    `#EXT-X-DATERANGE:ID="gap-${T0 + 11000}-${T0 + 11300}",CLASS="${GAP_DATERANGE_CLASS}",START-DATE="2026-01-01T00:00:11.000Z",END-DATE="2026-01-01T00:00:11.300Z",X-REASON="recorder-down"`,
  ]);
});
