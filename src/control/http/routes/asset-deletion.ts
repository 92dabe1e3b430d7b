// Deleting recordings: a whole asset, or the media of a time window (docs/storage-format.md,
// Deletion). Token-protected like every route but the liveness one.
import { HttpError, sendJson } from '../http-io.ts';
import type { Route, RouteContext } from '../router.ts';
import { AssetNotFoundError, type PlaybackSource } from '../playback/source.ts';

/** An instant with its offset: `2026-01-01T14:32:00Z` or `…+01:00` (a local time would be ambiguous). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/i;

function instant(ctx: RouteContext, name: string): number | undefined {
  const text = ctx.query.get(name);
  if (text === null) return undefined;
  const ms = INSTANT.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new HttpError(400, 'InvalidQuery', `${name} must be an ISO 8601 instant with its offset, such as 2026-01-01T14:32:00Z`, name);
  return ms;
}

function deleting(ctx: RouteContext): Required<Pick<PlaybackSource, 'deleteAsset' | 'deleteMedia'>> {
  const p = ctx.playback;
  if (!p?.deleteAsset || !p.deleteMedia)
    throw new HttpError(503, 'PlaybackNotConfigured', 'this server has no storage for recordings (start it with a blob connection or a store)');
  return { deleteAsset: p.deleteAsset.bind(p), deleteMedia: p.deleteMedia.bind(p) };
}

async function storageCall<T>(ctx: RouteContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AssetNotFoundError) throw new HttpError(404, 'AssetNotFound', e.message, 'asset');
    if (e instanceof HttpError) throw e;
    const code = (e as { code?: unknown }).code;
    ctx.host.logger.warn('deleting recordings failed', { path: ctx.req.url?.split('?')[0], error: e instanceof Error ? e.message : String(e) });
    throw new HttpError(502, 'StorageError', `storage failed${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

export const assetDeletionRoutes: readonly Route[] = [
  {
    method: 'DELETE',
    path: '/api/assets/{asset}',
    handler: async (ctx) => {
      const asset = ctx.params['asset']!;
      const store = deleting(ctx);
      if (ctx.recordingAssets?.recording(asset)) {
        throw new HttpError(409, 'AssetInUse', `asset "${asset}" is being recorded into; deactivate its instance first, or delete a time range`, 'asset');
      }
      const existed = await storageCall(ctx, () => store.deleteAsset(asset));
      ctx.host.logger.info('asset deleted', { asset, existed });
      if (!existed) {
        ctx.res.writeHead(204);
        ctx.res.end();
        return;
      }
      sendJson(ctx.res, 200, { asset });
    },
  },
  {
    method: 'DELETE',
    path: '/api/assets/{asset}/media',
    handler: async (ctx) => {
      const asset = ctx.params['asset']!;
      const store = deleting(ctx);
      const fromMs = instant(ctx, 'from') ?? 0;
      const toMs = instant(ctx, 'to');
      if (toMs === undefined)
        throw new HttpError(400, 'InvalidQuery', 'to is required: media recorded wholly before it (and from `from`, when given) is deleted', 'to');
      if (toMs <= fromMs) throw new HttpError(400, 'InvalidQuery', 'to must be after from', 'to');
      const d = await storageCall(ctx, () => store.deleteMedia(asset, fromMs, toMs));
      ctx.host.logger.info('media deleted', {
        asset,
        from: new Date(fromMs).toISOString(),
        to: new Date(toMs).toISOString(),
        segments: d.segments,
        bytes: d.bytes,
      });
      sendJson(ctx.res, 200, {
        deletedSegments: d.segments,
        deletedBytes: d.bytes,
        ...(d.range ? { start: new Date(d.range.startMs).toISOString(), end: new Date(d.range.endMs).toISOString() } : {}),
      });
    },
  },
];
