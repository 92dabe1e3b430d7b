// LVA's time rules as pure functions: table cases plus properties (fast-check, bounded runs).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  QueryError,
  parseAvailableMediaQuery,
  parsePlaylistWindow,
  rangesAtPrecision,
  MAX_SPAN,
  PLAYLIST_DEFAULT_WINDOW_MS,
  PLAYLIST_MAX_WINDOW_MS,
} from '../../src/control/http/playback/time-query.ts';
import { buildMediaPlaylist, GAP_TOLERANCE_MS } from '../../src/control/http/playback/playlist.ts';
import type { PlaybackSegment } from '../../src/control/http/playback/source.ts';

const q = (o: Record<string, string>): URLSearchParams => new URLSearchParams(o);
const H = 3_600_000;

test('availableMedia bounds are inclusive units; full keeps the instant', () => {
  assert.deepEqual(parseAvailableMediaQuery(q({ precision: 'day', startTime: '2026-02-28', endTime: '2026-03-01' })), {
    precision: 'day',
    fromMs: Date.UTC(2026, 1, 28),
    toMs: Date.UTC(2026, 2, 2),
  });
  assert.deepEqual(parseAvailableMediaQuery(q({ precision: 'month', startTime: '2025-12', endTime: '2025-12' })), {
    precision: 'month',
    fromMs: Date.UTC(2025, 11, 1),
    toMs: Date.UTC(2026, 0, 1),
  });
  assert.deepEqual(parseAvailableMediaQuery(q({ precision: 'full', startTime: '2026-11-30T10:00:00+01:00', endTime: '2026-11-30T10:00:00Z' })), {
    precision: 'full',
    fromMs: Date.UTC(2026, 10, 30, 9),
    toMs: Date.UTC(2026, 10, 30, 10),
  });
  assert.deepEqual(parseAvailableMediaQuery(q({ precision: 'year' })), { precision: 'year' });
  // 2024-02-29..2025-02-28 is 366 days counted inclusively: the maximum
  assert.equal(parseAvailableMediaQuery(q({ precision: 'day', startTime: '2024-02-29', endTime: '2025-02-28' })).precision, 'day');
  assert.throws(
    () => parseAvailableMediaQuery(q({ precision: 'day', startTime: '2024-02-29', endTime: '2025-03-01' })),
    /367 days; precision day allows at most 366/,
  );
});

test('rangesAtPrecision merges touching units and keeps separate ones apart', () => {
  const r = (a: string, b: string) => ({ startMs: Date.parse(a), endMs: Date.parse(b) });
  const ranges = [
    r('2026-01-01T10:00:00Z', '2026-01-01T11:00:00Z'),
    r('2026-01-02T23:00:00Z', '2026-01-03T00:00:00Z'),
    r('2026-01-05T00:00:00Z', '2026-01-05T01:00:00Z'),
  ];
  assert.deepEqual(rangesAtPrecision('day', ranges), [
    { start: '2026-01-01', end: '2026-01-02' },
    { start: '2026-01-05', end: '2026-01-05' },
  ]);
  assert.deepEqual(rangesAtPrecision('month', ranges), [{ start: '2026-01', end: '2026-01' }]);
  assert.equal(rangesAtPrecision('full', ranges).length, 3);
});

test('property: any query string either parses to a window within the maxima or throws a QueryError', () => {
  const precision = fc.constantFrom('year', 'month', 'day', 'full', 'YEAR', 'hour', '');
  const time = fc.oneof(
    fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString()),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10)),
    fc.date({ min: new Date('1990-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 7)),
    fc.integer({ min: 1990, max: 2100 }).map(String),
    fc.string({ maxLength: 24 }),
  );
  fc.assert(
    fc.property(precision, fc.option(time, { nil: undefined }), fc.option(time, { nil: undefined }), (p, s, e) => {
      const params: Record<string, string> = { precision: p };
      if (s !== undefined) params['startTime'] = s;
      if (e !== undefined) params['endTime'] = e;
      try {
        const r = parseAvailableMediaQuery(q(params));
        if (r.fromMs !== undefined && r.toMs !== undefined) {
          assert.ok(r.fromMs <= r.toMs);
          if (r.precision === 'full') assert.ok(r.toMs - r.fromMs <= MAX_SPAN.full.ms);
          if (r.precision === 'day') assert.ok(r.toMs - r.fromMs <= MAX_SPAN.day.days * 86_400_000);
          if (r.precision === 'month') assert.ok(r.toMs - r.fromMs <= 366 * 86_400_000);
        }
      } catch (err) {
        assert.ok(err instanceof QueryError, String(err));
        assert.ok(['precision', 'startTime', 'endTime'].includes(err.target));
      }
    }),
    { numRuns: 500 },
  );
});

