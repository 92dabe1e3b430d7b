// The web viewer: an HTML page and its ES modules (no build step), hls.js from the installed
// package, a favicon, and the two read-only answers the page needs beyond the LVA-shaped API:
// each camera's status now, and a summary of an asset's newest recording (its extent and codecs).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { HttpError, sendJson, sendText } from '../http-io.ts';
import type { Route, RouteContext } from '../router.ts';
import { AssetNotFoundError } from '../playback/source.ts';
import { cameraBoardFor } from '../viewer/camera-status.ts';

const VIEWER_DIR = join(import.meta.dirname, '..', 'viewer');
const PAGE_PATH = join(VIEWER_DIR, 'index.html');
const FAVICON_PATH = join(VIEWER_DIR, 'favicon.svg');
/** The page's own modules and styles: plain names only, so no path leaves the folder. */
const ASSET_FILE = /^[a-z][a-z0-9-]*\.(js|css)$/;
const CONTENT_TYPES: Record<string, string> = { js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
/** An asset whose newest media ended less than this long ago is still being recorded. */
const LIVE_WITHIN_MS = 2 * 60_000;

function hlsPath(): string {
  return createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
}

const files = new Map<string, Promise<Buffer>>();
function cachedRead(path: string): Promise<Buffer> {
  let p = files.get(path);
  if (!p) {
    p = readFile(path);
    p.catch(() => files.delete(path));
    files.set(path, p);
  }
  return p;
}

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
].join('; ');

async function assetSummary(ctx: RouteContext): Promise<void> {
  const src = ctx.playback;
  if (!src) throw new HttpError(503, 'PlaybackNotConfigured', 'this server has no storage for playback (start it with a blob connection)');
  const asset = ctx.params['asset']!;
  try {
    const extent = await src.recordedExtent(asset);
    if (!extent) return sendJson(ctx.res, 200, { name: asset, codecs: [], live: false });
    // The codecs of the newest segments: what a player will meet first when it opens the asset.
    const newest = await src.listSegments(asset, Math.max(extent.startMs, extent.endMs - 60_000), extent.endMs + 1);
    const codecs = [
      ...new Set(
        (newest.at(-1)?.codecs ?? '')
          .split(',')
          .map((c) => c.trim())
          .filter(Boolean),
      ),
    ];
    sendJson(ctx.res, 200, {
      name: asset,
      start: new Date(extent.startMs).toISOString(),
      end: new Date(extent.endMs).toISOString(),
      codecs,
      live: Date.now() - extent.endMs < LIVE_WITHIN_MS,
    });
  } catch (e) {
    if (e instanceof AssetNotFoundError) throw new HttpError(404, 'AssetNotFound', e.message, 'asset');
    ctx.host.logger.warn('asset summary failed', { error: e instanceof Error ? e.message : String(e) });
    throw new HttpError(502, 'StorageError', 'storage failed');
  }
}

export const viewerRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/',
    handler: async ({ res }) => {
      sendText(res, 200, 'text/html; charset=utf-8', await cachedRead(PAGE_PATH), { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache' });
    },
  },
  {
    method: 'GET',
    path: '/viewer/{file}',
    handler: async ({ res, params }) => {
      const file = params['file']!;
      const m = ASSET_FILE.exec(file);
      if (!m) throw new HttpError(404, 'FileNotFound', `the viewer has no file "${file}"`);
      let body: Buffer;
      try {
        body = await cachedRead(join(VIEWER_DIR, file));
      } catch {
        throw new HttpError(404, 'FileNotFound', `the viewer has no file "${file}"`);
      }
      sendText(res, 200, CONTENT_TYPES[m[1]!]!, body, { 'cache-control': 'no-cache' });
    },
  },
  {
    method: 'GET',
    path: '/favicon.ico',
    // SVG under the conventional name: browsers that ask for /favicon.ico render it.
    handler: async ({ res }) => sendText(res, 200, 'image/svg+xml', await cachedRead(FAVICON_PATH), { 'cache-control': 'public, max-age=86400' }),
  },
  {
    method: 'GET',
    path: '/vendor/hls.min.js',
    handler: async ({ res }) => {
      sendText(res, 200, 'text/javascript; charset=utf-8', await cachedRead(hlsPath()), { 'cache-control': 'public, max-age=3600' });
    },
  },
  {
    method: 'GET',
    path: '/api/cameras',
    handler: ({ host, res }) => sendJson(res, 200, { value: cameraBoardFor(host).snapshot() }),
  },
  {
    method: 'GET',
    path: '/api/assets/{asset}/summary',
    handler: assetSummary,
  },
];
