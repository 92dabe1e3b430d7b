// `npm start` as a new user runs it: the demo prints a viewer URL, the instance becomes
// Active, recordings appear as available media over HTTP, and it exits cleanly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

test('demo: viewer URL, Active instance, media available over HTTP, clean exit', async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'mg-demo-'));
  const child = spawn(process.execPath, ['bin/mediagraph.js', 'demo', '--speed', '10', '--for', '14', '--port', '0', '--data', data], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    child.kill('SIGKILL');
    rmSync(data, { recursive: true, force: true });
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  const deadline = Date.now() + 30_000;
  while (!/viewer: (http:\/\/\S+)\//.test(out)) {
    assert.ok(Date.now() < deadline, `no viewer URL; stderr: ${err}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  const base = /viewer: (http:\/\/\S+?)\/\s/.exec(out)![1]!;
  const status = (await (await fetch(`${base}/api/instances/demo-camera/status`)).json()) as { state: string };
  assert.equal(status.state, 'Active');
  const page = await (await fetch(`${base}/`)).text();
  assert.match(page, /<video/);
  // 30 s segments at 10×: the first upload after ~3 s
  const asset = 'sampleAsset-CVRToAsset-demo-camera';
  const available = async (): Promise<{ start: string; end: string }[]> => {
    const now = Date.now();
    const q = new URLSearchParams({ precision: 'full', startTime: new Date(now - 3_600_000).toISOString(), endTime: new Date(now + 3_600_000).toISOString() });
    const r = await fetch(`${base}/api/assets/${asset.toLowerCase()}/availableMedia?${q}`);
    return r.ok ? ((await r.json()) as { timeRanges: { start: string; end: string }[] }).timeRanges : [];
  };
  let ranges: { start: string; end: string }[] = [];
  while (ranges.length === 0) {
    assert.ok(Date.now() < deadline, `no media available; stderr: ${err}`);
    ranges = await available();
    await new Promise((res) => setTimeout(res, 250));
  }
  // Speed 10 compresses the camera, not the calendar: nothing recorded is dated after now
  // (before: 30 s segments every 3 s, dated 30 s apart, ran ahead of the clock).
  for (const at of [0, 4000]) {
    await new Promise((res) => setTimeout(res, at));
    const seen = await available();
    const now = Date.now();
    for (const r of seen) assert.ok(Date.parse(r.end) <= now, `a recording ends at ${r.end}, ${Date.parse(r.end) - now} ms after now`);
  }
  assert.equal(await exited, 0, err);
  assert.match(err, /deactivating/);
  assert.doesNotMatch(err + out, /rtspPassword|password=/i);
});
