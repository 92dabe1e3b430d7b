// Issue: after a crash with 7 segments cached, a damaged journal made the cache delete intact
// media without a word (journal truncated or deleted: all 7 deleted, 0 uploaded; one bit
// flipped in the `init` record: all 7 dropped; in one `seg` record: that segment deleted, a
// hole with no gap). Media files are the truth: what the journal lost is rebuilt from the
// files (real fMP4 from the RTSP pipeline), uploaded to Azurite, and a warning gives counts.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject } from 'rxjs';
import { startAzurite, type AzuriteHandle } from '../../src/testing/azurite.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { blobAssetSinkNode } from '../../src/nodes/blob-asset-sink/index.ts';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import type { SegmentMessage, SegmentStreamMessage } from '../../src/types/segment.ts';
import type { Logger } from '../../src/types/logger.ts';
import { recordRealSegments } from '../helpers/real-segments.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';
import { ffmpegDecodeErrors } from '../helpers/recording-check.ts';
import { hasCommand } from '../helpers/tools.ts';
import { testContext, until } from './asset-context.ts';

let root: string;
let az: AzuriteHandle;
let segments: SegmentMessage[];

before(async () => {
  root = mkdtempSync(join(tmpdir(), 'journal-damage-'));
  az = await startAzurite();
  segments = await recordRealSegments(join(root, 'recorded'), 7, 'PT3S'); // 3 fragments (GOPs) each
});
after(async () => {
  await az?.close();
  rmSync(root, { recursive: true, force: true });
});

interface Warning {
  readonly message: string;
  readonly fields: Record<string, unknown>;
}

/** Fills a cache with the 7 segments as a run would have, damages its journal, then runs cache → sink once. */
async function damagedThenUploaded(
  name: string,
  damage: (journal: string) => void,
): Promise<{ uploaded: string[]; warnings: Warning[]; store: BlobAssetStore }> {
  const cachePath = join(root, name);
  const dir = join(cachePath, 'cam-1', 'j.cache');
  const first = await DurableSegmentCache.open(dir, { maxBytes: 64 << 20, mode: 'copy' });
  for (const s of segments) await first.add(s);
  await first.close();
  damage(join(dir, 'journal'));

  const warnings: Warning[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (message, fields = {}) => void warnings.push({ message, fields }), error() {}, child: () => logger };
  const tc = testContext({ dataDirectory: join(root, name, 'data'), blobConnection: az.connectionString });
  const input = new Subject<SegmentStreamMessage>();
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'j.cache', localMediaCachePath: cachePath, localMediaCacheMaximumSizeMiB: '64' },
    { ...tc.ctx('j.cache'), logger },
  )({ segments: input });
  const sink$ = blobAssetSinkNode.create!(
    { '@type': '#Mediagraph.BlobAssetSink', name: 'j', assetNamePattern: `damage-${name}` },
    tc.ctx('j'),
  )({ queue: cache$ });
  const done = new Promise<void>((resolve, reject) => sink$.subscribe({ error: reject, complete: resolve }));
  await until(() => tc.of('SegmentUploaded').length >= segments.length, `${segments.length} uploads`, 20_000).catch(() => undefined);
  tc.stop$.next();
  input.complete();
  await done;
  return { uploaded: tc.of('SegmentUploaded').map((e) => e.blobName), warnings, store: await BlobAssetStore.create(az.connectionString, `damage-${name}`) };
}

/** Every stored segment decodes after the stored init, and together they hold all the recorded media. */
async function assertAllMediaStored(store: BlobAssetStore): Promise<void> {
  const names = await store.listNames('segments/');
  assert.equal(names.length, segments.length, `${segments.length} segments stored: ${names.join(', ')}`);
  const inits = await store.listNames('init/');
  assert.equal(inits.length, 1);
  const init = await store.download(inits[0]!);
  let seconds = 0;
  for (const n of names) {
    const whole = Buffer.concat([init, await store.download(n)]);
    const video = inspectMp4(whole).find((t) => t.type === 'video')!;
    seconds += video.samples.reduce((a, s) => a + s.duration, 0) / video.timescale;
    if (hasCommand('ffmpeg')) {
      const file = join(root, 'check.mp4');
      writeFileSync(file, whole);
      assert.equal(ffmpegDecodeErrors(file), '', `${n} decodes`);
    }
  }
  const recorded = segments.reduce((a, s) => a + s.mediaDurationMs, 0) / 1000;
  assert.ok(Math.abs(seconds - recorded) < 0.01, `stored ${seconds} s of ${recorded} s`);
}

