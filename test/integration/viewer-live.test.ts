// The viewer as a person uses it, in a real browser (Debian's chromium through playwright-core,
// with its default autoplay policy) against a real host recording a simulated camera into a
// real Azurite: the page opens playing the newest recording without a click and follows it
// live; the timeline grows by itself; a stopped camera is marked offline; a click in the middle
// of a range plays from that instant, and the player's clock (browser time zone) says so; the
// H.265 notice shows for an H.265 asset only. Screenshots go to docs/images/ when asked
// (MEDIAGRAPH_SCREENSHOTS=1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { startHttpServer } from '../../src/control/http/server.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';
import { BlobAssetStore } from '../../src/storage/blob/blob-asset-store.ts';
import { shortSegmentTopology, RECORDER_ASSET } from './short-segment-recorder.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { fixtureAvailable, fixturePath } from '../helpers/fixtures.ts';
import { until } from '../helpers/until.ts';

const CHROMIUM = '/usr/bin/chromium';
const ZONE = 'America/New_York';
const HEVC_ASSET = 'hevc-cam';
const SCREENSHOTS = process.env['MEDIAGRAPH_SCREENSHOTS'] === '1';
const skip = skipUnless(hasCommand(CHROMIUM, ['--version']), 'chromium') || skipUnless(hasCommand('ffmpeg'), 'ffmpeg');

/** What the page shows, read in one turn of its event loop. Functions, not strings: the CSP forbids eval. */
interface Seen {
  currentTime: number;
  readyState: number;
  paused: boolean;
  src: string;
  clockText: string;
  clockMs: number | undefined;
  seeking: boolean;
  opens: number;
}
type Doc = {
  querySelector(s: string): {
    currentTime: number;
    readyState: number;
    paused: boolean;
    seeking: boolean;
    dataset: Record<string, string | undefined>;
    textContent: string | null;
  } | null;
};
const seen = (): Seen => {
  const doc = (globalThis as unknown as { document: Doc }).document;
  const v = doc.querySelector('video')!;
  const clock = doc.querySelector('#clock')!;
  return {
    currentTime: v.currentTime,
    readyState: v.readyState,
    paused: v.paused,
    src: v.dataset['playing'] ?? '',
    clockText: clock.textContent ?? '',
    clockMs: clock.dataset['ms'] !== undefined ? Number(clock.dataset['ms']) : undefined,
    seeking: v.seeking,
    opens: Number(v.dataset['opens'] ?? 0),
  };
};

/** "14:32:05" for `ms` in `zone`, as the page must show it. */
function wallClock(ms: number, zone: string): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: zone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(ms);
}

/** A short H.265 asset, cut by ffmpeg from the H.265 fixture and uploaded with the asset layout. */
async function uploadHevcAsset(connection: string, dir: string, baseMs: number): Promise<void> {
  const out = join(dir, 'hevc');
  const ff = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      fixturePath('h265-360p'),
      '-t',
      '4',
      '-c',
      'copy',
      '-tag:v',
      'hvc1',
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_time',
      '2',
      '-hls_playlist_type',
      'vod',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      join(dir, 'hevc%d.m4s'),
      `${out}.m3u8`,
    ],
    { timeout: 20_000 },
  );
  assert.equal(ff.status, 0, ff.stderr?.toString());
  const store = await BlobAssetStore.create(connection, HEVC_ASSET);
  const initPath = join(dir, 'init.mp4');
  await store.uploadInit({ id: 'hevc', path: initPath });
  for (let i = 0; i < 2; i++) {
    const at = baseMs + i * 2000;
    await store.uploadSegment({
      path: join(dir, `hevc${i}.m4s`),
      startWallClockMs: at,
      endWallClockMs: at + 2000,
      mediaDurationMs: 2000,
      tracks: [{ trackId: 1, mediaType: 'video', codecString: 'hvc1.1.6.L90.B0', sampleCount: 50, durationMs: 2000 }],
      init: { id: 'hevc', path: initPath, byteSize: readFileSync(initPath).length },
    });
  }
  await store.recordInIndex({ ranges: [{ startMs: baseMs, endMs: baseMs + 4000 }], gaps: [] });
}

