// Playback in place of Azure Media Services streaming: the asset list, LVA's
// availableMedia discovery query, an HLS fMP4 playlist for a time window, and the init and
// media segments streamed from storage (with single byte ranges).
import type { ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { HttpError, sendJson, sendText } from '../http-io.ts';
import type { Route, RouteContext } from '../router.ts';
import { AssetNotFoundError, RangeNotSatisfiableError, type BlobBytes, type ByteRange, type PlaybackSource } from '../playback/source.ts';
import { QueryError, parseAvailableMediaQuery, parsePlaylistWindow, rangesAtPrecision, formatAt, nextUnit, unitFloor } from '../playback/time-query.ts';
import { buildMediaPlaylist, GAP_TOLERANCE_MS } from '../playback/playlist.ts';

/** A playlist is "live" while its newest segment ended less than this long ago. */
const LIVE_WITHIN_MS = 2 * 60_000;

function source(ctx: RouteContext): PlaybackSource {
  if (!ctx.playback) throw new HttpError(503, 'PlaybackNotConfigured', 'this server has no storage for playback (start it with a blob connection)');
  return ctx.playback;
}

/** Maps playback failures to HTTP errors; storage failures stay 5xx without their details. */
async function playbackCall<T>(ctx: RouteContext, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AssetNotFoundError) throw new HttpError(404, 'AssetNotFound', e.message, 'asset');
    if (e instanceof QueryError) throw new HttpError(400, 'InvalidQuery', e.message, e.target);
    if (e instanceof HttpError || e instanceof RangeNotSatisfiableError) throw e;
    const code = (e as { code?: unknown }).code;
    // BlobStoreError messages are redacted at the source; the logger redacts known secrets too.
    ctx.host.logger.warn('playback storage call failed', { path: ctx.req.url?.split('?')[0], error: e instanceof Error ? e.message : String(e) });
    throw new HttpError(502, 'StorageError', `storage failed${typeof code === 'string' ? ` (${code})` : ''}`);
  }
}

/** `Range: bytes=a-b` / `bytes=a-` / `bytes=-n`; multiple ranges are answered whole. */
function parseRange(header: string | undefined): ByteRange | 'suffix' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') return 'suffix';
  // Digits beyond 2^53 are past any blob: a start there is unsatisfiable (416), an end there
  // means "to the end" (RFC 9110 clamps the last position to the size).
  const start = Math.min(Number(m[1]), Number.MAX_SAFE_INTEGER);
  const endValue = m[2] === '' ? undefined : Number(m[2]);
  const end = endValue !== undefined && endValue < Number.MAX_SAFE_INTEGER ? endValue : undefined;
  if (end !== undefined && end < start) return undefined;
  return { start, ...(end !== undefined ? { end } : {}) };
}

async function streamBlob(
  ctx: RouteContext,
  read: (range: ByteRange | undefined, signal: AbortSignal) => Promise<BlobBytes | undefined>,
  what: string,
): Promise<void> {
  const { req, res } = ctx;
  const abort = new AbortController();
  res.on('close', () => abort.abort());
  let range = parseRange(req.headers.range);
  if (range === 'suffix') range = undefined; // rare for players; the whole blob is a valid answer
  let blob: BlobBytes | undefined;
  try {
    blob = await playbackCall(ctx, () => read(range, abort.signal));
  } catch (e) {
    if (e instanceof RangeNotSatisfiableError) {
      res.writeHead(416, { 'content-range': `bytes */${e.totalSize}` });
      res.end();
      return;
    }
    throw e;
  }
  if (!blob) throw new HttpError(404, 'BlobNotFound', `${what} does not exist`);
  const headers: Record<string, string | number> = {
    'content-type': blob.contentType,
    'content-length': blob.contentLength,
    'accept-ranges': 'bytes',
    // Recorded media never changes under a name.
    'cache-control': 'public, max-age=86400, immutable',
    ...(blob.etag ? { etag: blob.etag } : {}),
  };
  if (blob.range) headers['content-range'] = `bytes ${blob.range.start}-${blob.range.end}/${blob.totalSize}`;
  res.writeHead(blob.range ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    blob.body.destroy();
    res.end();
    return;
  }
  await pipeline(blob.body, res).catch(() => res.destroy());
}

