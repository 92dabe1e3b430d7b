// The viewer's download button and poster frames. Download: one continuous run of an asset's recording (whole segments
// behind their init segment, as stored; `mediagraph export` instead cuts to the frame into a
// progressive .mp4) as one fragmented .mp4 attachment. A window that holds a gap or a codec change is cut at the first
// one: a file never holds a timestamp jump; the response says how many runs the window held.
import { once } from 'node:events';
import type { Readable } from 'node:stream';
import type { ServerResponse } from 'node:http';
import { HttpError } from '../http-io.ts';
import type { Route, RouteContext } from '../router.ts';
import { AssetNotFoundError } from '../playback/source.ts';
import { continuousRuns } from '../../export/export-range.ts';
import { firstFragmentEnd } from '../../../media/mp4/first-fragment-end.ts';

/** At most this much in one download (a day of one camera is tens of GB). */
const MAX_DOWNLOAD_MS = 2 * 3_600_000;

function instant(ctx: RouteContext, name: string): number {
  const text = ctx.query.get(name);
  const ms = text ? Date.parse(text) : Number.NaN;
  if (Number.isNaN(ms)) throw new HttpError(400, 'InvalidQuery', `${name} must be an ISO 8601 date-time, e.g. 2026-11-30T08:00:00Z`, name);
  return ms;
}

/** "cam1-2026-11-30T08-00-00Z.mp4": the asset and the first segment's start, safe in a file name. */
function fileName(asset: string, startMs: number): string {
  const time = new Date(startMs)
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
  return `${asset.replace(/[^A-Za-z0-9_-]/g, '_')}-${time}.mp4`;
}

/** Copies one blob into the response, which stays open for the next (respecting backpressure). */
async function copyInto(body: Readable, res: ServerResponse, signal: AbortSignal): Promise<void> {
  try {
    for await (const chunk of body) {
      if (res.destroyed) throw new Error('the client went away');
      if (!res.write(chunk)) await once(res, 'drain', { signal });
    }
  } finally {
    body.destroy();
  }
}

async function download(ctx: RouteContext): Promise<void> {
  const src = ctx.playback;
  if (!src) throw new HttpError(503, 'PlaybackNotConfigured', 'this server has no storage for playback (start it with a blob connection)');
  const asset = ctx.params['asset']!;
  const fromMs = instant(ctx, 'startTime');
  const toMs = instant(ctx, 'endTime');
  if (toMs <= fromMs) throw new HttpError(400, 'InvalidQuery', 'endTime must be after startTime', 'endTime');
  if (toMs - fromMs > MAX_DOWNLOAD_MS)
    throw new HttpError(400, 'InvalidQuery', `a download covers at most ${MAX_DOWNLOAD_MS / 3_600_000} hours; use \`mediagraph export\` for more`, 'endTime');
  let segments;
  try {
    segments = await src.listSegments(asset, fromMs, toMs);
  } catch (e) {
    if (e instanceof AssetNotFoundError) throw new HttpError(404, 'AssetNotFound', e.message, 'asset');
    throw new HttpError(502, 'StorageError', 'storage failed');
  }
  const runs = continuousRuns(segments);
  const run = runs[0];
  if (!run) throw new HttpError(404, 'NoMedia', `no media in ${asset} between ${new Date(fromMs).toISOString()} and ${new Date(toMs).toISOString()}`);
  const abort = new AbortController();
  ctx.res.on('close', () => abort.abort());
  const init = await src.initSegment(asset, run[0]!.initId, undefined, abort.signal);
  if (!init) throw new HttpError(502, 'StorageError', `the init segment of ${run[0]!.name} is missing`);
  ctx.res.writeHead(200, {
    'content-type': 'video/mp4',
    'content-disposition': `attachment; filename="${fileName(asset, run[0]!.startMs)}"`,
    'cache-control': 'no-store',
    'x-mediagraph-start': new Date(run[0]!.startMs).toISOString(),
    'x-mediagraph-end': new Date(run.at(-1)!.endMs).toISOString(),
    'x-mediagraph-continuous-runs': String(runs.length),
  });
  if (ctx.req.method === 'HEAD') {
    init.body.destroy();
    ctx.res.end();
    return;
  }
  // Streamed one blob after another; once the headers are out, a failure can only cut the body.
  try {
    await copyInto(init.body, ctx.res, abort.signal);
    for (const s of run) {
      const blob = await src.readBlob(asset, `segments/${s.name}`, undefined, abort.signal);
      if (!blob) throw new Error(`${s.name} disappeared while downloading`);
      await copyInto(blob.body, ctx.res, abort.signal);
    }
    ctx.res.end();
  } catch (e) {
    ctx.host.logger.warn('download cut short', { asset, error: e instanceof Error ? e.message : String(e) });
    ctx.res.destroy();
  }
}