function flipBitInRecord(journal: string, op: string, which = 0): void {
  const lines = readFileSync(journal, 'latin1').split('\n');
  const idx = lines.map((l, i) => (l.includes(`"op":"${op}"`) ? i : -1)).filter((i) => i >= 0)[which]!;
  const line = lines[idx]!;
  const at = line.indexOf('"file"') + 10; // inside the JSON, not the checksum
  lines[idx] = line.slice(0, at) + String.fromCharCode(line.charCodeAt(at) ^ 0x04) + line.slice(at + 1);
  writeFileSync(journal, lines.join('\n'), 'latin1');
}

const rebuildWarning = (w: Warning[]) => w.find((x) => /rebuilt from the media files/.test(x.message));

test('journal truncated to 0 bytes: every segment is rebuilt from its file and uploaded, with a warning', async () => {
  const r = await damagedThenUploaded('truncated', (j) => writeFileSync(j, ''));
  assert.equal(r.uploaded.length, 7);
  await assertAllMediaStored(r.store);
  assert.equal(rebuildWarning(r.warnings)?.fields['segmentsRebuilt'], 7);
  assert.equal(rebuildWarning(r.warnings)?.fields['initsRebuilt'], 1);
});

test('journal deleted: the same', async () => {
  const r = await damagedThenUploaded('deleted', (j) => unlinkSync(j));
  assert.equal(r.uploaded.length, 7);
  await assertAllMediaStored(r.store);
  assert.equal(rebuildWarning(r.warnings)?.fields['segmentsRebuilt'], 7);
});

test('one bit flipped in the init record: the init is identified by its content, nothing is dropped', async () => {
  const r = await damagedThenUploaded('flip-init', (j) => flipBitInRecord(j, 'init'));
  assert.equal(r.uploaded.length, 7);
  await assertAllMediaStored(r.store);
  const w = rebuildWarning(r.warnings);
  assert.equal(w?.fields['initsRebuilt'], 1);
  assert.equal(w?.fields['badRecords'], 1);
});

test('one bit flipped in one seg record: that segment is rebuilt and uploaded, no hole in the index', async () => {
  const r = await damagedThenUploaded('flip-seg', (j) => flipBitInRecord(j, 'seg', 3));
  assert.equal(r.uploaded.length, 7);
  await assertAllMediaStored(r.store);
  assert.equal(rebuildWarning(r.warnings)?.fields['segmentsRebuilt'], 1);
  const t0 = segments[0]!.startWallClockMs;
  const avail = await r.store.availableRanges(t0 - 60_000, t0 + 600_000);
  assert.deepEqual(avail.gaps, [], 'no gap: nothing was lost');
});

test('a segment cut at any byte (a crash mid-write) keeps exactly its whole fragments', async () => {
  const { mp4FileReader } = await import('../../src/media/mp4/describe-segment.ts');
  const init = mp4FileReader.readInit(readFileSync(segments[0]!.init.path));
  assert.ok(init, 'the init segment reads back');
  const whole = readFileSync(segments[1]!.path);
  const full = mp4FileReader.describeSegment(whole, init, {});
  assert.ok(full && full.validBytes === whole.length, 'a whole segment is valid to its last byte');
  assert.ok(Math.abs(full.mediaDurationMs - segments[1]!.mediaDurationMs) < 1, `duration ${full.mediaDurationMs} vs ${segments[1]!.mediaDurationMs}`);
  let previous = 0;
  const seen = new Set<number>();
  for (let cut = 0; cut <= whole.length; cut += 61) {
    const d = mp4FileReader.describeSegment(whole.subarray(0, cut), init, {});
    const valid = d?.validBytes ?? 0;
    assert.ok(valid <= cut && valid >= previous, `cut at ${cut}: ${valid} valid bytes`);
    previous = valid;
    seen.add(valid);
    if (d) {
      // what is kept parses with mp4box.js as whole samples
      const video = inspectMp4(Buffer.concat([readFileSync(segments[0]!.init.path), whole.subarray(0, valid)])).find((t) => t.type === 'video')!;
      assert.ok(Math.abs((video.samples.reduce((a, s) => a + s.duration, 0) / video.timescale) * 1000 - d.mediaDurationMs) < 1);
    }
  }
  assert.ok(seen.size >= 3, `the cuts fell in several fragments (${[...seen].join(', ')})`);
});
