// The Fmp4Segmenter node on real media: fixture samples in, segment files on a real disk out,
// checked by mp4box.js (counts, timing, keyframes) and ffmpeg/ffprobe (clean decode of each
// segment and of all of them as one stream, rising decode times).
import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { fmp4SegmenterNode, type Fmp4SegmenterConfig } from '../../src/nodes/fmp4-segmenter/index.ts';
import type { ConfigIssue } from '../../src/types/node.ts';
import type { MediaMessage } from '../../src/types/media.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';
import { demuxFixture } from '../helpers/mp4-fixtures.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';
import { ffmpegDecode, ffprobeFrames, inspectMp4 } from '../helpers/mp4-inspect.ts';
import { videoPacketDts } from '../helpers/recording-check.ts';
import { testContext } from '../helpers/segmenter-context.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

function runNode(config: Fmp4SegmenterConfig, messages: MediaMessage[], dataDirectory: string) {
  const ctx = testContext(dataDirectory);
  const op = fmp4SegmenterNode.create!(config, ctx);
  const out = op({ media: from(messages) }) as Observable<SegmentMessage>;
  return { ctx, result: lastValueFrom(out.pipe(toArray())) };
}

const concatFiles = (...paths: string[]) => Uint8Array.from(Buffer.concat(paths.map((p) => readFileSync(p))));

for (const name of ['h264-360p-aac.mp4', 'h265-360p.mp4']) {
  describe(`Fmp4Segmenter on ${name}, PT2S`, { skip: fixtureSkip(name) }, () => {
    const d = demuxFixture(name);
    const dir = mkdtempSync(join(tmpdir(), 'segmenter-node-'));
    let segments: SegmentMessage[] = [];
    after(() => rmSync(dir, { recursive: true, force: true }));

    test('writes segments and an init file, emitting one SegmentMessage per segment', async () => {
      const { ctx, result } = runNode(
        { '@type': fmp4SegmenterNode.type, name: 'seg', segmentLength: 'PT2S', outputDirectoryPath: dir },
        [...d.tracks, ...d.samples, { kind: 'end' }],
        dir,
      );
      segments = await result;
      assert.equal(segments.length, 5);
      const files = readdirSync(dir).sort();
      assert.equal(files.filter((f) => f.endsWith('.part')).length, 0);
      assert.deepEqual(
        files.filter((f) => f.endsWith('.m4s')),
        segments.map((s) => basename(s.path)),
      );
      assert.deepEqual(
        files.filter((f) => f.startsWith('init-')),
        [basename(segments[0]!.init.path)],
      );
      assert.ok(segments.every((s) => s.init.id === segments[0]!.init.id));
      assert.equal(ctx.recorded.filter((e) => e.type === 'SegmentWritten').length, 5);
      for (const s of segments) assert.equal(readFileSync(s.path).length, s.byteSize);
      assert.match(basename(segments[0]!.path), /^20260101T000000\.\d{3}Z_000001\.m4s$/);
      assert.equal(segments[0]!.afterDiscontinuity, true);
      assert.ok(segments.slice(1).every((s) => !s.afterDiscontinuity));
    });

    test('segments are contiguous in media and wall-clock time and cover every sample', () => {
      for (let i = 1; i < segments.length; i++) {
        const p = segments[i - 1]!;
        assert.equal(p.baseMediaDecodeTime + p.mediaDurationMs * 90, segments[i]!.baseMediaDecodeTime);
        assert.equal(p.endWallClockMs, segments[i]!.startWallClockMs);
      }
      const total = segments.reduce((n, s) => n + s.mediaDurationMs, 0);
      assert.ok(Math.abs(total - 10_000) <= 40, `total ${total} ms`);
      for (const t of d.tracks) {
        const count = segments.reduce((n, s) => n + (s.tracks.find((x) => x.trackId === t.trackId)?.sampleCount ?? 0), 0);
        assert.equal(count, d.samples.filter((s) => s.trackId === t.trackId).length, `track ${t.trackId}`);
      }
    });

    test('mp4box.js: each init + segment starts on a keyframe with the expected samples and timing', () => {
      // one timeline since the Unix epoch (docs/architecture.md, Decode timeline)
      let expectedDts = segments[0]!.baseMediaDecodeTime;
      for (const s of segments) {
        const tracks = inspectMp4(concatFiles(s.init.path, s.path));
        assert.deepEqual(
          tracks.map((t) => t.codec),
          d.tracks.map((t) => t.config.codecString),
        );
        const video = tracks.find((t) => t.type === 'video')!;
        assert.equal(video.samples[0]!.is_sync, true);
        assert.equal(video.samples[0]!.dts, expectedDts);
        // the keyframe is presented (dts + composition offset) at the segment's wall-clock start
        assert.ok(Math.abs(video.samples[0]!.cts / 90 - s.startWallClockMs) < 1, `presented at ${video.samples[0]!.cts / 90}, starts ${s.startWallClockMs}`);
        assert.ok(Math.abs(video.samples.length - s.mediaDurationMs / 40) <= 1, `${video.samples.length} frames for ${s.mediaDurationMs} ms`);
        const span = video.samples.reduce((n, x) => n + x.duration, 0);
        assert.equal((span / 90000) * 1000, s.mediaDurationMs);
        assert.equal(video.samples.length, s.tracks.find((t) => t.mediaType === 'video')!.sampleCount);
        expectedDts += span;
        const audio = tracks.find((t) => t.type === 'audio');
        if (audio) {
          const a = s.tracks.find((t) => t.mediaType === 'audio')!;
          assert.equal(audio.samples.length, a.sampleCount);
          // audio in this segment covers about the same time as the video (±1 AAC frame)
          // (±2 AAC frames: one at each end; the last segment also takes the audio past the video's end)
          assert.ok(Math.abs(a.durationMs - s.mediaDurationMs) <= (2 * 1024) / 48 + 1, `audio ${a.durationMs} ms vs video ${s.mediaDurationMs} ms`);
        }
      }
    });

    test('ffmpeg decodes every init + segment, and all of them as one stream, without a message', { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') }, () => {
      for (const s of segments) {
        const joined = join(dir, 'joined.tmp.mp4');
        writeFileSync(joined, concatFiles(s.init.path, s.path));
        const r = ffmpegDecode(joined);
        assert.equal(r.stderr, '', basename(s.path));
        assert.equal(r.status, 0);
      }
      // one init + every segment in order: a break between segments shows as a decode
      // error, a lost frame or a decode time that does not rise by at least 1 ms
      const all = join(dir, 'all.tmp.mp4');
      writeFileSync(all, concatFiles(segments[0]!.init.path, ...segments.map((s) => s.path)));
      const r = ffmpegDecode(all);
      assert.equal(r.stderr, '');
      assert.equal(r.status, 0);
      assert.equal(ffprobeFrames(all).video, 250);
      const dts = videoPacketDts(all);
      assert.equal(dts.length, 250);
      const stalls = dts.slice(1).filter((t, i) => t - dts[i]! < 90); // 90 kHz: 1 ms
      assert.deepEqual(stalls, [], 'video decode times rise by >= 1 ms');
      rmSync(join(dir, 'joined.tmp.mp4'));
      rmSync(all);
    });
  });
}

