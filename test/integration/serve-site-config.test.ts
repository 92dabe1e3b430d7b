// A site in one file, as its user runs it: `mediagraph serve --config mediagraph.json` in a
// child process records three cameras (simulated, over loopback: an H.264 one with Digest
// auth whose password comes from the environment, an H.265 one, and a third) into three
// assets; one camera's options change, SIGHUP, and only that camera restarts; the file loses
// one camera, SIGHUP, and only that camera stops while the other two keep recording in one
// unbroken range. The password never reaches the output.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera, type SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { until } from '../helpers/until.ts';

const H264 = 'test/fixtures/media/h264-main-aac.mp4';
const H265 = 'test/fixtures/media/h265-main.mp4';
const PASSWORD = 'site-secret-5Kq9';

interface Range {
  start: string;
  end: string;
}

test('serve --config: three cameras into three assets; SIGHUP after a change restarts only that camera, after a removal stops only that one', {
  timeout: 90_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-site-'));
  const cameras: SimulatedCamera[] = [
    await startSimulatedCamera({ file: H264, speed: 10, path: '/front', auth: { username: 'viewer', password: PASSWORD, scheme: 'digest' } }),
    await startSimulatedCamera({ file: H265, speed: 10, path: '/yard' }),
    await startSimulatedCamera({ file: H264, speed: 10, path: '/gate' }),
  ];
  const site = (names: readonly string[], gateSegment = 'PT30S') => ({
    $schema: '../schemas/site.schema.json',
    data: 'data',
    cameras: [
      { name: 'front-door', rtspUrl: cameras[0]!.url, username: 'viewer', passwordEnv: 'FRONT_DOOR_PASSWORD' },
      { name: 'yard', rtspUrl: cameras[1]!.url, audio: false },
      { name: 'gate', rtspUrl: cameras[2]!.url, segmentLength: gateSegment },
    ].filter((c) => names.includes(c.name)),
  });
  const file = join(dir, 'mediagraph.json');
  writeFileSync(file, JSON.stringify(site(['front-door', 'yard', 'gate'])));
  const startedAt = Date.now();
  const child = spawn(process.execPath, ['bin/mediagraph.js', 'serve', '--config', file, '--port', '0'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, FRONT_DOOR_PASSWORD: PASSWORD, AZURE_STORAGE_CONNECTION_STRING: '' },
  });
  t.after(async () => {
    child.kill('SIGKILL');
    for (const c of cameras) await c.close();
    rmSync(dir, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await until(() => /listening on (\S+)/.test(out), 30_000, `serve's URL; stderr: ${err}`);
  const base = /listening on (\S+)/.exec(out)![1]!;
  const ranges = async (asset: string): Promise<Range[]> => {
    const now = Date.now();
    const q = new URLSearchParams({ precision: 'full', startTime: new Date(now - 3_600_000).toISOString(), endTime: new Date(now + 3_600_000).toISOString() });
    const r = await fetch(`${base}/api/assets/${asset}/availableMedia?${q}`);
    return r.ok ? ((await r.json()) as { timeRanges: Range[] }).timeRanges : [];
  };
  const status = async (name: string) =>
    (await fetch(`${base}/api/instances/${name}/status`)).json() as Promise<{ state: string; activatedAt?: string; restarts: number }>;
  const pollUntil = async (cond: () => Promise<boolean>, ms: number, what: string) => {
    const end = Date.now() + ms;
    while (!(await cond())) {
      assert.ok(Date.now() < end, `timed out waiting for ${what}; stderr: ${err}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  };
  // 30 s segments at 10×: the first upload after ~3 s of each camera
  for (const asset of ['front-door', 'yard', 'gate']) await pollUntil(async () => (await ranges(asset)).length > 0, 30_000, `media in ${asset}`);
  t.diagnostic(`all three assets hold media ${Date.now() - startedAt} ms after the start of serve`);
  const reloads = () => err.match(/site: reloaded/g)?.length ?? 0;

  // a changed camera restarts, alone
  const unchanged = { yard: await status('yard'), front: await status('front-door') };
  const gateBefore = await status('gate');
  writeFileSync(file, JSON.stringify(site(['front-door', 'yard', 'gate'], 'PT1M')));
  let hupAt = Date.now();
  child.kill('SIGHUP');
  await pollUntil(async () => reloads() === 1, 30_000, 'the first reload');
  t.diagnostic(`reload with one changed camera: ${Date.now() - hupAt} ms (SIGHUP to the summary line, polled every 250 ms)`);
  assert.match(err, /camera gate changed: restarted/);
  assert.match(err, /0 added, 1 changed, 0 removed, 2 unchanged/);
  assert.notEqual((await status('gate')).activatedAt, gateBefore.activatedAt, 'gate restarted');
  assert.equal((await status('yard')).activatedAt, unchanged.yard.activatedAt);
  assert.equal((await status('front-door')).activatedAt, unchanged.front.activatedAt);

  // a removed camera stops, alone
  const before = { yard: await status('yard'), gate: await status('gate') };
  const yardEnd = (await ranges('yard')).at(-1)!.end;
  const gateEnd = (await ranges('gate')).at(-1)!.end;
  writeFileSync(file, JSON.stringify(site(['yard', 'gate'], 'PT1M')));
  hupAt = Date.now();
  child.kill('SIGHUP');
  await pollUntil(async () => reloads() === 2, 20_000, 'the second reload');
  t.diagnostic(`reload with one removed camera: ${Date.now() - hupAt} ms`);
  assert.match(err, /camera front-door removed from the file: stopped/);
  assert.match(err, /1 removed, 2 unchanged/);
  assert.equal((await fetch(`${base}/api/instances/front-door/status`)).status, 404, 'the removed camera is gone');
  // the others were not touched: same activation, and they go on recording in one range
  for (const name of ['yard', 'gate'] as const) {
    const now = await status(name);
    assert.equal(now.state, 'Active');
    assert.equal(now.activatedAt, before[name].activatedAt, `${name} was not restarted`);
  }
  await pollUntil(
    async () => (await ranges('yard')).at(-1)!.end > yardEnd && (await ranges('gate')).at(-1)!.end > gateEnd,
    20_000,
    'more media after the reload',
  );
  assert.equal((await ranges('yard')).length, 1, 'yard: no gap');
  // gate restarted at the first reload (a range of its own, or one if the restart left no hole)
  assert.ok((await ranges('gate')).length <= 2, 'gate: no gap since its restart');
  const frontEnd = (await ranges('front-door')).at(-1)!.end;
  await new Promise((r) => setTimeout(r, 4000));
  assert.equal((await ranges('front-door')).at(-1)!.end, frontEnd, 'front-door records no more');
  assert.doesNotMatch(out + err, new RegExp(PASSWORD));
});
