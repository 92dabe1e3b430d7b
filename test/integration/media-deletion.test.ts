// Deleting media, run against both stores (a real Azurite and a local folder): the oldest
// segments in a window go with their metadata, index entries and gaps; what is newer, and a
// segment straddling the window's end, stays untouched; a hole cut in the middle is recorded as
// deleted (not a gap); a whole asset goes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startAzurite } from '../../src/testing/azurite.ts';
import { openAssetStore, openStoreProvider } from '../../src/storage/open-store.ts';
import type { AssetStore } from '../../src/types/asset-store.ts';
import type { FileAssetStore } from '../../src/storage/file/file-asset-store.ts';
import { deleteMediaBetween, type DeletionTarget } from '../../src/storage/media-deletion.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const MIDNIGHT = Date.UTC(2026, 0, 2);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 10_000 }];
const MIN = 60_000;

async function record(store: AssetStore, dir: string, starts: readonly number[], lengthMs: number): Promise<void> {
  const init = join(dir, 'init.mp4');
  writeFileSync(init, Buffer.alloc(100, 1));
  for (const [i, start] of starts.entries()) {
    const path = join(dir, `s${start}.m4s`);
    writeFileSync(path, Buffer.alloc(1000 + i, 2));
    await store.uploadSegment({
      path,
      startWallClockMs: start,
      endWallClockMs: start + lengthMs,
      mediaDurationMs: lengthMs,
      tracks,
      init: { id: 'i1', path: init, byteSize: 100 },
    });
  }
}

const names = async (store: AssetStore, prefix: string) => store.listNames(prefix);
const rel = (ms: number) => (ms - MIDNIGHT) / MIN;

for (const kind of ['blob', 'file'] as const) {
  test(`deleteMedia (${kind} store): oldest first, index, gaps and availableMedia updated, newer untouched`, async (t) => {
    const dir = tempDir(t, `media-deletion-${kind}-`);
    let location = `file:${join(dir, 'store')}`;
    if (kind === 'blob') {
      const az = await startAzurite();
      t.after(() => az.close());
      location = az.connectionString;
    }
    const store = await openAssetStore(location, 'Delete-Cam');
    // one-minute segments from 23:56 to 00:04, a camera-lost gap 23:58–23:59 (no segment there)
    const starts = [-4, -3, -1, 0, 1, 2, 3].map((m) => MIDNIGHT + m * MIN);
    await record(store, dir, starts, MIN);
    await store.recordInIndex({
      ranges: [
        { startMs: MIDNIGHT - 4 * MIN, endMs: MIDNIGHT - 2 * MIN },
        { startMs: MIDNIGHT - MIN, endMs: MIDNIGHT + 4 * MIN },
      ],
      gaps: [
        { startMs: MIDNIGHT - 2 * MIN, endMs: MIDNIGHT - MIN, reason: 'camera-lost' },
        { startMs: MIDNIGHT + 4 * MIN, endMs: MIDNIGHT + 5 * MIN, reason: 'recorder-stopped' },
      ],
    });
    const before = await names(store, 'segments/');
    assert.equal(before.length, 7);
    const window = [MIDNIGHT - 3600_000, MIDNIGHT + 3600_000] as const;

    // Everything that ended by 00:00:30: the three segments of the first day. The one of
    // 00:00–00:01 straddles the cutoff and stays whole.
    const cut = await store.deleteMedia(0, MIDNIGHT + 30_000);
    assert.equal(cut.segments, 3);
    assert.equal(cut.bytes, 1000 + 1001 + 1002);
    assert.deepEqual(cut.range, { startMs: MIDNIGHT - 4 * MIN, endMs: MIDNIGHT });
    assert.deepEqual(await names(store, 'segments/'), before.slice(3), 'exactly the three oldest are gone, the newer names are untouched');
    assert.deepEqual(await store.readIndex('2026-01-01'), undefined, 'a day left with nothing has no index');
    assert.deepEqual(
      (await store.readIndex('2026-01-02'))?.ranges.map((r) => [rel(r.startMs), rel(r.endMs)]),
      [[0, 4]],
    );
    const avail = await store.availableRanges(window[0], window[1]);
    assert.deepEqual(
      avail.ranges.map((r) => [rel(r.startMs), rel(r.endMs)]),
      [[0, 4]],
      'availableMedia starts at the oldest kept segment',
    );
    assert.deepEqual(
      avail.gaps.map((g) => [rel(g.startMs), rel(g.endMs), g.reason]),
      [[4, 5, 'recorder-stopped']],
      'a gap in deleted history is not a gap',
    );
    assert.deepEqual(await names(store, 'gaps/'), ['gaps/20260102T000400.000Z_20260102T000500.000Z_recorder-stopped']);
    assert.deepEqual(await names(store, 'deleted/'), [], 'deleting the oldest needs no record');
    assert.deepEqual(await store.recordedExtent(), { startMs: MIDNIGHT, endMs: MIDNIGHT + 4 * MIN });
    for (const n of before.slice(0, 3)) assert.equal(await store.readObject(n), undefined);
    if (kind === 'file') {
      const folder = join(dir, 'store', 'delete-cam');
      for (const n of before.slice(0, 3)) assert.equal(existsSync(join(folder, `${n}.json`)), false, 'the sidecar goes with its segment');
      assert.equal(existsSync(join(folder, `${before[3]!}.json`)), true);
    }
    assert.deepEqual(await store.deleteMedia(0, MIDNIGHT + 30_000), { segments: 0, bytes: 0 }, 'a repeat deletes nothing');

    // A hole in the middle (00:01–00:03): recorded as deleted, not reported as a gap.
    const hole = await store.deleteMedia(MIDNIGHT + MIN, MIDNIGHT + 3 * MIN);
    assert.equal(hole.segments, 2);
    assert.deepEqual(await names(store, 'segments/'), [before[3]!, before[6]!]);
    assert.deepEqual(await names(store, 'deleted/'), ['deleted/20260102T000100.000Z_20260102T000300.000Z']);
    const after = await store.availableRanges(window[0], window[1]);
    assert.deepEqual(
      after.ranges.map((r) => [rel(r.startMs), rel(r.endMs)]),
      [
        [0, 1],
        [3, 4],
      ],
    );
    assert.deepEqual(
      after.gaps.map((g) => g.reason),
      ['recorder-stopped'],
    );

    // The whole asset.
    const provider = await openStoreProvider(location);
    assert.equal(await provider.deleteAsset('Delete-Cam'), true);
    assert.equal(await provider.assetExists('Delete-Cam'), false);
    assert.deepEqual(await provider.listAssets(), []);
    assert.equal(await provider.deleteAsset('Delete-Cam'), false);
  });
}

