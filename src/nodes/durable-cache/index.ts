// `#Mediagraph.DurableCache`: takes finished segments (and gaps) from the segmenter, keeps
// them on disk within a size bound, and offers them to ONE downstream consumer as a pull
// queue (src/types/cache.ts). Lifetime: the output emits the queue handle once the cache is
// open, and completes when the input has completed AND the consumer has detached; then the
// cache folder is closed (unlocked). Whatever was not uploaded stays for the next activation.
import { Observable } from 'rxjs';
import { dirname, join } from 'node:path';
import { rm, stat } from 'node:fs/promises';
import type { NodeSpec, NodeContext, ConfigIssue } from '../../types/node.ts';
import { defineNode } from '../define-node.ts';
import type { SegmentMessage, SegmentStreamMessage } from '../../types/segment.ts';
import type { SegmentQueue, SegmentQueueMessage } from '../../types/cache.ts';
import { DurableSegmentCache, SegmentStrandedError, type EvictionEvent } from '../../storage/cache/index.ts';
import { CacheLockedError, lockHolder } from '../../storage/cache/lock.ts';
import { makeDirectory } from '../../storage/make-directory.ts';
import { offerWorkspace } from './workspace-registry.ts';
import { mp4FileReader } from '../../media/mp4/describe-segment.ts';
import { logRecovery, workspaceOf } from './recovery-log.ts';
import { quotaMemberOf } from '../../storage/cache/cache-quota.ts';

export interface DurableCacheConfig extends NodeSpec {
  /** Folder of all caches; this node uses `<path>/<instance>/<node>`. Default: the host's data directory. */
  readonly localMediaCachePath?: string;
  /** Size bound in MiB (1 MiB = 1,048,576 bytes), a string of a positive integer as LVA writes it. */
  readonly localMediaCacheMaximumSizeMiB: string | number;
}

export const DURABLE_CACHE_TYPE = '#Mediagraph.DurableCache';

const MIB = 1024 * 1024;

export function parseCacheSizeMiB(value: unknown): number | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\s*\d+\s*$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n * MIB) && n >= 1 ? n : undefined;
}

function checkConfig(config: DurableCacheConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const raw = config.localMediaCacheMaximumSizeMiB;
  if (!(typeof raw === 'string' && raw.includes('${')) && parseCacheSizeMiB(raw) === undefined) {
    issues.push({
      pointer: '/localMediaCacheMaximumSizeMiB',
      code: 'PropertyValueInvalid',
      message: `localMediaCacheMaximumSizeMiB must be a positive integer number of MiB, not ${JSON.stringify(raw)}`,
    });
  }
  return issues;
}

/** Folder names from instance and node names: keep them readable, never let them climb out. */
function folderName(name: string): string {
  const safe = name.replace(/[^A-Za-z0-9._-]/g, '_');
  return safe === '' || safe === '.' || safe === '..' ? `_${safe}` : safe;
}

export function cacheDirectoryFor(config: DurableCacheConfig, ctx: Pick<NodeContext, 'instanceName' | 'nodeName' | 'services'>): string {
  const base = config.localMediaCachePath ?? join(ctx.services.dataDirectory, 'cache');
  return join(base, folderName(ctx.instanceName), folderName(ctx.nodeName));
}

