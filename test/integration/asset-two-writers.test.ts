// Issue 18: in a fleet, one asset can be written by two hosts over time (the old owner's cache
// draining late while the new owner records). Two store objects on one Azurite container stand for
// the two hosts: they upload interleaved segments and race their day-index writes. Every index
// write is ETag-conditional; a lost race re-reads, merges (union) and retries. The final index
// lists exactly the union of both writers' ranges and gaps: nothing lost, nothing twice.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite } from '../../src/testing/azurite.ts';
import { BlobAssetStore, type GapRange, type TimeRange } from '../../src/storage/blob/index.ts';
import { StorageRequestCounter } from '../../src/storage/request-counter.ts';
import { tempDir, segmentBytes } from '../helpers/cache-fixtures.ts';

const DAY = Date.UTC(2026, 2, 1);
const SEGMENTS = 48;
/** 2 s segments every 4 s: each one its own range (the index merges neighbours within 1 s). */
const span = (k: number): TimeRange => ({ startMs: DAY + 3_600_000 + k * 4000, endMs: DAY + 3_600_000 + k * 4000 + 2000 });
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 50, durationMs: 2000 }];

test('two writers on one asset: interleaved uploads and racing index writes end in exactly the union', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'two-writers-');
  const init = { id: 'init-a', path: join(dir, 'init.mp4'), byteSize: 600 };
  writeFileSync(init.path, segmentBytes(999, 600));
  const counters = [new StorageRequestCounter(), new StorageRequestCounter()];
  // Both stores are new on a new asset: both create the container, one of them wins.
  const writers = await Promise.all(counters.map((requestCounter) => BlobAssetStore.create(az.connectionString, 'fleet-cam-7', { requestCounter })));
  const files = Array.from({ length: SEGMENTS }, (_, k) => {
    const path = join(dir, `s${k}.m4s`);
    writeFileSync(path, segmentBytes(k, 1500 + k));
    return path;
  });
  const segment = (k: number) => ({
    path: files[k]!,
    ...{ startWallClockMs: span(k).startMs, endWallClockMs: span(k).endMs },
    mediaDurationMs: 2000,
    tracks,
    init,
  });
  /** Writer w owns segments k ≡ w (mod 2), and the gap after each of its every third segment. */
  const gapAfter = (k: number): GapRange | undefined =>
    k % 3 === 0 && k + 1 < SEGMENTS ? { startMs: span(k).endMs, endMs: span(k + 1).startMs, reason: k % 2 ? 'camera-lost' : 'recorder-down' } : undefined;

  const writeAll = async (w: number): Promise<void> => {
    const store = writers[w]!;
    await store.uploadInit(init);
    const mine = Array.from({ length: SEGMENTS }, (_, k) => k).filter((k) => k % 2 === w);
    // Three at a time per writer (the uploader's concurrency), each followed by its own index
    // write: far more index writes than a real uploader makes, to make the races happen.
    for (let i = 0; i < mine.length; i += 3) {
      await Promise.all(
        mine.slice(i, i + 3).map(async (k) => {
          await store.uploadSegment(segment(k));
          const gap = gapAfter(k);
          await store.recordInIndex({ ranges: [span(k)], ...(gap ? { gaps: [gap] } : {}) });
        }),
      );
    }
    // A re-upload of a segment the other writer stored (a cache that drained it twice): same name.
    const other = 1 - w;
    await store.uploadSegment(segment(other));
    await store.recordInIndex({ ranges: [span(other)] });
  };
  await Promise.all([writeAll(0), writeAll(1)]);

  const reader = await BlobAssetStore.create(az.connectionString, 'fleet-cam-7');
  const index = await reader.readIndex('2026-03-01');
  const expectedRanges = Array.from({ length: SEGMENTS }, (_, k) => span(k));
  const expectedGaps = Array.from({ length: SEGMENTS }, (_, k) => gapAfter(k)).filter((g): g is GapRange => g !== undefined);
  assert.deepEqual(index?.ranges, expectedRanges, 'the index lists every segment of both writers, once, in order');
  assert.deepEqual(index?.gaps, expectedGaps, 'and every gap of both writers, once, in order');
  const names = await reader.listNames('segments/');
  assert.equal(names.length, SEGMENTS, 'one blob per segment: the re-uploads overwrote the same names');
  assert.equal(new Set(names).size, SEGMENTS);
  const avail = await reader.availableRanges(DAY, DAY + 86_400_000);
  assert.deepEqual(avail.ranges, expectedRanges);
  // The races did happen: a writer reads the index only after it lost one (412/409).
  const reReads = counters.map((c) => c.snapshot().get('get-index') ?? 0);
  assert.ok(reReads[0]! + reReads[1]! > 0, `expected lost ETag races, saw index re-reads ${reReads.join('+')}`);

  // Split brain (fencing failed): both hosts cut their own segment of the same seconds. Two
  // names, both stored whole; the index holds one range for them, no duplicate, nothing lost.
  const overlapA = { ...segment(0), startWallClockMs: DAY + 7_200_000, endWallClockMs: DAY + 7_202_000 };
  const overlapB = { ...segment(1), startWallClockMs: DAY + 7_200_480, endWallClockMs: DAY + 7_202_520 };
  const [a, b] = await Promise.all([writers[0]!.uploadSegment(overlapA), writers[1]!.uploadSegment(overlapB)]);
  assert.notEqual(a.blobName, b.blobName);
  await Promise.all([
    writers[0]!.recordInIndex({ ranges: [{ startMs: overlapA.startWallClockMs, endMs: overlapA.endWallClockMs }] }),
    writers[1]!.recordInIndex({ ranges: [{ startMs: overlapB.startWallClockMs, endMs: overlapB.endWallClockMs }] }),
  ]);
  const after = await reader.readIndex('2026-03-01');
  assert.deepEqual(after?.ranges.at(-1), { startMs: DAY + 7_200_000, endMs: DAY + 7_202_520 });
  assert.equal(after?.ranges.length, SEGMENTS + 1);
  assert.ok((await reader.download(a.blobName)).equals(segmentBytes(0, 1500)));
  assert.ok((await reader.download(b.blobName)).equals(segmentBytes(1, 1501)));
});
