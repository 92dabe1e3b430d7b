// The FileSink node on real media and a real disk: self-contained MP4 files (ffmpeg decodes
// each alone), a new file per discontinuity, oldest files deleted past maximumSizeMiB.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { fileSinkNode, type FileSinkConfig } from '../../src/nodes/file-sink/index.ts';
import type { ConfigIssue } from '../../src/types/node.ts';
import type { MediaMessage, Sample } from '../../src/types/media.ts';
import { demuxFixture } from '../helpers/mp4-fixtures.ts';
import { ffmpegDecode, inspectMp4 } from '../helpers/mp4-inspect.ts';
import { testContext } from '../helpers/segmenter-context.ts';
import { findBox, parseBoxes, readMehd, readMvhd } from '../helpers/mp4-read.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { fixtureSkip } from '../helpers/fixtures.ts';

const gate = (): MediaMessage => ({ kind: 'discontinuity', reason: 'gate-closed', atWallClockMs: 0 });
const seconds = (s: Sample, tracksTs: Map<number, number>) => s.dts / tracksTs.get(s.trackId)!;

async function runSink(config: Omit<FileSinkConfig, '@type' | 'name'>, messages: MediaMessage[], dir: string) {
  const ctx = testContext(dir, undefined, 'fileSink');
  const op = fileSinkNode.create!({ '@type': fileSinkNode.type, name: 'fileSink', ...config } as FileSinkConfig, ctx);
  const emitted = await lastValueFrom((op({ media: from(messages) }) as Observable<unknown>).pipe(toArray()));
  return { ctx, emitted };
}

describe('FileSink', { skip: fixtureSkip('h264-360p-aac') }, () => {
  const d = demuxFixture('h264-360p-aac.mp4');
  const ts = new Map(d.tracks.map((t) => [t.trackId, t.timescale]));

  test('one playable MP4 per run; a gate closing starts a new file', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const before = d.samples.filter((s) => seconds(s, ts) < 5);
    const after = d.samples.filter((s) => seconds(s, ts) >= 5);
    const { ctx, emitted } = await runSink(
      { baseDirectoryPath: dir, fileNamePattern: 'clip-${System.GraphInstanceName}', maximumSizeMiB: '512' },
      [...d.tracks, ...before, gate(), ...after, { kind: 'end' }],
      dir,
    );
    assert.deepEqual(emitted, [], 'a sink emits nothing downstream');
    assert.deepEqual(readdirSync(dir).sort(), ['clip-inst-1.mp4', 'clip-inst-2.mp4']);
    const counts = ['clip-inst-1.mp4', 'clip-inst-2.mp4'].map((f) => {
      const tracks = inspectMp4(Uint8Array.from(readFileSync(join(dir, f))));
      const v = tracks.find((x) => x.type === 'video')!;
      assert.equal(v.samples[0]!.is_sync, true);
      return tracks.map((x) => x.samples.length);
    });
    // run 1: 0–5 s; run 2 starts at the next keyframe (6 s): 125 + 100 frames
    assert.deepEqual(
      counts.map((c) => c[0]),
      [125, 100],
    );
    // each file states its own length (mvhd/mehd patched at close)
    for (const [f, ms] of [
      ['clip-inst-1.mp4', 5000],
      ['clip-inst-2.mp4', 4000],
    ] as const) {
      const boxes = parseBoxes(Uint8Array.from(readFileSync(join(dir, f))));
      assert.equal(readMvhd(findBox(boxes, 'moov', 'mvhd')!.body).duration, ms, f);
      assert.equal(readMehd(findBox(boxes, 'moov', 'mvex', 'mehd')!.body).fragment_duration, ms, f);
    }
    assert.deepEqual(
      ctx.recorded.map((e) => e.type),
      ['RecordingStarted', 'RecordingAvailable', 'RecordingStopped', 'RecordingStarted', 'RecordingAvailable', 'RecordingStopped'],
    );
    if (hasCommand('ffmpeg')) {
      for (const f of ['clip-inst-1.mp4', 'clip-inst-2.mp4']) assert.equal(ffmpegDecode(join(dir, f)).stderr, '', f);
    }
  });

  test('does not overwrite files of an earlier run: numbering continues', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'clip-inst-4.mp4'), 'earlier');
    await runSink(
      { baseDirectoryPath: dir, fileNamePattern: 'clip-${System.GraphInstanceName}', maximumSizeMiB: '512' },
      [...d.tracks, ...d.samples.slice(0, 100), { kind: 'end' }],
      dir,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['clip-inst-4.mp4', 'clip-inst-5.mp4']);
    assert.equal(readFileSync(join(dir, 'clip-inst-4.mp4'), 'utf8'), 'earlier');
  });

  test('deletes its oldest files past maximumSizeMiB, never other files', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'keep.mp4'), Buffer.alloc(1000));
    // four runs of 2 s (~80 KB each) under a 0.2 MiB bound
    const msgs: MediaMessage[] = [...d.tracks];
    for (let k = 0; k < 4; k++) {
      msgs.push(...d.samples.filter((s) => seconds(s, ts) >= 2 * k && seconds(s, ts) < 2 * k + 2), gate());
    }
    msgs.push({ kind: 'end' });
    await runSink({ baseDirectoryPath: dir, fileNamePattern: 'ev-${System.DateTime}', maximumSizeMiB: '0.2' }, msgs, dir);
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('keep.mp4'));
    const ours = files.filter((f) => f.startsWith('ev-'));
    const total = ours.reduce((n, f) => n + statSync(join(dir, f)).size, 0);
    assert.ok(total <= 0.2 * 1024 * 1024, `total ${total}`);
    assert.ok(ours.length >= 1 && ours.length < 4, `kept ${ours.join(', ')}`);
    // the newest run survives: it starts at 6 s
    const newest = ours[ours.length - 1]!;
    assert.match(newest, /^ev-20260101T000006Z-1\.mp4$/);
    assert.ok(existsSync(join(dir, newest)));
  });

  test('check(): absolute folder, a system variable in the pattern, a positive size', () => {
    // The graph layer passes (config, { raw, unresolved }); raw = config when nothing was substituted.
    const check = (c: Record<string, unknown>) =>
      (fileSinkNode.check as unknown as (c: unknown, x: unknown) => ConfigIssue[])(c, { raw: c, unresolved: new Set() });
    const ok = { '@type': fileSinkNode.type, name: 'f', baseDirectoryPath: '/var/media', fileNamePattern: 'x-${System.DateTime}', maximumSizeMiB: '512' };
    assert.deepEqual(check(ok), []);
    const bad = check({ ...ok, baseDirectoryPath: 'media', fileNamePattern: 'fixed/name', maximumSizeMiB: '-1' });
    assert.deepEqual(bad.map((i) => i.pointer).sort(), ['/baseDirectoryPath', '/fileNamePattern', '/fileNamePattern', '/maximumSizeMiB']);
  });

  test('each file decodes alone with ffmpeg (H.265)', { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') || fixtureSkip('h265-360p') }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'file-sink-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const h = demuxFixture('h265-360p.mp4');
    await runSink(
      { baseDirectoryPath: dir, fileNamePattern: 'h-${System.GraphInstanceName}', maximumSizeMiB: '64' },
      [...h.tracks, ...h.samples, { kind: 'end' }],
      dir,
    );
    const r = ffmpegDecode(join(dir, 'h-inst-1.mp4'));
    assert.equal(r.stderr, '');
    assert.equal(inspectMp4(Uint8Array.from(readFileSync(join(dir, 'h-inst-1.mp4'))))[0]!.samples.length, 250);
  });
});
