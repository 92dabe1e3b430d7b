// The answers the viewer needs beyond LVA's API, over real HTTP: each camera's status from the
// host's events (a camera that rejects the password, one that cannot be reached), an asset's
// summary (extent, codecs), the download of a window, the viewer's own files and its favicon.
import { test, after, before, describe } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { startSimulatedCamera, type SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { get, serve } from './http-support.ts';
import { recordAsset, ASSET, SEGMENT_MS, type RecordedAsset } from './playback-support.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const PASSWORD = 'Right-Pass-42';
const WRONG = 'Wrong-Pass-17';

interface Camera {
  instance: string;
  state: string;
  phase: string;
  online: boolean;
  since?: string;
  message?: string;
  asset?: string;
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', () => r()));
  const port = (s.address() as { port: number }).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('viewer API', { skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg') }, () => {
  const cleanups: (() => unknown)[] = [];
  const t0 = { after: (fn: () => unknown) => void cleanups.push(fn) };
  let rec: RecordedAsset;
  let host: MediaGraphHost;
  let camera: SimulatedCamera;
  let url: string;

  before(async () => {
    rec = await recordAsset(t0);
    const dir = mkdtempSync(join(tmpdir(), 'mg-viewer-api-'));
    t0.after(() => rmSync(dir, { recursive: true, force: true }));
    camera = await startSimulatedCamera({ file: fixturePath('h264-360p-aac'), speed: 1, auth: { username: 'viewer', password: PASSWORD, scheme: 'digest' } });
    t0.after(() => camera.close());
    host = await MediaGraphHost.open({
      dataDirectory: join(dir, 'host'),
      registry: createBuiltinRegistry(),
      logLevel: 'silent',
      deactivateTimeoutMs: 5000,
      services: { blobConnection: rec.location },
    });
    t0.after(() => host.close());
    url = (await serve(t0, host, { playback: rec.playback })).url;
    await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
    const params = (rtspUrl: string, password: string): Record<string, unknown> => ({
      topologyName: 'CVRToAsset',
      parameters: [
        { name: 'rtspUrl', value: rtspUrl },
        { name: 'rtspUserName', value: 'viewer' },
        { name: 'rtspPassword', value: password },
        { name: 'cachePath', value: join(dir, 'cache') },
      ],
    });
    await host.instanceSet({ name: 'wrongpass', properties: params(camera.url, WRONG) });
    await host.instanceSet({ name: 'unplugged', properties: params(`rtsp://127.0.0.1:${await closedPort()}/camera`, PASSWORD) });
    await host.instanceSet({ name: 'idle', properties: params(camera.url, PASSWORD) });
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });

  async function cameras(): Promise<Camera[]> {
    const r = await get(`${url}/api/cameras`);
    assert.equal(r.status, 200);
    return ((await r.json()) as { value: Camera[] }).value;
  }
  async function waitFor(instance: string, phase: string): Promise<Camera> {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const c = (await cameras()).find((x) => x.instance === instance);
      if (c?.phase === phase) return c;
      assert.ok(Date.now() < deadline, `${instance}: ${JSON.stringify(c)} (waited for ${phase})`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  test('camera status: inactive, authentication failed, never reached; no password in any of it', async () => {
    const idle = (await cameras()).find((c) => c.instance === 'idle');
    assert.deepEqual({ phase: idle?.phase, online: idle?.online, state: idle?.state }, { phase: 'inactive', online: false, state: 'Inactive' });

    const before = Date.now();
    await host.instanceActivate('wrongpass');
    await host.instanceActivate('unplugged');
    const denied = await waitFor('wrongpass', 'auth-failed');
    assert.equal(denied.online, false);
    assert.equal(denied.state, 'Active');
    assert.ok(denied.since && Date.parse(denied.since) >= before - 1000, denied.since);
    assert.match(denied.message ?? '', /401|auth/i);
    const unreachable = await waitFor('unplugged', 'connecting');
    await new Promise((r) => setTimeout(r, 1500)); // a retry or two later, still connecting, with the reason
    const still = (await cameras()).find((c) => c.instance === 'unplugged')!;
    assert.equal(still.phase, 'connecting');
    assert.equal(still.online, false);
    assert.equal(still.since, unreachable.since, 'since the activation, not since the last retry');
    assert.match(still.message ?? '', /ECONNREFUSED|connect/i);
    const text = JSON.stringify(await cameras());
    assert.ok(!text.includes(WRONG) && !text.includes(PASSWORD), text);
    await host.instanceDeactivate('wrongpass');
    await host.instanceDeactivate('unplugged');
    assert.equal((await waitFor('wrongpass', 'inactive')).online, false);
  });

  test('camera status: recording once media arrives, with its asset', async () => {
    await host.instanceActivate('idle');
    const c = await waitFor('idle', 'recording');
    assert.equal(c.online, true);
    assert.ok(c.since);
    const deadline = Date.now() + 10_000;
    let withAsset = c;
    while (!withAsset.asset) {
      assert.ok(Date.now() < deadline, JSON.stringify(withAsset));
      await new Promise((r) => setTimeout(r, 100));
      withAsset = (await cameras()).find((x) => x.instance === 'idle')!;
    }
    assert.equal(withAsset.asset, 'sampleAsset-CVRToAsset-idle');
    await host.instanceDeactivate('idle');
  });

  test('asset summary: extent and codecs of the newest segment; 404 for an unknown asset', async () => {
    const r = await get(`${url}/api/assets/${ASSET}/summary`);
    assert.equal(r.status, 200);
    const body = (await r.json()) as { name: string; start: string; end: string; codecs: string[]; live: boolean };
    assert.equal(body.name, ASSET);
    assert.equal(body.start, new Date(rec.baseMs).toISOString());
    assert.equal(body.end, new Date(rec.segments.at(-1)!.startMs + SEGMENT_MS).toISOString());
    assert.deepEqual(body.codecs, ['avc1.42c01e', 'mp4a.40.2']);
    assert.equal(body.live, false, 'recorded half an hour ago');
    assert.equal((await get(`${url}/api/assets/no-such-asset/summary`)).status, 404);
  });

  test('download: one continuous run of the window as an .mp4 that ffprobe reads', async () => {
    const base = `${url}/api/assets/${ASSET}/download.mp4`;
    const window = (from: number, to: number): string => `${base}?startTime=${new Date(from).toISOString()}&endTime=${new Date(to).toISOString()}`;
    // from inside the first segment to past the gap: the file is the first run only (two segments)
    const r = await get(window(rec.baseMs + 500, rec.segments.at(-1)!.endMs));
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'video/mp4');
    assert.match(r.headers.get('content-disposition') ?? '', new RegExp(`attachment; filename="${ASSET}-\\d{4}-\\d{2}-\\d{2}T\\d{2}-\\d{2}-\\d{2}Z\\.mp4"`));
    assert.equal(r.headers.get('x-mediagraph-start'), new Date(rec.baseMs).toISOString(), 'widened to the segment start');
    assert.equal(r.headers.get('x-mediagraph-end'), new Date(rec.segments[1]!.endMs).toISOString());
    assert.equal(r.headers.get('x-mediagraph-continuous-runs'), '3', 'the gap and the init change split the window');
    const bytes = Buffer.from(await r.arrayBuffer());
    const expected = readFileSync(rec.initFile).length + readFileSync(rec.segments[0]!.file).length + readFileSync(rec.segments[1]!.file).length;
    assert.equal(bytes.length, expected);
    const file = join(rec.dir, 'download.mp4');
    writeFileSync(file, bytes);
    const probe = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration', '-of', 'csv=p=0', file], { encoding: 'utf8', timeout: 10_000 });
    assert.equal(probe.status, 0, probe.stderr);
    assert.ok(Math.abs(Number(probe.stdout.trim()) - (2 * SEGMENT_MS) / 1000) < 0.3, `duration ${probe.stdout}`);
    // refusals, each with its reason
    assert.equal((await get(window(rec.gap.startMs + 1000, rec.gap.endMs - 1000))).status, 404, 'nothing recorded in the gap');
    assert.equal((await get(`${base}?startTime=yesterday&endTime=now`)).status, 400);
    assert.equal((await get(window(rec.baseMs, rec.baseMs + 3 * 3_600_000))).status, 400, 'over 2 hours');
    assert.equal((await get(window(rec.baseMs + 1000, rec.baseMs))).status, 400, 'end before start');
  });

  test('poster: init + the first fragment of the segment at an instant, which ffprobe decodes from a keyframe', async () => {
    const seg = rec.segments[3]!;
    const r = await get(`${url}/api/assets/${ASSET}/poster.mp4?at=${new Date(seg.startMs + 700).toISOString()}`);
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-mediagraph-start'), new Date(seg.startMs).toISOString());
    const bytes = Buffer.from(await r.arrayBuffer());
    const init = readFileSync(rec.initFile);
    assert.deepEqual(bytes.subarray(0, init.length), init, 'the init segment first');
    const segment = readFileSync(seg.file);
    assert.ok(bytes.length - init.length <= segment.length, 'no more than the segment');
    assert.deepEqual(bytes.subarray(init.length), segment.subarray(0, bytes.length - init.length), 'then the segment from its start');
    const file = join(rec.dir, 'poster.mp4');
    writeFileSync(file, bytes);
    const probe = spawnSync(
      'ffprobe',
      ['-v', 'error', '-select_streams', 'v:0', '-count_frames', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', file],
      { encoding: 'utf8', timeout: 10_000 },
    );
    assert.equal(probe.status, 0, probe.stderr);
    assert.ok(Number(probe.stdout.trim()) >= 1, `frames: ${probe.stdout}`);
    // in the gap: the first segment after it
    const inGap = await get(`${url}/api/assets/${ASSET}/poster.mp4?at=${new Date(rec.gap.startMs + 1000).toISOString()}`);
    assert.equal(inGap.headers.get('x-mediagraph-start'), new Date(rec.segments[2]!.startMs).toISOString());
    assert.equal((await get(`${url}/api/assets/${ASSET}/poster.mp4?at=${new Date(rec.segments.at(-1)!.endMs + 3_600_000).toISOString()}`)).status, 404);
  });

  test('the viewer files, and a favicon instead of a 404', async () => {
    const page = await get(url);
    assert.equal(page.status, 200);
    const html = await page.text();
    for (const m of html.matchAll(/(?:src|href)="(\/[^"]+)"/g)) {
      const r = await get(`${url}${m[1]}`);
      assert.equal(r.status, 200, m[1]);
    }
    const js = await get(`${url}/viewer/app.js`);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    const icon = await get(`${url}/favicon.ico`);
    assert.equal(icon.status, 200);
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
    assert.match(await icon.text(), /^<svg /);
    for (const bad of ['/viewer/nope.js', '/viewer/index.html', '/viewer/..%2Fviewer.ts', '/viewer/camera-status.ts']) {
      assert.equal((await get(`${url}${bad}`)).status, 404, bad);
    }
  });
});