describe('Fmp4Segmenter configuration', () => {
  test('default output folder is <dataDirectory>/segments/<instance>/<node>; input completion flushes', async (t) => {
    const data = mkdtempSync(join(tmpdir(), 'segmenter-default-'));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const d = demuxFixture('h264-360p-aac.mp4');
    const { result } = runNode({ '@type': fmp4SegmenterNode.type, name: 'seg' }, [...d.tracks, ...d.samples.slice(0, 200)], data);
    const segs = await result;
    assert.equal(segs.length, 1, 'PT30S default: one segment, closed when the input completed');
    assert.ok(segs[0]!.path.startsWith(join(data, 'segments', 'inst', 'segmenter') + '/'));
    assert.ok(existsSync(segs[0]!.path));
  });

  test('a file-system failure is an Observable error, not a crash', async (t) => {
    const data = mkdtempSync(join(tmpdir(), 'segmenter-fail-'));
    t.after(() => rmSync(data, { recursive: true, force: true }));
    const blocker = join(data, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const d = demuxFixture('h264-360p-aac.mp4');
    const { result } = runNode(
      { '@type': fmp4SegmenterNode.type, name: 'seg', outputDirectoryPath: join(blocker, 'sub') },
      [...d.tracks, ...d.samples.slice(0, 60)],
      data,
    );
    await assert.rejects(result, (e: NodeJS.ErrnoException) => e.code === 'ENOTDIR' || e.code === 'EEXIST');
  });

  test('check() reports bad segment lengths at /segmentLength', () => {
    const check = (c: Record<string, unknown>) =>
      (fmp4SegmenterNode.check as unknown as (c: unknown, x: unknown) => ConfigIssue[])(c, { raw: c, unresolved: new Set() });
    const base = { '@type': fmp4SegmenterNode.type, name: 's' };
    assert.deepEqual(check({ ...base, segmentLength: 'PT30S' }), []);
    assert.deepEqual(check({ ...base, segmentLength: 'PT1S' }), []);
    for (const bad of ['30s', 'PT0.5S', 'P1M']) {
      const issues = check({ ...base, segmentLength: bad });
      assert.equal(issues.length, 1, bad);
      assert.equal(issues[0]!.pointer, '/segmentLength');
    }
  });
});