function createCache(config: DurableCacheConfig, ctx: NodeContext) {
  const maxBytes = (parseCacheSizeMiB(config.localMediaCacheMaximumSizeMiB) ?? 0) * MIB;
  const directory = cacheDirectoryFor(config, ctx);
  // Offered now, before anything runs, so the segmenter upstream finds it when it starts.
  const upstream = config.inputs?.[0]?.nodeName;
  const settleWorkspace = upstream ? offerWorkspace(ctx.services, upstream) : () => {};
  return (segments$: Observable<SegmentStreamMessage>): Observable<SegmentQueueMessage> =>
    new Observable<SegmentQueueMessage>((subscriber) => {
      if (maxBytes <= 0) {
        settleWorkspace(undefined);
        subscriber.error(new Error(`localMediaCacheMaximumSizeMiB ${JSON.stringify(config.localMediaCacheMaximumSizeMiB)} is not a positive integer`));
        return undefined;
      }
      let cache: DurableSegmentCache | undefined;
      let inputDone = false;
      let detached = false;
      let finished = false;
      let highWater = false;
      const metrics = ctx.metrics;
      const gauges = (c: DurableSegmentCache): void => {
        const st = c.stats();
        metrics.set('mediagraph_cache_bytes', st.bytes);
        metrics.set('mediagraph_cache_segments', st.segments);
      };
      const onEvicted = (e: EvictionEvent): void => {
        metrics.add('mediagraph_cache_evicted_segments_total', e.segments);
        if (cache) gauges(cache); // evictions also happen as the open segment grows, between adds
        ctx.events.emit('CacheEvicted', {
          gapStart: new Date(e.gap.startWallClockMs).toISOString(),
          gapEnd: new Date(e.gap.endWallClockMs).toISOString(),
          segments: e.segments,
          bytes: e.bytes,
        });
      };
      const watchHighWater = (c: DurableSegmentCache): void => {
        const used = c.stats().bytes;
        if (!highWater && used >= 0.9 * maxBytes) {
          highWater = true;
          ctx.events.emit('CacheHighWaterMark', { usedBytes: used, maximumBytes: maxBytes });
        } else if (highWater && used < 0.7 * maxBytes) highWater = false;
      };
      let unregisterReclaimer: (() => void) | undefined;
      let leaveQuota: (() => void) | undefined;
      const finish = (): void => {
        if (finished || !inputDone || !detached) return;
        finished = true;
        unregisterReclaimer?.();
        leaveQuota?.();
        void (cache?.close() ?? Promise.resolve()).then(
          () => subscriber.complete(),
          (e: unknown) => subscriber.error(e),
        );
      };

      // Everything touching the cache runs in order on one chain: open, then each message.
      // A cache that cannot be opened (a file in the path, a folder another live process holds,
      // EMFILE, /proc) fails this instance only, with one line saying why; never the host.
      let chain: Promise<unknown> = openCache(directory, { maxBytes, onEvicted, reader: mp4FileReader }).then((c) => {
        cache = c;
        logRecovery(ctx.logger, directory, c.recovery);
        if (subscriber.closed) {
          settleWorkspace(undefined);
          void c.close();
          return;
        }
        // Work the segmenter defers (removing its init files) waits behind the segments already sent.
        settleWorkspace(
          workspaceOf(c, (work) => {
            chain = chain.then(
              () => work().catch(() => {}),
              () => {},
            );
          }),
        );
        unregisterReclaimer = ctx.services.diskSpace?.register(() => c.reclaimSpace());
        leaveQuota = ctx.services.cacheQuota?.register(quotaMemberOf(directory, c));
        metrics.set('mediagraph_cache_maximum_bytes', maxBytes);
        gauges(c);
        const queue: SegmentQueue = {
          next: (signal) => c.nextPending(signal),
          peekNext: () => c.peekPending(),
          markUploaded: async (id) => {
            await c.markUploaded(id);
            gauges(c);
          },
          release: (id) => c.release(id),
          pendingGaps: () => c.pendingGaps(),
          ackGaps: (gaps) => c.ackGaps(gaps),
          pendingRanges: () => c.pendingRanges(),
          ackRanges: (ranges) => c.ackRanges(ranges),
          inputEnded: c.inputEnded,
          gapsChanged: (signal) => c.gapsChanged(signal),
          stats: () => c.stats(),
          detach: () => {
            detached = true;
            finish();
          },
        };
        subscriber.next({ kind: 'segment-queue', queue, cacheDirectory: directory });
      });
      chain.catch((e: unknown) => {
        settleWorkspace(undefined);
        subscriber.error(e);
      });

      const handle = async (msg: SegmentStreamMessage): Promise<void> => {
        const c = cache;
        if (!c || c.closed) return;
        try {
          if (msg.kind === 'segment') {
            if (ctx.services.recordingFence && !ctx.services.recordingFence.allows(msg.startWallClockMs)) {
              await dropFenced(c, msg, ctx);
              return;
            }
            await c.add(msg);
            watchHighWater(c);
            gauges(c);
            // Not awaited: the quota may evict from this cache, whose lock must not be held here.
            void ctx.services.cacheQuota?.check().then(
              () => gauges(c),
              (e: unknown) => ctx.logger.warn('cache quota check failed', { error: e instanceof Error ? e.message : String(e) }),
            );
          } else if (msg.kind === 'gap') {
            await c.addGap(msg);
          }
        } catch (e) {
          if (e instanceof SegmentStrandedError) {
            // Not lost: it stays in the workspace and is moved with the next segment or at the next start.
            ctx.logger.warn('segment not yet cached: the cache folder refused it', { error: e.message });
            return;
          }
          // One bad segment (e.g. its file vanished) must not stop the recording.
          ctx.events.emit('DataDropped', { dataType: 'segment', count: 1, reason: e instanceof Error ? e.message : String(e) });
          ctx.logger.warn('segment not cached', { error: e instanceof Error ? e.message : String(e) });
          // Its time is a hole with a reason (if the journal can still take a record).
          if (msg.kind === 'segment') {
            await c.addGap({ kind: 'gap', startWallClockMs: msg.startWallClockMs, endWallClockMs: msg.endWallClockMs, reason: 'write-failed' }).catch(() => {});
          }
        }
      };

      const sub = segments$.subscribe({
        next: (msg) => {
          chain = chain.then(
            () => handle(msg),
            () => {},
          );
        },
        error: (e: unknown) => subscriber.error(e),
        complete: () => {
          chain = chain.then(
            async () => {
              // A clean end of the recording: the time until the next run is recorder-stopped, not down.
              await cache
                ?.markStopped()
                .catch((e: unknown) => ctx.logger.warn('could not journal the stop', { error: e instanceof Error ? e.message : String(e) }));
              cache?.endInput();
              inputDone = true;
              finish();
            },
            () => {},
          );
        },
      });
      return () => {
        settleWorkspace(undefined); // no effect once settled; else the segmenter writes to its own folder
        sub.unsubscribe();
        unregisterReclaimer?.();
        leaveQuota?.();
        // A hard stop (or the end): close once the queued work is done; never lose a durable add.
        // (A failed open was reported above; the chain is settled here so it is not reported twice.)
        void chain.catch(() => undefined).finally(() => cache?.close());
      };
    });
}

