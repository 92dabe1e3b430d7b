// The web viewer: one HTML page (no build step) and hls.js from the installed package.
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { sendText } from '../http-io.ts';
import type { Route } from '../router.ts';

const PAGE_PATH = join(import.meta.dirname, '..', 'viewer', 'index.html');

function hlsPath(): string {
  return createRequire(import.meta.url).resolve('hls.js/dist/hls.min.js');
}

let page: Promise<Buffer> | undefined;
let hls: Promise<Buffer> | undefined;

const PAGE_CSP = [
  "default-src 'self'",
  "script-src 'self' 'unsafe-inline'",
  "style-src 'self' 'unsafe-inline'",
  "media-src 'self' blob:",
  "worker-src 'self' blob:",
  "connect-src 'self'",
  "img-src 'self' data:",
].join('; ');

export const viewerRoutes: readonly Route[] = [
  {
    method: 'GET',
    path: '/',
    handler: async ({ res }) => {
      page ??= readFile(PAGE_PATH);
      sendText(res, 200, 'text/html; charset=utf-8', await page, { 'content-security-policy': PAGE_CSP, 'cache-control': 'no-cache' });
    },
  },
  {
    method: 'GET',
    path: '/vendor/hls.min.js',
    handler: async ({ res }) => {
      hls ??= readFile(hlsPath());
      sendText(res, 200, 'text/javascript; charset=utf-8', await hls, { 'cache-control': 'public, max-age=3600' });
    },
  },
];
