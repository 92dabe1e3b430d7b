// Issue 20: with the day index written rarely, a SIGKILL leaves uploaded segments that no
// index lists yet. availableMedia must still list exactly what is stored (the index merged
// with a listing of what is newer), right after the kill and after the restart; and once the
// restarted recorder has stopped, the index itself lists exactly what is stored.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { AzuriteHandle } from '../../src/testing/azurite.ts';
import { BlobAssetStore, mergeRanges } from '../../src/storage/blob/index.ts';
import { StorageRequestCounter } from '../../src/storage/request-counter.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';
import { useRecorderBench } from '../helpers/recorder-bench.ts';
import { moreSegmentsThan, startRecorder } from '../helpers/restart-harness.ts';
import { RECORDER_ASSET, openRecorder } from './short-segment-recorder.ts';

let root: string;
let azurite: AzuriteHandle;
let camera: SimulatedCamera;

useRecorderBench('mg-store-sigkill-', (b) => ({ root, azurite, camera } = b));

test('SIGKILL mid-recording, then a restart: availableMedia and the day index list exactly what is stored', async () => {
  const data = join(root, 'rec');
  const cachePath = join(data, 'cache');
  const reader = await BlobAssetStore.create(azurite.connectionString, RECORDER_ASSET, { requestCounter: new StorageRequestCounter() });
  const playback = await BlobPlaybackSource.create(azurite.connectionString);
  const window = { from: Date.now() - 3600_000, to: Date.now() + 6 * 3600_000 };
  const stored = async () => mergeRanges(await reader.listSegmentSpans('segments/'));

  const child = startRecorder(process.execPath, [
    '--import',
    'tsx',
    'test/integration/short-segment-recorder.ts',
    data,
    cachePath,
    camera.url,
    azurite.connectionString,
  ]);
  try {
    await moreSegmentsThan(azurite.connectionString, RECORDER_ASSET, 5, 30_000, child);
  } finally {
    await child.kill();
  }
  // Killed before any index was due: none lists these segments, the listing does.
  const afterKill = await stored();
  assert.ok(afterKill.length >= 1);
  assert.deepEqual(await reader.listIndexDays(), [], 'no index was written per segment');
  assert.deepEqual((await playback.availableMedia(RECORDER_ASSET, window.from, window.to)).ranges, afterKill);

  const host = await openRecorder(data, cachePath, camera.url, azurite.connectionString);
  try {
    const n = (await reader.listNames('segments/')).length;
    for (const end = Date.now() + 30_000; (await reader.listNames('segments/')).length < n + 3; ) {
      assert.ok(Date.now() < end, 'the restarted recorder uploads again');
      await new Promise((r) => setTimeout(r, 200));
    }
    // The restart wrote the index for its recorder-down gap; what was uploaded since is newer.
    const midRun = await playback.availableMedia(RECORDER_ASSET, window.from, window.to);
    const now = await stored();
    // the last range may grow between the two reads
    assert.deepEqual(midRun.ranges.slice(0, -1), now.slice(0, -1), `${JSON.stringify(midRun)} ${JSON.stringify(now)}`);
    assert.equal(midRun.ranges.at(-1)?.startMs, now.at(-1)?.startMs);
    await host.instanceDeactivate('cam1');
  } finally {
    await host.close();
  }
  const final = await stored();
  const indexed = mergeRanges((await Promise.all((await reader.listIndexDays()).map((d) => reader.readIndex(d)))).flatMap((i) => i?.ranges ?? []));
  assert.deepEqual(indexed, final, 'the index lists exactly what is stored');
  assert.deepEqual((await playback.availableMedia(RECORDER_ASSET, window.from, window.to)).ranges, final);
});