function cacheOpenError(directory: string, e: unknown): Error {
  const reason = e instanceof Error ? e.message : String(e);
  return new Error(reason.includes(directory) ? `cannot open the media cache: ${reason}` : `cannot open the media cache ${directory}: ${reason}`, { cause: e });
}

/** Opens the cache folder, creating it level by level; any failure becomes one clear line. */
async function openCache(directory: string, options: Parameters<typeof DurableSegmentCache.open>[1]): Promise<DurableSegmentCache> {
  try {
    makeDirectory(directory);
    return await DurableSegmentCache.open(directory, options);
  } catch (e) {
    throw cacheOpenError(directory, e);
  }
}

/** Before activation: the folder can be made and no other live process holds it. */
function prepareCache(config: DurableCacheConfig, ctx: Pick<NodeContext, 'instanceName' | 'nodeName' | 'services'>): void {
  const directory = cacheDirectoryFor(config, ctx);
  try {
    makeDirectory(directory);
    const holder = lockHolder(join(directory, 'lock'));
    if (holder) throw new CacheLockedError(directory, holder.pid);
  } catch (e) {
    throw cacheOpenError(directory, e);
  }
}

export const durableCacheNode = defineNode({
  type: DURABLE_CACHE_TYPE,
  role: 'processor',
  description: 'Keeps finished segments on disk within a size bound (oldest evicted first, gaps recorded) and lets one uploader pull them, oldest first.',
  configSchema: {
    type: 'object',
    required: ['localMediaCacheMaximumSizeMiB'],
    properties: {
      localMediaCachePath: { type: 'string', minLength: 1 },
      localMediaCacheMaximumSizeMiB: { type: ['string', 'integer'] },
    },
  },
  inputs: { segments: { kind: 'segment' } },
  // the queue hands each segment out once: a second consumer would steal half the recording
  output: { kind: 'cached-segment', singleConsumer: true },
  check: (config: DurableCacheConfig) => checkConfig(config),
  prepare: (config: DurableCacheConfig, ctx) => prepareCache(config, ctx),
  create: (config: DurableCacheConfig, ctx) => {
    const run = createCache(config, ctx);
    return (inputs) => run(inputs.segments);
  },
});

/**
 * Fleet: a segment that starts after this host may have lost the instance's lease (media a
 * paused host's sockets held) is not cached: another host records that time now, and the new
 * owner's `handover` gap covers it (docs/fleet.md, Fencing).
 */
async function dropFenced(c: DurableSegmentCache, msg: SegmentMessage, ctx: NodeContext): Promise<void> {
  const bytes = await stat(msg.path).then(
    (s) => s.size,
    () => 0,
  );
  if (dirname(msg.path) === c.workspaceDirectory) c.unreserve(bytes);
  await rm(msg.path, { force: true });
  ctx.events.emit('DataDropped', { dataType: 'segment', count: 1, reason: 'recorded after the instance lease may have been lost (fleet fencing)' });
  ctx.logger.warn('segment not cached: recorded after the lease may have been lost', { start: new Date(msg.startWallClockMs).toISOString() });
}
