// Playback over HTTP against real blobs in Azurite: LVA's availableMedia rules, the HLS
// playlist (MAP, PROGRAM-DATE-TIME, DISCONTINUITY at the gap and at the init change, ENDLIST),
// every URI in it answering with the stored bytes, byte ranges, and ffmpeg reading it whole.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { get, openTestHost, serve } from './http-support.ts';
import { useServedRecording, ASSET, SEGMENT_MS, STORE_KINDS, type RecordedAsset } from './playback-support.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { azuriteConnectionString } from '../../src/testing/azurite.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';

type OData = { error: { code: string; message: string; details: { code: string; target: string }[] } };
type Available = { timeRanges: { start: string; end: string }[]; gaps?: { start: string; end: string; reason?: string }[] };

const iso = (ms: number): string => new Date(ms).toISOString();
const HOUR = 3_600_000;

// The same tests against each store: Blob Storage (Azurite) and a local folder.
for (const kind of STORE_KINDS)
  describe(`playback over HTTP (${kind} store)`, { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') }, () => {
    let rec: RecordedAsset;
    let url: string;
    useServedRecording((r, u) => {
      rec = r;
      url = u;
    }, kind);

    const base = (): string => `${url}/api/assets/${ASSET}`;
    const available = async (q: Record<string, string>): Promise<{ status: number; body: Available & OData }> => {
      const r = await get(`${base()}/availableMedia?${new URLSearchParams(q)}`);
      return { status: r.status, body: (await r.json()) as Available & OData };
    };

    test('GET /api/assets lists the asset', async () => {
      const r = await get(`${url}/api/assets`);
      assert.equal(r.status, 200);
      assert.deepEqual(
        ((await r.json()) as { value: { name: string }[] }).value.map((a) => a.name),
        [ASSET],
      );
    });

    test('availableMedia, precision full: two ranges around the known gap, the gap with its reason, clipped to what exists', async () => {
      const { status, body } = await available({ precision: 'full', startTime: iso(rec.baseMs - HOUR), endTime: iso(rec.baseMs + HOUR) });
      assert.equal(status, 200);
      const last = rec.segments.at(-1)!;
      assert.deepEqual(body.timeRanges, [
        { start: iso(rec.baseMs), end: iso(rec.gap.startMs) },
        { start: iso(rec.gap.endMs), end: iso(last.endMs) },
      ]);
      assert.deepEqual(body.gaps, [{ start: iso(rec.gap.startMs), end: iso(rec.gap.endMs), reason: 'camera-lost' }]);
      // bounds inside the recording clip the ranges
      const inner = await available({ precision: 'full', startTime: iso(rec.baseMs + 1000), endTime: iso(rec.gap.endMs + 1000) });
      assert.deepEqual(inner.body.timeRanges, [
        { start: iso(rec.baseMs + 1000), end: iso(rec.gap.startMs) },
        { start: iso(rec.gap.endMs), end: iso(rec.gap.endMs + 1000) },
      ]);
      // nothing in range: an empty list, not an error
      const none = await available({ precision: 'full', startTime: '2001-01-01T00:00:00Z', endTime: '2001-01-01T05:00:00Z' });
      assert.equal(none.status, 200);
      assert.deepEqual(none.body.timeRanges, []);
    });

    test('availableMedia at year, month and day precision: formatted to the precision, inclusive bounds', async () => {
      const lastEnd = rec.segments.at(-1)!.endMs;
      const y = iso(rec.baseMs).slice(0, 4);
      const day = await available({ precision: 'day', startTime: iso(rec.baseMs).slice(0, 10), endTime: iso(lastEnd).slice(0, 10) });
      assert.equal(day.status, 200);
      assert.deepEqual(day.body.timeRanges, [{ start: iso(rec.baseMs).slice(0, 10), end: iso(lastEnd - 1).slice(0, 10) }], 'the gap does not split a day');
      assert.equal(day.body.gaps, undefined);
      const month = await available({ precision: 'month', startTime: iso(rec.baseMs).slice(0, 7), endTime: iso(rec.baseMs).slice(0, 7) });
      assert.deepEqual(
        month.body.timeRanges,
        [{ start: iso(rec.baseMs).slice(0, 7), end: iso(lastEnd - 1).slice(0, 7) }],
        'start = end is one whole month (inclusive)',
      );
      const year = await available({ precision: 'year' });
      assert.deepEqual(year.body.timeRanges, [{ start: y, end: iso(lastEnd - 1).slice(0, 4) }], 'year may omit both bounds');
      const yearOnly = await available({ precision: 'YEAR', startTime: y });
      assert.equal(yearOnly.status, 200);
      assert.equal(yearOnly.body.timeRanges.length, 1);
    });

    test('availableMedia rejects malformed queries and spans over the maximum with 400 and a clear message', async () => {
      const cases: [Record<string, string>, RegExp, string][] = [
        [{}, /precision is required/, 'precision'],
        [{ precision: 'hour' }, /not one of year, month, day, full/, 'precision'],
        [{ precision: 'day', startTime: '2026-11-30' }, /startTime and endTime are required with precision day/, 'endTime'],
        [{ precision: 'month', startTime: '2026-11-30', endTime: '2026-12' }, /does not match precision month: expected YYYY-MM/, 'startTime'],
        [{ precision: 'month', startTime: '2025-01', endTime: '2026-01' }, /13 months; precision month allows at most 12/, 'endTime'],
        [{ precision: 'day', startTime: '2024-01-01', endTime: '2025-01-02' }, /at most 366/, 'endTime'],
        [{ precision: 'full', startTime: '2026-11-01T00:00:00Z', endTime: '2026-11-09T00:00:00Z' }, /precision full allows at most 168 hours/, 'endTime'],
        [{ precision: 'full', startTime: '2026-11-30T10:00:00Z', endTime: '2026-11-30T09:00:00Z' }, /is after endTime/, 'startTime'],
        [{ precision: 'full', startTime: '2026-11-30 10:00', endTime: '2026-11-30T11:00:00Z' }, /ISO 8601 date-time with a zone/, 'startTime'],
        [{ precision: 'day', startTime: '2026-02-30', endTime: '2026-03-01' }, /not a valid date/, 'startTime'],
      ];
      for (const [q, message, target] of cases) {
        const { status, body } = await available(q);
        assert.equal(status, 400, JSON.stringify(q));
        assert.match(body.error.message, message, JSON.stringify(q));
        assert.equal(body.error.details[0]!.code, 'InvalidQuery');
        assert.equal(body.error.details[0]!.target, target, JSON.stringify(q));
      }
      const month12 = await available({ precision: 'month', startTime: '2025-02', endTime: '2026-01' });
      assert.equal(month12.status, 200, '12 months is allowed');
      const unknown = await get(`${url}/api/assets/no-such-asset/availableMedia?precision=year`);
      assert.equal(unknown.status, 404);
      assert.equal(((await unknown.json()) as OData).error.details[0]!.code, 'AssetNotFound');
    });

    test('playlist: HLS v7 fMP4 with MAP, PROGRAM-DATE-TIME, DISCONTINUITY and DATERANGE (with its reason) at the gap, DISCONTINUITY at the init change, ENDLIST; every URI answers with the stored bytes', async () => {
      const last = rec.segments.at(-1)!;
      const r = await get(`${base()}/playlist.m3u8?startTime=${iso(rec.baseMs)}&endTime=${iso(last.endMs)}`);
      assert.equal(r.status, 200);
      assert.equal(r.headers.get('content-type'), 'application/vnd.apple.mpegurl');
      const text = await r.text();
      const lines = text.trim().split('\n');
      assert.equal(lines[0], '#EXTM3U');
      assert.ok(lines.includes('#EXT-X-VERSION:7'));
      assert.ok(lines.includes('#EXT-X-TARGETDURATION:2'));
      assert.ok(lines.includes('#EXT-X-PLAYLIST-TYPE:VOD'));
      assert.equal(lines.at(-1), '#EXT-X-ENDLIST');
      // the media section, tag by tag
      const body = lines.slice(lines.findIndex((l) => l.startsWith('#EXT-X-MAP')));
      const expected = [
        '#EXT-X-MAP:URI="init/avc-a.mp4"',
        `#EXT-X-PROGRAM-DATE-TIME:${iso(rec.segments[0]!.startMs)}`,
        '#EXTINF:2.000,',
        rec.segments[0]!.blobName,
        `#EXT-X-PROGRAM-DATE-TIME:${iso(rec.segments[1]!.startMs)}`,
        '#EXTINF:2.000,',
        rec.segments[1]!.blobName,
        // the recorded gap, with its reason
        `#EXT-X-DATERANGE:ID="gap-${rec.gap.startMs}-${rec.gap.endMs}",CLASS="dev.mediagraph.gap",START-DATE="${new Date(rec.gap.startMs).toISOString()}",END-DATE="${new Date(rec.gap.endMs).toISOString()}",X-REASON="camera-lost"`,
        '#EXT-X-DISCONTINUITY',
        `#EXT-X-PROGRAM-DATE-TIME:${iso(rec.segments[2]!.startMs)}`,
        '#EXTINF:2.000,',
        rec.segments[2]!.blobName,
        '#EXT-X-DISCONTINUITY',
        '#EXT-X-MAP:URI="init/avc-b.mp4"',
        `#EXT-X-PROGRAM-DATE-TIME:${iso(rec.segments[3]!.startMs)}`,
        '#EXTINF:2.000,',
        rec.segments[3]!.blobName,
        `#EXT-X-PROGRAM-DATE-TIME:${iso(rec.segments[4]!.startMs)}`,
        '#EXTINF:2.000,',
        rec.segments[4]!.blobName,
        '#EXT-X-ENDLIST',
      ];
      assert.deepEqual(body, expected);
      // every URI, resolved against the playlist URL, answers 200 with the bytes that were uploaded
      const uris = [...text.matchAll(/URI="([^"]+)"/g)].map((m) => m[1]!).concat(lines.filter((l) => l && !l.startsWith('#')));
      assert.equal(uris.length, 7);
      for (const uri of uris) {
        const res = await get(new URL(uri, r.url).toString());
        assert.equal(res.status, 200, uri);
        const bytes = Buffer.from(await res.arrayBuffer());
        const local = uri.startsWith('init/') ? rec.initFile : rec.segments.find((s) => s.blobName === uri)!.file;
        assert.ok(bytes.equals(readFileSync(local)), `${uri} has the stored bytes`);
        assert.equal(res.headers.get('accept-ranges'), 'bytes');
      }
    });

    test('segments answer byte ranges; missing blobs are 404', async () => {
      const seg = rec.segments[1]!;
      const local = readFileSync(seg.file);
      const r = await get(`${base()}/${seg.blobName}`, { headers: { range: 'bytes=100-299' } });
      assert.equal(r.status, 206);
      assert.equal(r.headers.get('content-range'), `bytes 100-299/${local.length}`);
      assert.ok(Buffer.from(await r.arrayBuffer()).equals(local.subarray(100, 300)));
      const open = await get(`${base()}/${seg.blobName}`, { headers: { range: `bytes=${local.length - 10}-` } });
      assert.equal(open.status, 206);
      assert.equal((await open.arrayBuffer()).byteLength, 10);
      const beyond = await get(`${base()}/${seg.blobName}`, { headers: { range: `bytes=${local.length + 10}-` } });
      assert.equal(beyond.status, 416);
      assert.equal(beyond.headers.get('content-range'), `bytes */${local.length}`);
      assert.equal((await get(`${base()}/segments/20000101T000000.000Z_2000.m4s`)).status, 404);
      assert.equal((await get(`${base()}/init/nope.mp4`)).status, 404);
      assert.equal((await get(`${base()}/segments/..%2Findex%2F2026-01-01.json`)).status, 404, 'only segment names are served');
    });

    test('playlist time windows follow LVA: default last 4 h of the recording, end needs start, at most 24 h, a window in the gap is empty', async () => {
      const def = await get(`${base()}/playlist.m3u8`);
      assert.equal(def.status, 200);
      const text = await def.text();
      assert.equal((text.match(/#EXTINF/g) ?? []).length, 5, 'the whole (short) recording is within its last 4 h');
      assert.match(text, /#EXT-X-ENDLIST\n$/, 'not written for 30 min: closed');
      const endOnly = await get(`${base()}/playlist.m3u8?endTime=${iso(rec.baseMs)}`);
      assert.equal(endOnly.status, 400);
      assert.match(((await endOnly.json()) as OData).error.message, /endTime requires startTime/);
      const long = await get(`${base()}/playlist.m3u8?startTime=${iso(rec.baseMs - 25 * HOUR)}&endTime=${iso(rec.baseMs)}`);
      assert.equal(long.status, 400);
      assert.match(((await long.json()) as OData).error.message, /at most 24 hours/);
      const openLong = await get(`${base()}/playlist.m3u8?startTime=${iso(Date.now() - 25 * HOUR)}`);
      assert.equal(openLong.status, 400, 'start only: runs to now, so more than 24 h is an error');
      const inGap = await get(`${base()}/playlist.m3u8?startTime=${iso(rec.gap.startMs + 1000)}&endTime=${iso(rec.gap.endMs - 1000)}`);
      assert.equal(inGap.status, 200);
      const gapText = await inGap.text();
      assert.ok(!gapText.includes('#EXTINF'), 'a window inside a gap has no segments');
      // a window partly in the gap snaps to the media around it
      const partly = await (await get(`${base()}/playlist.m3u8?startTime=${iso(rec.gap.startMs - 500)}&endTime=${iso(rec.gap.endMs + 500)}`)).text();
      assert.deepEqual(
        partly.split('\n').filter((l) => l.startsWith('segments/')),
        [rec.segments[1]!.blobName, rec.segments[2]!.blobName],
      );
      assert.equal((await get(`${url}/api/assets/no-such-asset/playlist.m3u8`)).status, 404);
    });

    test('storage failures answer 502 without the account key or the connection string', { skip: kind === 'file' ? 'Blob Storage only' : false }, async (t) => {
      const deadStorage = azuriteConnectionString('http://127.0.0.1:9');
      const key = /AccountKey=([^;]+)/.exec(deadStorage)![1]!;
      const host = await openTestHost(t);
      const server = await serve(t, host, { playback: await BlobPlaybackSource.create(deadStorage, { operationTimeoutMs: 2000 }) });
      for (const path of [
        '/api/assets',
        `/api/assets/${ASSET}/availableMedia?precision=year`,
        `/api/assets/${ASSET}/playlist.m3u8`,
        `/api/assets/${ASSET}/${rec.segments[0]!.blobName}`,
      ]) {
        const r = await get(`${server.url}${path}`);
        assert.equal(r.status, 502, path);
        const text = await r.text();
        assert.equal((JSON.parse(text) as OData).error.details[0]!.code, 'StorageError');
        assert.ok(!text.includes(key) && !text.includes('AccountKey') && !text.includes('127.0.0.1:9'), `${path}: ${text}`);
      }
    });

    test('ffmpeg reads the playlist over HTTP end to end', { skip: skipUnless(hasCommand('ffprobe'), 'ffprobe') }, async () => {
      const last = rec.segments.at(-1)!;
      const playlist = `${base()}/playlist.m3u8?startTime=${iso(rec.baseMs)}&endTime=${iso(last.endMs)}`;
      const { spawn } = await import('node:child_process');
      // spawnSync would block the event loop that serves the requests; run it asynchronously.
      const out = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        const p = spawn('ffmpeg', ['-v', 'error', '-i', playlist, '-map', '0:v', '-c', 'copy', '-f', 'null', '-'], { timeout: 20_000 });
        let stderr = '';
        p.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
        p.on('close', (code) => resolve({ code, stderr }));
      });
      assert.equal(out.code, 0, out.stderr);
    });

    // Last: it adds a segment to the shared asset.
    test('a recording still being written gives a live playlist (no ENDLIST) unless the caller closed the window', async () => {
      const store = rec.store;
      const start = Date.now() - 5000;
      const seg = rec.segments[0]!;
      await store.uploadSegment({
        path: seg.file,
        startWallClockMs: start,
        endWallClockMs: start + SEGMENT_MS,
        mediaDurationMs: SEGMENT_MS,
        tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.42c01e', sampleCount: 50, durationMs: SEGMENT_MS }],
        init: { id: seg.initId, path: rec.initFile, byteSize: readFileSync(rec.initFile).length },
      });
      await store.recordInIndex({ ranges: [{ startMs: start, endMs: start + SEGMENT_MS }] });
      const live = await (await get(`${base()}/playlist.m3u8`)).text();
      assert.ok(!live.includes('#EXT-X-ENDLIST'), live);
      assert.ok(!live.includes('#EXT-X-PLAYLIST-TYPE:VOD'));
      assert.equal((live.match(/#EXTINF/g) ?? []).length, 6, 'the last 4 h of the recording');
      assert.match(
        live,
        new RegExp(`#EXT-X-DISCONTINUITY\n#EXT-X-MAP:URI="init/avc-a.mp4"\n#EXT-X-PROGRAM-DATE-TIME:${iso(start)}`),
        'the 30 min hole and the init switch back',
      );
      const closed = await (await get(`${base()}/playlist.m3u8?startTime=${iso(start - 60_000)}&endTime=${iso(start + 1000)}`)).text();
      assert.match(closed, /#EXT-X-ENDLIST\n$/, 'an end in the past closes the window');
    });
  });
