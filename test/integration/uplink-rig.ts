// The cache and asset sink nodes recording synthetic segments to Azurite through a TCP proxy
// that can blackhole the uplink (what a hung network looks like to the SDK).
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, tap, type Observable } from 'rxjs';
import { startAzurite, azuriteConnectionString, type AzuriteHandle } from '../../src/testing/azurite.ts';
import { startTcpProxy, type TcpProxy } from '../../src/testing/tcp-proxy.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { makeBlobAssetSinkNode, type BlobAssetSinkOptions } from '../../src/nodes/blob-asset-sink/index.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import type { SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import { writeSegment } from '../helpers/cache-fixtures.ts';
import { testContext, type TestContext } from './asset-context.ts';

export const T0 = Date.UTC(2026, 0, 1);
export const ASSET = 'uplink-rig-asset';
/** Segment k's index from its blob name (segments are 1 s long from T0). */
export const kOfBlob = (blobName: string): number =>
  (Date.parse(blobName.replace(/^segments\/(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d\.\d{3}Z)_.*$/, '$1-$2-$3T$4:$5:$6')) - T0) / 1000;

export interface UplinkRig {
  readonly tc: TestContext;
  readonly proxy: TcpProxy;
  readonly azurite: AzuriteHandle;
  /** Writes segment k (1 s of wall clock from T0 + k s) and hands it to the cache. */
  push(size: number): number;
  queue(): SegmentQueueMessage['queue'] | undefined;
  uploadedKs(): number[];
  store(): Promise<BlobAssetStore>;
  /** Ends the input, asks the sink to drain, waits (bounded) and frees everything. */
  close(): Promise<void>;
}

export async function startUplinkRig(o: { cacheMiB: number; sink?: BlobAssetSinkOptions }): Promise<UplinkRig> {
  const root = mkdtempSync(join(tmpdir(), 'uplink-rig-'));
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  const src = join(root, 'src');
  mkdirSync(src);
  const tc = testContext({ dataDirectory: root, blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) });
  const input = new Subject<SegmentStreamMessage>();
  let handle: SegmentQueueMessage | undefined;
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'r.cache', localMediaCachePath: join(root, 'cache'), localMediaCacheMaximumSizeMiB: String(o.cacheMiB) },
    tc.ctx('r.cache'),
  )({ segments: input }).pipe(
    tap((m) => {
      handle = m as SegmentQueueMessage;
    }),
  );
  const sink$: Observable<unknown> = makeBlobAssetSinkNode(o.sink ?? {}).create!(
    { '@type': '#Mediagraph.BlobAssetSink', name: 'r', assetNamePattern: ASSET, drainTimeout: 'PT5S' },
    tc.ctx('r'),
  )({ queue: cache$ });
  const done = new Promise<void>((resolve) => sink$.subscribe({ error: () => resolve(), complete: resolve }));
  let k = 0;
  return {
    tc,
    proxy,
    azurite,
    push: (size) => {
      input.next(writeSegment(src, k, { size }));
      return k++;
    },
    queue: () => handle?.queue,
    uploadedKs: () => tc.of('SegmentUploaded').map((e) => kOfBlob(e.blobName)),
    store: () => BlobAssetStore.create(azurite.connectionString, ASSET),
    close: async () => {
      proxy.mode('pass');
      tc.stop$.next();
      input.complete();
      await Promise.race([done, new Promise((r) => setTimeout(r, 15_000).unref())]);
      await proxy.close();
      await azurite.close();
      rmSync(root, { recursive: true, force: true });
    },
  };
}