/** Bytes read first to find where a segment's first fragment ends (its moof is a few KB). */
const HEAD_BYTES = 64 * 1024;

/**
 * A poster for the instant `at`: the init segment and the first fragment (one GOP, starting on a
 * keyframe) of the segment that holds `at`, or of the next one; the browser decodes its first
 * frame. No decoder on the server: the keyframe is found by the container alone.
 */
async function poster(ctx: RouteContext): Promise<void> {
  const src = ctx.playback;
  if (!src) throw new HttpError(503, 'PlaybackNotConfigured', 'this server has no storage for playback (start it with a blob connection)');
  const asset = ctx.params['asset']!;
  const at = instant(ctx, 'at');
  let segment;
  try {
    segment = (await src.listSegments(asset, at, at + 1))[0] ?? (await src.listSegments(asset, at, at + 15 * 60_000))[0];
  } catch (e) {
    if (e instanceof AssetNotFoundError) throw new HttpError(404, 'AssetNotFound', e.message, 'asset');
    throw new HttpError(502, 'StorageError', 'storage failed');
  }
  if (!segment) throw new HttpError(404, 'NoMedia', `no media in ${asset} at or within 15 minutes after ${new Date(at).toISOString()}`);
  const name = `segments/${segment.name}`;
  const read = async (end?: number): Promise<Buffer> => {
    const blob = await src.readBlob(asset, name, { start: 0, ...(end !== undefined ? { end } : {}) });
    if (!blob) throw new HttpError(404, 'NoMedia', `${segment.name} disappeared`);
    const chunks: Buffer[] = [];
    for await (const c of blob.body) chunks.push(c as Buffer);
    return Buffer.concat(chunks);
  };
  let bytes = await read(HEAD_BYTES - 1);
  const end = firstFragmentEnd(bytes);
  if (end === undefined) throw new HttpError(502, 'StorageError', `${segment.name} does not begin with a fragment`);
  if (end > bytes.length) bytes = await read(Number.isFinite(end) ? end - 1 : undefined);
  const fragment = bytes.subarray(0, Math.min(end, bytes.length));
  const init = await src.initSegment(asset, segment.initId);
  if (!init) throw new HttpError(502, 'StorageError', `the init segment of ${segment.name} is missing`);
  const initChunks: Buffer[] = [];
  for await (const c of init.body) initChunks.push(c as Buffer);
  const body = Buffer.concat([...initChunks, fragment]);
  ctx.res.writeHead(200, {
    'content-type': 'video/mp4',
    'content-length': body.length,
    // recorded media never changes under a name; the answer for `at` is that segment's
    'cache-control': 'public, max-age=3600',
    'x-mediagraph-start': new Date(segment.startMs).toISOString(),
  });
  ctx.res.end(ctx.req.method === 'HEAD' ? undefined : body);
}

export const downloadRoutes: readonly Route[] = [
  { method: 'GET', path: '/api/assets/{asset}/download.mp4', handler: download },
  { method: 'GET', path: '/api/assets/{asset}/poster.mp4', handler: poster },
];