test('viewer: plays the newest recording without a click, follows it live, marks a stopped camera offline, seeks to a clicked time', {
  skip,
  timeout: 90_000,
}, async (t) => {
  const began = Date.now();
  const lap = (what: string): void => t.diagnostic(`${what} at ${((Date.now() - began) / 1000).toFixed(1)} s`);
  const dir = mkdtempSync(join(tmpdir(), 'mg-viewer-'));
  const cleanups: (() => unknown)[] = [];
  t.after(async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });
  // the browser starts while the recording does
  const { chromium } = await import('playwright-core');
  // No --autoplay-policy flag: the page must start muted playback under the browser's own rules.
  const browserLaunch = chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    timeout: 20_000,
  });
  cleanups.push(() => browserLaunch.then((b) => b.close()));
  const azurite = await startAzurite();
  cleanups.push(() => azurite.close());
  const camera = await startSimulatedCamera({ file: fixturePath('h264-360p-aac'), speed: 1 });
  let cameraClosed = false;
  cleanups.push(() => (cameraClosed ? undefined : camera.close()));
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 5000,
    services: { blobConnection: azurite.connectionString },
  });
  cleanups.push(() => host.close());
  const uploads: string[] = [];
  const sub = host.events$.subscribe((e) => {
    if (e.type === 'SegmentUploaded') uploads.push(e.eventTime);
  });
  cleanups.push(() => sub.unsubscribe());
  const server = await startHttpServer(host, { playback: await BlobPlaybackSource.create(azurite.connectionString) });
  cleanups.push(() => server.close());
  lap('storage and camera ready');
  await host.topologySet(shortSegmentTopology());
  await host.instanceSet({
    name: 'cam1',
    properties: {
      topologyName: 'ShortSegments',
      parameters: [
        { name: 'rtspUrl', value: camera.url },
        { name: 'cachePath', value: join(dir, 'cache') },
      ],
    },
  });
  await host.instanceActivate('cam1');
  const withHevc = fixtureAvailable('h265-360p');
  // an older H.265 recording, so the newest (opened first) is the camera's H.264 one
  if (withHevc) await uploadHevcAsset(azurite.connectionString, dir, Math.floor(Date.now() / 1000) * 1000 - 3 * 60_000);
  await until(() => uploads.length >= 3, 25_000, 'three segments uploaded');

  lap('segments uploaded');
  const browser = await browserLaunch;
  const context = await browser.newContext({ timezoneId: ZONE, viewport: { width: 1000, height: 800 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(e.message));
  page.on('response', (r) => {
    // a host outside a fleet answers /api/fleet with 404, once: the viewer then hides its fleet panel
    if (r.status() >= 400 && !(r.status() === 404 && new URL(r.url()).pathname === '/api/fleet')) problems.push(`${r.status()} ${r.url()}`);
  });
  lap('browser open');
  await page.goto(server.url);

  // 1. playing without a click: the clock advances, frames are decoded, and it is the live recording
  const first = await (async () => {
    await page.waitForFunction(
      () => {
        const v = (globalThis as unknown as { document: Doc }).document.querySelector('video');
        return v !== null && v.readyState >= 2 && v.currentTime > 0.5 && !v.paused;
      },
      undefined,
      { timeout: 20_000 },
    );
    return page.evaluate(seen);
  })();
  assert.match(first.src, new RegExp(`/api/assets/${RECORDER_ASSET}/playlist\\.m3u8\\?startTime=[^&]+$`), 'the newest asset, live (no endTime)');
  await page.waitForTimeout(1200);
  const later = await page.evaluate(seen);
  assert.ok(later.currentTime > first.currentTime + 0.5, `video advances: ${first.currentTime} → ${later.currentTime}`);
  assert.ok(later.readyState >= 2, `readyState ${later.readyState}`);
  // the clock is wall-clock time in the browser's zone, close to now (live), not elapsed time
  assert.ok(later.clockMs !== undefined && Math.abs(Date.now() - later.clockMs) < 20_000, `clock ${later.clockText} is near now`);
  assert.ok(later.clockText.endsWith(wallClock(later.clockMs!, ZONE)), `"${later.clockText}" shows ${ZONE} time ${wallClock(later.clockMs!, ZONE)}`);
  assert.equal(await page.locator('#hevc').isVisible(), false, 'no H.265 notice for an H.264 asset');
  assert.equal(await page.locator('#live-badge').isVisible(), true, 'LIVE badge');

  lap('playing without a click');
  // 2. the timeline grows as segments land, without a reload or a click
  const asset = page.locator(`.asset[data-asset="${RECORDER_ASSET}"]`);
  /** Clicks the middle of the asset's first range; the instant clicked (the range not redrawn meanwhile). */
  const clickMiddleOfRange = async (): Promise<number> => {
    for (let attempt = 0; attempt < 8; attempt++) {
      const range = asset.locator('.range').first();
      const start = Date.parse((await range.getAttribute('data-range-start'))!);
      const end = await range.getAttribute('data-range-end');
      const box = await range.boundingBox();
      if (!box) continue; // redrawn meanwhile
      await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
      if ((await range.getAttribute('data-range-end')) === end) return start + (Date.parse(end!) - start) / 2;
    }
    throw new Error('the range was redrawn under every click');
  };
  /**
   * What the player shows first once it was opened again (since `opensBefore`) and has a frame:
   * the clicked instant when it seeks there, the range start when it only plays the range.
   */
  const firstClockAfterOpen = async (opensBefore: number): Promise<Seen> => {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const s = await page.evaluate(seen);
      if (s.opens > opensBefore && s.readyState >= 2 && !s.seeking && s.clockMs !== undefined) return s;
      if (Date.now() > deadline) throw new Error(`the player did not show the new position: ${JSON.stringify(s)}`);
      await page.waitForTimeout(40);
    }
  };
  const opens = async (): Promise<number> => Number(await page.locator('video').getAttribute('data-opens'));
  const rangeEnd = async (): Promise<number> => Date.parse((await asset.locator('.range').last().getAttribute('data-range-end')) ?? '');
  const endBefore = await rangeEnd();
  const deadline = Date.now() + 15_000;
  while ((await rangeEnd()) <= endBefore) {
    assert.ok(Date.now() < deadline, `the range end stayed at ${new Date(endBefore).toISOString()}`);
    await page.waitForTimeout(250);
  }
  // one label scheme on the axis: local times, none of them UTC
  const ticks = await page.locator('#axis .tick').allTextContents();
  assert.ok(ticks.length >= 2, ticks.join());
  assert.ok(
    ticks.every((x) => !/UTC|Z$/.test(x)),
    ticks.join(),
  );
  // a click in the middle of the live range plays from there, still following the recording
  const opensBeforeLive = await opens();
  const liveClick = await clickMiddleOfRange();
  const afterLiveClick = await firstClockAfterOpen(opensBeforeLive);
  assert.ok(Math.abs(afterLiveClick.clockMs! - liveClick) < 2000, `clock ${afterLiveClick.clockText} within 2 s of the clicked ${wallClock(liveClick, ZONE)}`);
  assert.doesNotMatch(afterLiveClick.src, /endTime=/, 'a live range stays live after a seek');
  const camRow = page.locator('tr[data-instance="cam1"]');
  await camRow.locator('td.camera', { hasText: 'recording' }).waitFor();
  // a poster frame per range, decoded by the browser
  await asset.locator('.poster img[src^="data:image/jpeg"]').first().waitFor();
  if (SCREENSHOTS) await page.screenshot({ path: 'docs/images/viewer-live.png' });

  lap('timeline grew');
  // 3. the camera goes away: marked offline within a bounded wait
  await camera.close();
  cameraClosed = true;
  const stoppedAt = Date.now();
  await page.locator('tr[data-instance="cam1"][data-online="false"] td.camera', { hasText: 'camera lost' }).waitFor({ timeout: 10_000 });
  const offlineMs = Date.now() - stoppedAt;
  assert.match((await camRow.locator('.badge').textContent()) ?? '', /offline/);
  await page.locator('#live-badge').waitFor({ state: 'hidden' });
  if (SCREENSHOTS) await page.screenshot({ path: 'docs/images/viewer-camera-offline.png' });

  lap('camera marked offline');
  // 4. a click in the middle of the (now finished) range plays from that instant
  await page.waitForTimeout(1500); // the last segment's upload redraws the range once
  const opensBefore = await opens();
  const clicked = await clickMiddleOfRange();
  const afterClick = await firstClockAfterOpen(opensBefore);
  assert.match(afterClick.src, /endTime=/, 'a finished range plays as a closed window');
  assert.ok(Math.abs(afterClick.clockMs! - clicked) < 2000, `clock ${afterClick.clockText} within 2 s of the clicked ${wallClock(clicked, ZONE)}`);
  assert.ok(afterClick.clockText.endsWith(wallClock(afterClick.clockMs!, ZONE)));
  const playheadShown = await asset.locator('.playhead').isVisible();
  assert.ok(playheadShown, 'the playhead marks the playing instant');
  // the download button offers the playing range as the timeline shows it
  const href = (await page.locator('#download').getAttribute('href')) ?? '';
  assert.match(href, new RegExp(`^/api/assets/${RECORDER_ASSET}/download\\.mp4\\?startTime=.+&endTime=.+`));
  const dl = await fetch(`${server.url}${href}`);
  assert.equal(dl.status, 200);
  assert.ok((await dl.arrayBuffer()).byteLength > 10_000);
  if (SCREENSHOTS) {
    const bar = (await asset.locator('.timeline').boundingBox())!;
    await page.mouse.move(bar.x + bar.width * 0.8, bar.y + bar.height / 2);
    await page.screenshot({ path: 'docs/images/viewer-seek.png' });
  }

  lap('seeked to the clicked time');
  // 5. the H.265 notice, for the H.265 asset only (and only where this browser cannot decode it)
  if (withHevc) {
    const hevcPlays = await page.evaluate(() => {
      const ms = (globalThis as unknown as { MediaSource?: { isTypeSupported(t: string): boolean } }).MediaSource;
      return ms !== undefined && ['hvc1.1.6.L93.B0', 'hev1.1.6.L93.B0'].some((c) => ms.isTypeSupported(`video/mp4; codecs="${c}"`));
    });
    assert.equal(await page.locator(`.asset[data-asset="${HEVC_ASSET}"] .codec`).textContent(), 'H.265');
    const r = page.locator(`.asset[data-asset="${HEVC_ASSET}"] .range`).first();
    await r.waitFor();
    await r.click();
    await page.waitForFunction(
      (name) => (globalThis as unknown as { document: Doc }).document.querySelector('video')!.dataset['playing']?.includes(`/api/assets/${name}/`),
      HEVC_ASSET,
    );
    assert.equal(await page.locator('#hevc').isVisible(), !hevcPlays, 'H.265 notice exactly when this browser cannot play the H.265 asset');
  }

  const favicon = await fetch(`${server.url}/favicon.ico`);
  assert.equal(favicon.status, 200);
  assert.match(favicon.headers.get('content-type') ?? '', /^image\//);
  assert.deepEqual(problems, []);
  t.diagnostic(`camera marked offline ${offlineMs} ms after it stopped`);
});
