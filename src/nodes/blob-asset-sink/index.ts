// `#Mediagraph.BlobAssetSink`: pulls segments from a DurableCache and records them into an
// asset (one Blob Storage container). It completes after it has drained (or given up at the
// drain timeout) and its input, the cache, has completed.
import { Observable } from 'rxjs';
import type { NodeSpec, NodeContext, ConfigIssue } from '../../types/node.ts';
import { defineNode } from '../define-node.ts';
import type { SegmentQueueMessage } from '../../types/cache.ts';
import type { CachedSegment } from '../../types/cache.ts';
import { containerNameForAsset, type BlobStoreOptions } from '../../storage/blob/index.ts';
import { localStoreRoot, openAssetStore } from '../../storage/open-store.ts';
import { AssetUploader } from './uploader.ts';
import { parseIsoDurationMs, parsePositiveInteger, resolveSystemVariables } from './options.ts';
import { retentionIssues, RETENTION_PROPERTIES } from './retention-options.ts';
import { policyFrom } from '../../storage/retention-policy.ts';
import { HOST_STORE, writeCacheAssetRecord } from '../../storage/orphan-caches/cache-asset-record.ts';

export interface BlobAssetSinkConfig extends NodeSpec {
  readonly assetNamePattern: string;
  /** Uploads in flight at once (default 1: strictly oldest first). */
  readonly uploadConcurrency?: string | number;
  /** How long deactivation may spend uploading what is cached (ISO duration, default PT60S). */
  readonly drainTimeout?: string;
  /**
   * Where the asset goes instead of the host's Blob connection: `file:<folder>` records into a
   * local folder (the same layout). Connection strings stay out of topologies (they are secrets).
   */
  readonly store?: string;
  /** Media older than this ISO-8601 duration (P30D, PT12H) is deleted; absent: kept forever. */
  readonly retentionPeriod?: string;
  /** The oldest media is deleted while the asset holds more than this; absent: no bound. */
  readonly retentionMaximumSizeMiB?: string | number;
}

export const BLOB_ASSET_SINK_TYPE = '#Mediagraph.BlobAssetSink';

/** Knobs that are not topology properties (tests, benches, hosts with special needs). */
export interface BlobAssetSinkOptions {
  readonly store?: BlobStoreOptions;
  readonly backoffBaseMs?: number;
  readonly backoffCapMs?: number;
  readonly indexIntervalMs?: number;
  readonly onUploadStarted?: (segment: CachedSegment) => void;
}

function checkConfig(config: BlobAssetSinkConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const c = config.uploadConcurrency;
  if (c !== undefined && !(typeof c === 'string' && c.includes('${'))) {
    const n = parsePositiveInteger(c);
    if (n === undefined || n > 16)
      issues.push({
        pointer: '/uploadConcurrency',
        code: 'PropertyValueInvalid',
        message: `uploadConcurrency must be an integer from 1 to 16, not ${JSON.stringify(c)}`,
      });
  }
  const d = config.drainTimeout;
  if (d !== undefined && !d.includes('${') && parseIsoDurationMs(d) === undefined) {
    issues.push({
      pointer: '/drainTimeout',
      code: 'PropertyValueInvalid',
      message: `drainTimeout ${JSON.stringify(d)} is not an ISO-8601 duration such as PT60S`,
    });
  }
  const store = config.store;
  if (store !== undefined && !store.includes('${')) {
    let ok = false;
    try {
      ok = localStoreRoot(store) !== undefined;
    } catch {
      ok = false;
    }
    if (!ok)
      issues.push({
        pointer: '/store',
        code: 'PropertyValueInvalid',
        message: `store must be file:<folder> (a Blob connection is the host's, not the topology's), not ${JSON.stringify(store)}`,
      });
  }
  issues.push(...retentionIssues(config));
  const name = config.assetNamePattern;
  if (typeof name === 'string' && !name.includes('${')) {
    try {
      containerNameForAsset(name);
    } catch (e) {
      issues.push({ pointer: '/assetNamePattern', code: 'PropertyValueInvalidPattern', message: (e as Error).message });
    }
  }
  return issues;
}