test('playlist windows: default, start only, both, and the errors', () => {
  const now = Date.UTC(2026, 10, 30, 12);
  assert.deepEqual(parsePlaylistWindow(q({}), now, now - H), { fromMs: now - H - PLAYLIST_DEFAULT_WINDOW_MS, toMs: now - H, closedByCaller: false });
  assert.deepEqual(parsePlaylistWindow(q({}), now, undefined), { fromMs: now - PLAYLIST_DEFAULT_WINDOW_MS, toMs: now, closedByCaller: false });
  assert.deepEqual(parsePlaylistWindow(q({ startTime: '2026-11-30T11:00:00Z' }), now, undefined), { fromMs: now - H, toMs: now, closedByCaller: false });
  assert.throws(() => parsePlaylistWindow(q({ endTime: '2026-11-30T11:00:00Z' }), now, undefined), /endTime requires startTime/);
  assert.throws(() => parsePlaylistWindow(q({ startTime: '2026-11-29T11:59:59Z' }), now, undefined), /at most 24 hours/);
  const full = parsePlaylistWindow(q({ startTime: '2026-11-29T12:00:00Z', endTime: '2026-11-30T12:00:00Z' }), now, undefined);
  assert.equal(full.toMs - full.fromMs, PLAYLIST_MAX_WINDOW_MS, 'exactly 24 h is allowed');
});

test('property: playlists are well formed for any segment list', () => {
  const seg = fc.record({ start: fc.integer({ min: 0, max: 1e6 }), dur: fc.integer({ min: 100, max: 10_000 }), init: fc.constantFrom('a', 'b') });
  fc.assert(
    fc.property(fc.array(seg, { maxLength: 30 }), fc.boolean(), (raw, closed) => {
      const base = Date.UTC(2026, 0, 1);
      const segments: PlaybackSegment[] = raw.map((r, i) => ({
        name: `s${i}.m4s`,
        startMs: base + r.start * 10,
        endMs: base + r.start * 10 + r.dur,
        durationMs: r.dur,
        initId: r.init,
      }));
      const text = buildMediaPlaylist({ segments, closed, initUri: (id) => `init/${id}.mp4`, segmentUri: (s) => `segments/${s.name}` });
      const lines = text.trimEnd().split('\n');
      assert.equal(lines[0], '#EXTM3U');
      const target = Number(lines.find((l) => l.startsWith('#EXT-X-TARGETDURATION:'))!.split(':')[1]);
      const extinf = lines.filter((l) => l.startsWith('#EXTINF:')).map((l) => Number(l.slice(8, -1)));
      for (const d of extinf) assert.ok(Math.round(d) <= target, 'EXTINF rounds to at most TARGETDURATION');
      const dates = lines.filter((l) => l.startsWith('#EXT-X-PROGRAM-DATE-TIME:')).map((l) => Date.parse(l.slice(25)));
      assert.equal(dates.length, extinf.length);
      // one timeline: no segment starts inside the one before it; a segment is left out only
      // when it starts inside one that is listed
      for (let i = 1; i < dates.length; i++) assert.ok(dates[i]! >= dates[i - 1]! + extinf[i - 1]! * 1000 - GAP_TOLERANCE_MS);
      const listed = dates.map((d, i) => ({ startMs: d, endMs: d + extinf[i]! * 1000 }));
      const left = segments.filter((s) => !listed.some((l) => l.startMs === s.startMs && l.endMs === s.endMs));
      for (const s of left)
        assert.ok(
          listed.some((l) => s.startMs >= l.startMs && s.startMs < l.endMs - GAP_TOLERANCE_MS),
          'left out only when overlapping',
        );
      assert.equal(lines.at(-1) === '#EXT-X-ENDLIST', closed);
      // a MAP precedes the first segment, and every MAP after the first follows a DISCONTINUITY
      const maps = lines.map((l, i) => (l.startsWith('#EXT-X-MAP:') ? i : -1)).filter((i) => i >= 0);
      if (segments.length) assert.ok(maps[0]! < lines.findIndex((l) => l.startsWith('#EXTINF')));
      for (const i of maps.slice(1)) assert.equal(lines[i - 1], '#EXT-X-DISCONTINUITY');
    }),
    { numRuns: 300 },
  );
});

test('years before 100 are taken literally (0050 is year 50, not 1950), up to 9999', () => {
  const y50 = new Date(0);
  y50.setUTCFullYear(50, 0, 1);
  const y51 = new Date(0);
  y51.setUTCFullYear(51, 0, 1);
  assert.deepEqual(parseAvailableMediaQuery(q({ precision: 'year', startTime: '0050', endTime: '0050' })), {
    precision: 'year',
    fromMs: y50.getTime(),
    toMs: y51.getTime(),
  });
  const month = parseAvailableMediaQuery(q({ precision: 'month', startTime: '0099-12', endTime: '0099-12' }));
  assert.equal(new Date(month.fromMs!).toISOString(), '0099-12-01T00:00:00.000Z');
  assert.equal(new Date(month.toMs!).toISOString(), '0100-01-01T00:00:00.000Z');
  const day = parseAvailableMediaQuery(q({ precision: 'day', startTime: '0000-02-29', endTime: '0000-03-01' }));
  assert.equal(new Date(day.fromMs!).toISOString(), '0000-02-29T00:00:00.000Z', 'year 0 is a leap year (proleptic Gregorian)');
  const all = parseAvailableMediaQuery(q({ precision: 'year', startTime: '0000', endTime: '9999' }));
  assert.equal(new Date(all.fromMs!).toISOString(), '0000-01-01T00:00:00.000Z');
  assert.equal(rangesAtPrecision('year', [{ startMs: y50.getTime(), endMs: y50.getTime() + 1000 }])[0]!.start, '0050');
});
