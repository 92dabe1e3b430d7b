// Scenario 2: the uplink between the blob sink and Azurite is cut (TCP proxy blackhole) and
// restored again and again, each cut longer than the 1 MiB cache can hold. Checked: the gaps
// in the asset index equal the CacheEvicted ranges exactly, every segment is either uploaded
// once or evicted (never both, never neither), uploads go oldest first, no duplicate blob,
// evictions are oldest first within each cut (a prefix of what was recorded during it, even
// though the oldest segment's upload is hanging), and how long after the line's return the
// first upload lands.
//   node --import tsx faults/uplink-cycles.ts [--cycles=30]
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, tap, type Observable } from 'rxjs';
import { startAzurite, azuriteConnectionString } from '../src/testing/azurite.ts';
import { startTcpProxy } from '../src/testing/tcp-proxy.ts';
import { durableCacheNode } from '../src/nodes/durable-cache/index.ts';
import { makeBlobAssetSinkNode } from '../src/nodes/blob-asset-sink/index.ts';
import { BlobAssetStore, mergeRanges, type TimeRange } from '../src/storage/blob/index.ts';
import type { SegmentStreamMessage } from '../src/types/segment.ts';
import type { SegmentQueueMessage } from '../src/types/cache.ts';
import { writeSegment, checkSegmentBytes } from '../test/helpers/cache-fixtures.ts';
import { testContext } from '../test/integration/asset-context.ts';
import { argNumber, deadline, isMain, runAsMain, sleep, waitFor, type ScenarioResult } from './lib.ts';

const T0 = Date.UTC(2026, 0, 1);
const SEG = 100_000; // 10 segments fill the 1 MiB cache
const kOf = (blobName: string): number =>
  (Date.parse(blobName.replace(/^segments\/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d\.\d{3}Z)_.*$/, '$1-$2-$3T$4:$5:$6')) - T0) / 1000;

export interface UplinkOptions {
  readonly cycles: number;
  /** Segments written while the line is cut (more than the cache holds → evictions). */
  readonly segmentsPerCut?: number;
  /** Segments written while the line is up, between cuts. */
  readonly segmentsPerPass?: number;
}

function completion(o: Observable<unknown>): Promise<void> {
  return new Promise<void>((resolve, reject) => o.subscribe({ error: reject, complete: resolve }));
}