test('a deletion cut off between the index and the segments leaves nothing readers list; the next one finishes it', async (t) => {
  const dir = tempDir(t, 'media-deletion-cut-');
  const store = (await openAssetStore(`file:${join(dir, 'store')}`, 'Cut-Cam')) as FileAssetStore;
  const starts = [0, 1, 2, 3, 4, 5].map((m) => MIDNIGHT + 3600_000 + m * MIN);
  await record(store, dir, starts, MIN);
  await store.recordInIndex({ ranges: [{ startMs: starts[0]!, endMs: starts[5]! + MIN }] });
  // the fault: the process dies after the index was rewritten and one segment deleted
  let removed = 0;
  const failing: DeletionTarget = {
    readIndex: (d) => store.readIndex(d),
    listSegmentSpans: (p) => store.listSegmentSpans(p),
    listGapMarkers: () => store.listGapMarkers(),
    listIndexDays: () => store.listIndexDays(),
    listSegmentInventory: () => store.listSegmentInventory(),
    removeMarker: (n) => store.removeMarker(n),
    putMarker: (n) => store.putMarker(n),
    listDeletionMarkers: () => store.listDeletionMarkers(),
    rewriteDayIndex: (d, make) => store.rewriteDayIndex(d, make),
    removeSegment: async (name) => {
      if (removed++ >= 1) throw new Error('killed');
      await store.removeSegment(name);
    },
  };
  await assert.rejects(deleteMediaBetween(failing, 0, starts[3]!), /killed/);
  assert.equal((await store.listNames('segments/')).length, 5, 'two of the three doomed segments are still stored');
  const window = [MIDNIGHT, MIDNIGHT + 86_400_000] as const;
  assert.deepEqual((await store.availableRanges(window[0], window[1])).ranges, [{ startMs: starts[3]!, endMs: starts[5]! + MIN }], 'readers do not list them');
  assert.deepEqual(
    (await store.listSegments(window[0], window[1])).map((s) => s.startMs),
    starts.slice(1),
    'playback still lists what exists',
  );
  const again = await store.deleteMedia(0, starts[3]!);
  assert.equal(again.segments, 2);
  assert.deepEqual(
    (await store.listSegments(window[0], window[1])).map((s) => s.startMs),
    starts.slice(3),
  );
});
