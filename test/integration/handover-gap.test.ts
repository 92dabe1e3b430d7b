// Issue 18: a host that takes an instance over records a `handover` gap from the end of the
// asset's last stored media (the index merged with the listing of what is newer) to its start.
// Media the old owner's cache uploads into that stretch later is not a gap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../src/testing/azurite.ts';
import { BlobAssetStore, type TimeRange } from '../../src/storage/blob/index.ts';
import { recordHandoverGap } from '../../src/storage/handover-gap.ts';
import { FileAssetStore } from '../../src/storage/file/file-asset-store.ts';
import { tempDir, segmentBytes } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 2, 2, 10);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 50, durationMs: 2000 }];

test('handover gap: from the end of the stored media (indexed or only listed) to the new owner start; late media cut out of it', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'handover-');
  await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient('fleet-cam-3').create();
  const oldOwner = await BlobAssetStore.create(az.connectionString, 'fleet-cam-3');
  const init = { id: 'i1', path: join(dir, 'init.mp4'), byteSize: 500 };
  writeFileSync(init.path, segmentBytes(0, 500));
  await oldOwner.uploadInit(init);
  const upload = async (k: number): Promise<TimeRange> => {
    const path = join(dir, `s${k}.m4s`);
    writeFileSync(path, segmentBytes(k, 1000));
    const r = { startMs: T0 + k * 2000, endMs: T0 + (k + 1) * 2000 };
    await oldOwner.uploadSegment({ path, startWallClockMs: r.startMs, endWallClockMs: r.endMs, mediaDurationMs: 2000, tracks, init });
    return r;
  };
  // Segments 0–4 indexed, 5–9 stored but not yet in any index (the steady state between index writes).
  for (let k = 0; k < 10; k++) await upload(k);
  await oldOwner.recordInIndex({ ranges: [{ startMs: T0, endMs: T0 + 10_000 }] });
  const lastStored = T0 + 20_000;

  const newOwner = await BlobAssetStore.create(az.connectionString, 'fleet-cam-3');
  const takeover = T0 + 60_000;
  assert.equal(await recordHandoverGap(newOwner, takeover - 90_000), undefined, 'no gap before what is stored');
  const gap = await recordHandoverGap(newOwner, takeover);
  assert.deepEqual(gap, { startMs: lastStored, endMs: takeover, reason: 'handover' });
  assert.ok(
    (await newOwner.listNames('gaps/')).some((n) => n.endsWith('_handover')),
    'a gap marker blob',
  );
  assert.deepEqual((await newOwner.readIndex('2026-03-02'))?.gaps, [gap]);
  let avail = await newOwner.availableRanges(T0, takeover);
  assert.deepEqual(avail.gaps, [gap]);

  // The old owner's cache drains late: 10–11 land inside the gap, and are indexed.
  await upload(10);
  await upload(11);
  await oldOwner.recordInIndex({ ranges: [{ startMs: lastStored, endMs: lastStored + 4000 }] });
  avail = await newOwner.availableRanges(T0, takeover);
  assert.deepEqual(avail.ranges, [{ startMs: T0, endMs: lastStored + 4000 }]);
  assert.deepEqual(avail.gaps, [{ startMs: lastStored + 4000, endMs: takeover, reason: 'handover' }], 'the stored part is no longer a gap');
  assert.deepEqual((await newOwner.readIndex('2026-03-02'))?.gaps, [{ startMs: lastStored + 4000, endMs: takeover, reason: 'handover' }]);

  // Called once the new owner's own first segment is stored: that segment does not count.
  const later = await BlobAssetStore.create(az.connectionString, 'fleet-cam-3');
  const ownStart = takeover + 120_000;
  await upload(Math.round((ownStart - T0) / 2000)); // the new owner's first segment, stored
  assert.deepEqual(await recordHandoverGap(later, ownStart), { startMs: lastStored + 4000, endMs: ownStart, reason: 'handover' });

  // The cap: an asset last recorded long ago was not handed over that long.
  const capped = await recordHandoverGap(newOwner, ownStart + 3_600_000, { maxGapMs: 45_000 });
  assert.deepEqual(capped, { startMs: ownStart + 3_600_000 - 45_000, endMs: ownStart + 3_600_000, reason: 'handover' });
});

test('handover gap: an asset with no media has none; the file store records it the same way', async (t) => {
  const dir = tempDir(t, 'handover-file-');
  const store = new FileAssetStore(join(dir, 'store'), 'cam-f');
  assert.equal(await recordHandoverGap(store, T0), undefined);
  const init = { id: 'i1', path: join(dir, 'init.mp4'), byteSize: 500 };
  writeFileSync(init.path, segmentBytes(0, 500));
  await store.uploadInit(init);
  const path = join(dir, 's.m4s');
  writeFileSync(path, segmentBytes(1, 800));
  await store.uploadSegment({ path, startWallClockMs: T0, endWallClockMs: T0 + 2000, mediaDurationMs: 2000, tracks, init });
  const gap = await recordHandoverGap(store, T0 + 30_000);
  assert.deepEqual(gap, { startMs: T0 + 2000, endMs: T0 + 30_000, reason: 'handover' });
  assert.deepEqual((await store.availableRanges(T0, T0 + 30_000)).gaps, [gap]);
});
