// The web viewer in a real browser (Debian's chromium through playwright-core): the page
// loads, shows instance states live, draws the known gap on the timeline, plays a clicked
// range with hls.js until the <video> advances, and shows no H.265 notice for an H.264 asset.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { get, instanceDoc, openTestHost, serve } from './http-support.ts';
import { recordAsset, ASSET, type RecordedAsset } from './playback-support.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { tickerTopology } from '../helpers/test-nodes.ts';
import type { MediaGraphHost } from '../../src/runtime/host.ts';

const CHROMIUM = '/usr/bin/chromium';
const skip = skipUnless(hasCommand(CHROMIUM, ['--version']), 'chromium') || skipUnless(hasCommand('ffmpeg'), 'ffmpeg');

describe('web viewer', { skip }, () => {
  const cleanups: (() => unknown)[] = [];
  const t0 = { after: (fn: () => unknown) => void cleanups.push(fn) };
  let rec: RecordedAsset;
  let host: MediaGraphHost;
  let url: string;

  before(async () => {
    rec = await recordAsset(t0);
    host = await openTestHost(t0);
    url = (await serve(t0, host, { playback: rec.playback })).url;
    await host.topologySet(tickerTopology('T'));
    await host.instanceSet(instanceDoc('cam-1', 'T', 'viewer'));
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  test('serves hls.js from the installed package', async () => {
    const r = await get(`${url}/vendor/hls.min.js`);
    assert.equal(r.status, 200);
    assert.match(r.headers.get('content-type') ?? '', /javascript/);
    assert.ok((await r.text()).length > 100_000);
  });

  test('page: live instance state, the gap on the timeline, a clicked range plays', async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--autoplay-policy=no-user-gesture-required',
      ],
      timeout: 20_000,
    });
    cleanups.push(() => browser.close());
    const page = await browser.newPage();
    page.setDefaultTimeout(15_000);
    const problems: string[] = [];
    page.on('pageerror', (e) => problems.push(e.message));
    await page.goto(url);

    // instances, then a state change arriving over SSE without a reload
    const state = page.locator('tr[data-instance="cam-1"] td.state');
    await state.filter({ hasText: 'Inactive' }).waitFor();
    await page.locator('#conn', { hasText: 'live' }).waitFor();
    await host.instanceActivate('cam-1');
    await state.filter({ hasText: /^Active$/ }).waitFor();
    await host.instanceDeactivate('cam-1');

    // the timeline: two ranges and the known gap between them
    const asset = page.locator(`.asset[data-asset="${ASSET}"]`);
    await asset.locator('.range').nth(1).waitFor();
    const gapStart = new Date(rec.gap.startMs).toISOString();
    const gap = asset.locator(`.gap[data-gap-start="${gapStart}"]`);
    assert.equal(await gap.count(), 1, 'the known gap is drawn');
    assert.equal(await gap.getAttribute('data-gap-end'), new Date(rec.gap.endMs).toISOString());
    assert.ok(((await gap.boundingBox())?.width ?? 0) > 0, 'visible');
    // drawn with its reason: the colour, the tooltip and the legend say why nothing was recorded
    assert.equal(await gap.getAttribute('data-reason'), 'camera-lost');
    assert.match((await gap.getAttribute('title')) ?? '', /camera lost/);
    assert.match(await page.locator('#legend [data-legend-reason="camera-lost"]').innerText(), /camera lost/);

    // no H.265 notice for this H.264 asset, whatever the browser can decode
    assert.equal(await page.locator('#hevc').isVisible(), false, 'no H.265 notice for an H.264 asset');

    // click the first range and wait for the video to advance
    await asset.locator('.range').first().click();
    await page.waitForFunction(
      () => {
        const doc = (globalThis as unknown as { document: { querySelector(s: string): { currentTime: number } | null } }).document;
        return (doc.querySelector('video')?.currentTime ?? 0) > 0;
      },
      undefined,
      { timeout: 15_000 },
    );
    const src = await page.locator('video').getAttribute('data-playing');
    assert.match(src ?? '', new RegExp(`/api/assets/${ASSET}/playlist\\.m3u8\\?startTime=`));
    assert.equal(await page.locator('#player-error').isVisible(), false, (await page.locator('#player-error').textContent()) ?? '');
    assert.deepEqual(problems, []);
  });
});