export function makeBlobAssetSinkNode(options: BlobAssetSinkOptions = {}) {
  return defineNode({
    type: BLOB_ASSET_SINK_TYPE,
    role: 'sink',
    description: 'Uploads cached segments oldest first into an asset (a Blob Storage container) with a per-day index of recorded ranges and gaps.',
    configSchema: {
      type: 'object',
      required: ['assetNamePattern'],
      properties: {
        assetNamePattern: { type: 'string', minLength: 1 },
        uploadConcurrency: { type: ['string', 'integer'], default: '1' },
        drainTimeout: { type: 'string', default: 'PT60S' },
        store: { type: 'string', pattern: '^(file:|\\$\\{)' },
        ...RETENTION_PROPERTIES,
      },
    },
    inputs: { queue: { kind: 'cached-segment' } },
    output: null,
    check: (config: BlobAssetSinkConfig) => checkConfig(config),
    create: (config: BlobAssetSinkConfig, ctx) => {
      const run = createSink(config, ctx, options);
      return (inputs) => run(inputs.queue);
    },
  });
}

export const blobAssetSinkNode = makeBlobAssetSinkNode();

function createSink(config: BlobAssetSinkConfig, ctx: NodeContext, options: BlobAssetSinkOptions) {
  const concurrency = parsePositiveInteger(config.uploadConcurrency ?? 1) ?? 1;
  const drainTimeoutMs = parseIsoDurationMs(config.drainTimeout ?? 'PT60S') ?? 60_000;
  const assetName = resolveSystemVariables(config.assetNamePattern, ctx);
  return (queue$: Observable<SegmentQueueMessage>): Observable<never> =>
    new Observable<never>((subscriber) => {
      let uploader: AssetUploader | undefined;
      let unregisterRetention: (() => void) | undefined;
      let started = false;
      let inputCompleted = false;
      let uploaderDone = false;
      let stopRequested = false;
      const maybeComplete = (): void => {
        if (inputCompleted && uploaderDone) subscriber.complete();
      };

      const start = async (msg: SegmentQueueMessage): Promise<void> => {
        const location = config.store ?? ctx.services.blobConnection;
        if (!location)
          throw new Error(
            'no asset store: give a connection string, SAS URL or account URL (--blob or AZURE_STORAGE_CONNECTION_STRING), or a folder (--store file:<folder>)',
          );
        const store = await openAssetStore(location, assetName, {
          onContainerRecreated: (container) =>
            ctx.logger.warn(
              "the asset's container was deleted while recording: created it again; what it held before is gone, the index lists only what is stored",
              { container },
            ),
          ...options.store,
        });
        ctx.logger.info('recording to asset', { asset: store.describe() });
        if (subscriber.closed) {
          msg.queue.detach();
          return;
        }
        // What the cache holds media for, so a host that finds it without this instance can upload it.
        await writeCacheAssetRecord(msg.cacheDirectory, ctx.services.dataDirectory, {
          instance: ctx.instanceName,
          assetName,
          store: config.store ?? HOST_STORE,
        }).catch((e: unknown) => ctx.logger.warn('could not record the asset in the cache folder', { error: e instanceof Error ? e.message : String(e) }));
        const policy = policyFrom(config.retentionPeriod, config.retentionMaximumSizeMiB);
        if (policy && ctx.services.retention) unregisterRetention = ctx.services.retention.register({ location, assetName, policy });
        uploader = new AssetUploader(msg.queue, store, ctx.events, ctx.logger, {
          concurrency,
          metrics: ctx.metrics,
          drainTimeoutMs,
          ...(options.backoffBaseMs !== undefined ? { backoffBaseMs: options.backoffBaseMs } : {}),
          ...(options.backoffCapMs !== undefined ? { backoffCapMs: options.backoffCapMs } : {}),
          ...(options.indexIntervalMs !== undefined ? { indexIntervalMs: options.indexIntervalMs } : {}),
          ...(options.onUploadStarted ? { onUploadStarted: options.onUploadStarted } : {}),
        });
        if (stopRequested) uploader.beginDrain();
        const outcome = await uploader.run();
        ctx.logger.info('asset sink finished', { outcome, uploaded: uploader.uploaded });
      };

      const stopSub = ctx.stop$.subscribe(() => {
        stopRequested = true;
        uploader?.beginDrain();
      });
      const inSub = queue$.subscribe({
        next: (msg) => {
          if (started || msg.kind !== 'segment-queue') return;
          started = true;
          start(msg).then(
            () => {
              uploaderDone = true;
              maybeComplete();
            },
            (e: unknown) => {
              msg.queue.detach();
              subscriber.error(e);
            },
          );
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          inputCompleted = true;
          if (!started) uploaderDone = true;
          maybeComplete();
        },
      });
      return () => {
        stopSub.unsubscribe();
        inSub.unsubscribe();
        unregisterRetention?.();
        uploader?.stop();
      };
    });
}

export { assetSinkExpansion, type AssetSinkProperties } from './expansion.ts';
export { AssetUploader, type UploaderOptions } from './uploader.ts';