function playlistText(res: ServerResponse, text: string): void {
  sendText(res, 200, 'application/vnd.apple.mpegurl', text, { 'cache-control': 'no-store' });
}

export const playbackRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/api/assets',
    handler: async (ctx) => {
      const names = await playbackCall(ctx, () => source(ctx).listAssets());
      sendJson(ctx.res, 200, { value: names.map((name) => ({ name })) });
    },
  },
  {
    method: 'GET',
    path: '/api/assets/{asset}/availableMedia',
    handler: async (ctx) => {
      const asset = ctx.params['asset']!;
      const src = source(ctx);
      const body = await playbackCall(ctx, async () => {
        const q = parseAvailableMediaQuery(ctx.query);
        let { fromMs, toMs } = q;
        if (fromMs === undefined || toMs === undefined) {
          // year without bounds: the first or last year of the recording
          const extent = await src.recordedExtent(asset);
          if (!extent) return { timeRanges: [] };
          fromMs ??= unitFloor('year', extent.startMs);
          toMs ??= nextUnit('year', extent.endMs - 1);
        }
        const media = await src.availableMedia(asset, fromMs, toMs);
        return {
          timeRanges: rangesAtPrecision(q.precision, media.ranges),
          // Not in LVA: known gaps with their reason, at full precision only.
          ...(q.precision === 'full'
            ? {
                gaps: media.gaps.map((g) => ({
                  start: formatAt('full', g.startMs),
                  end: formatAt('full', g.endMs),
                  ...(g.reason ? { reason: g.reason } : {}),
                })),
              }
            : {}),
        };
      });
      sendJson(ctx.res, 200, body);
    },
  },
  {
    method: 'GET',
    path: '/api/assets/{asset}/playlist.m3u8',
    handler: async (ctx) => {
      const asset = ctx.params['asset']!;
      const src = source(ctx);
      const text = await playbackCall(ctx, async () => {
        const now = Date.now();
        const explicit = ctx.query.get('startTime');
        // The default window is anchored on the recording's end, which needs the extent first.
        const extent = explicit ? undefined : await src.recordedExtent(asset);
        const window = parsePlaylistWindow(ctx.query, now, extent?.endMs);
        const [segments, media] = await Promise.all([
          src.listSegments(asset, window.fromMs, window.toMs),
          src.availableMedia(asset, window.fromMs, window.toMs),
        ]);
        const newestEnd = segments.at(-1)?.endMs ?? 0;
        const stillWriting = now - newestEnd < LIVE_WITHIN_MS && window.toMs >= newestEnd - GAP_TOLERANCE_MS;
        // The window ends (EXT-X-ENDLIST) when its end has passed, when nothing was written to
        // it lately, or when this host's recording into the asset stopped: an end time in the
        // future does not keep a finished recording open (a player would poll it forever).
        const ended = (window.closedByCaller && window.toMs <= now) || !stillWriting || (ctx.recordingAssets?.stopped(asset) ?? false);
        return buildMediaPlaylist({
          segments,
          closed: ended,
          initUri: (id) => `init/${encodeURIComponent(id)}.mp4`,
          segmentUri: (s) => `segments/${encodeURIComponent(s.name)}`,
          gaps: media.gaps,
        });
      });
      playlistText(ctx.res, text);
    },
  },
  {
    method: 'GET',
    path: '/api/assets/{asset}/init/{id}.mp4',
    handler: (ctx) =>
      streamBlob(ctx, (range, signal) => source(ctx).initSegment(ctx.params['asset']!, ctx.params['id']!, range, signal), `init segment "${ctx.params['id']}"`),
  },
  {
    method: 'GET',
    path: '/api/assets/{asset}/segments/{name}',
    handler: (ctx) =>
      streamBlob(
        ctx,
        (range, signal) => source(ctx).readBlob(ctx.params['asset']!, `segments/${ctx.params['name']!}`, range, signal),
        `segment "${ctx.params['name']}"`,
      ),
  },
];