export async function runUplinkCycles(o: UplinkOptions): Promise<ScenarioResult> {
  const t0 = performance.now();
  const perCut = o.segmentsPerCut ?? 16;
  const perPass = o.segmentsPerPass ?? 3;
  const root = mkdtempSync(join(tmpdir(), 'fault-uplink-'));
  const az = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(az.blobEndpoint).port) });
  const failures: string[] = [];
  try {
    const src = join(root, 'src');
    mkdirSync(src);
    const tc = testContext({ dataDirectory: root, blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) });
    const sinkNode = makeBlobAssetSinkNode({ store: { operationTimeoutMs: 400, uploadTimeoutBaseMs: 400 }, backoffBaseMs: 50, backoffCapMs: 400 });
    const input = new Subject<SegmentStreamMessage>();
    let handle: SegmentQueueMessage | undefined;
    const cache$ = durableCacheNode.create!(
      { '@type': '#Mediagraph.DurableCache', name: 'u.cache', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: '1' },
      tc.ctx('u.cache'),
    )({ segments: input }).pipe(
      tap((m) => {
        handle = m as SegmentQueueMessage;
      }),
    );
    const done = completion(
      sinkNode.create!({ '@type': '#Mediagraph.BlobAssetSink', name: 'u', assetNamePattern: 'uplink-asset' }, tc.ctx('u'))({ queue: cache$ }),
    );
    const evictedCount = (): number => tc.of('CacheEvicted').reduce((n, e) => n + e.segments, 0);
    const uploadedCount = (): number => tc.of('SegmentUploaded').length;

    let k = 0;
    const cuts: { from: number; to: number }[] = [];
    const returnToUploadMs: number[] = [];
    const push = async (n: number): Promise<void> => {
      for (let i = 0; i < n; i++) {
        input.next(writeSegment(src, k++, { size: SEG }));
        await sleep(12);
      }
    };
    const settled = (): boolean => handle !== undefined && evictedCount() + uploadedCount() + handle.queue.stats().segments === k;
    for (let c = 0; c < o.cycles; c++) {
      await push(perPass);
      if (!(await waitFor(() => settled() && handle!.queue.stats().segments === 0, 20_000)))
        failures.push(`cycle ${c}: line up, backlog not drained in 20 s (${handle?.queue.stats().segments} cached)`);
      proxy.mode('blackhole');
      const from = k;
      await push(perCut);
      cuts.push({ from, to: k });
      if (!(await waitFor(settled, 10_000))) failures.push(`cycle ${c}: segments neither cached nor evicted after 10 s`);
      const before = uploadedCount();
      proxy.mode('pass');
      const backAt = Date.now();
      if (await waitFor(() => uploadedCount() > before, 20_000)) returnToUploadMs.push(Date.now() - backAt);
      else failures.push(`cycle ${c}: no upload within 20 s of the line's return`);
    }
    if (!(await waitFor(() => settled() && handle!.queue.stats().segments === 0, 30_000)))
      failures.push(`final backlog not drained (${handle?.queue.stats().segments} cached)`);
    tc.stop$.next();
    input.complete();
    if ((await Promise.race([done.then(() => true), deadline(15_000).then(() => false)])) === false) failures.push('sink did not complete within 15 s of stop');

    const uploadedKs = tc.of('SegmentUploaded').map((e) => kOf(e.blobName));
    const uploaded = new Set(uploadedKs);
    let outOfOrder = 0;
    for (let i = 1; i < uploadedKs.length; i++) if (uploadedKs[i]! <= uploadedKs[i - 1]!) outOfOrder++;
    if (outOfOrder > 0) failures.push(`${outOfOrder} uploads not oldest-first: ${uploadedKs.join(',')}`);
    if (uploaded.size !== uploadedKs.length) failures.push(`${uploadedKs.length - uploaded.size} segments reported uploaded twice`);

    const store = await BlobAssetStore.create(az.connectionString, 'uplink-asset');
    const names = await store.listNames('segments/');
    const blobKs = names.map(kOf);
    const duplicateBlobs = blobKs.length - new Set(blobKs).size;
    if (duplicateBlobs > 0) failures.push(`${duplicateBlobs} duplicate blobs`);
    let corrupt = 0;
    for (const name of names) if (checkSegmentBytes(await store.download(name)) !== kOf(name)) corrupt++;
    if (corrupt > 0) failures.push(`${corrupt} corrupt blobs`);
    const extraBlobs = blobKs.filter((x) => !uploaded.has(x)).length;
    if (extraBlobs > 0) failures.push(`${extraBlobs} blobs with no SegmentUploaded event`);

    const evictedKs = Array.from({ length: k }, (_, i) => i).filter((i) => !uploaded.has(i));
    // Oldest first: what a cut evicted is the start of what it recorded, with no survivor before it.
    let evictionOrderViolations = 0;
    for (const cut of cuts) {
      const ev = evictedKs.filter((i) => i >= cut.from && i < cut.to);
      if (ev.some((i, j) => i !== cut.from + j)) {
        evictionOrderViolations++;
        failures.push(`cut ${cut.from}–${cut.to - 1}: evicted ${ev.join(',')}, not oldest first`);
      }
    }
    const slowReturns = returnToUploadMs.filter((ms) => ms > 5000);
    if (slowReturns.length) failures.push(`${slowReturns.length} returns of the line took more than 5 s to the first upload: ${slowReturns.join(',')} ms`);
    const sortedReturns = [...returnToUploadMs].sort((a, b) => a - b);
    if (evictedKs.length !== evictedCount()) failures.push(`${evictedKs.length} segments not uploaded, but CacheEvicted counts ${evictedCount()}`);
    const expected = mergeRanges(evictedKs.map((i) => ({ startMs: T0 + i * 1000, endMs: T0 + (i + 1) * 1000 })));
    const eventGaps = mergeRanges(tc.of('CacheEvicted').map((e) => ({ startMs: Date.parse(e.gapStart), endMs: Date.parse(e.gapEnd) })));
    const avail = await store.availableRanges(T0, T0 + 24 * 3600_000);
    const indexGaps = avail.gaps.map(({ startMs, endMs }) => ({ startMs, endMs }));
    const same = (a: TimeRange[], b: TimeRange[]): boolean => JSON.stringify(a) === JSON.stringify(b);
    if (!same(indexGaps, eventGaps))
      failures.push(`index gaps ${JSON.stringify(indexGaps.slice(0, 5))}… ≠ CacheEvicted ${JSON.stringify(eventGaps.slice(0, 5))}…`);
    if (!same(eventGaps, expected)) failures.push(`CacheEvicted ranges ≠ the segments not uploaded`);
    return {
      scenario: 'uplink cut/restore',
      pass: failures.length === 0,
      trials: o.cycles,
      figures: {
        cycles: o.cycles,
        segments: k,
        uploaded: uploaded.size,
        evicted: evictedCount(),
        indexGaps: indexGaps.length,
        evictionGaps: eventGaps.length,
        gapsMatchEvictions: same(indexGaps, eventGaps) && same(eventGaps, expected),
        outOfOrderUploads: outOfOrder,
        duplicateBlobs,
        corruptBlobs: corrupt,
        storageErrors: tc.of('StorageError').length,
        evictionOrderViolations,
        medianReturnToUploadMs: sortedReturns[Math.floor(sortedReturns.length / 2)] ?? 0,
        maxReturnToUploadMs: sortedReturns.at(-1) ?? 0,
      },
      failures: failures.slice(0, 20),
      notes: ['DurableCache + BlobAssetSink nodes fed synthetic 100 kB segments; cache bound 1 MiB; proxy blackhole between sink and Azurite'],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await proxy.close();
    await az.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runUplinkCycles({ cycles: argNumber('cycles', 30) }));
