// What `run` tells a person about the camera, through the real CLI: a camera that goes away
// and comes back is one "lost" line and one "reconnected after N s" line, "reconnects 1"
// counts the return (not the attempts) and the last error is gone from the status line once
// the camera is back; a wrong password is said once, as probe says it, not as JSON 401
// warnings at every retry. The status line is always a line of its own.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { until } from '../helpers/until.ts';

const CLIP = 'test/fixtures/media/h264-main-aac.mp4';

function startRun(
  data: string,
  blob: string,
  name: string,
  params: readonly string[],
): { child: ChildProcess; err: () => string; exited: Promise<number | null> } {
  const child = spawn(
    process.execPath,
    ['bin/mediagraph.js', 'run', 'examples/cvr-asset/topology.json', '--data', data, '--name', name, ...params.flatMap((p) => ['--param', p])],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, AZURE_STORAGE_CONNECTION_STRING: blob },
    },
  );
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  child.stdout!.resume();
  const exited = new Promise<number | null>((res) => child.on('exit', (code) => res(code)));
  return { child, err: () => err, exited };
}

test('run: a camera lost and back is told once each way, with the outage; a wrong password once, as probe says it', { timeout: 120_000 }, async (t) => {
  const data = mkdtempSync(join(tmpdir(), 'mg-run-status-'));
  const azurite = await startAzurite();
  let camera = await startSimulatedCamera({ file: CLIP, speed: 10, path: '/cam', auth: { username: 'viewer', password: 'right-Pass-1', scheme: 'digest' } });
  const other = await startSimulatedCamera({ file: CLIP, speed: 10, path: '/other', auth: { username: 'viewer', password: 'right-Pass-1', scheme: 'digest' } });
  const port = camera.port;
  const children: ChildProcess[] = [];
  t.after(async () => {
    for (const c of children) c.kill('SIGKILL');
    await camera.close();
    await other.close();
    await azurite.close();
    rmSync(data, { recursive: true, force: true });
  });

  // both at once (two instances in one data folder), to keep the test short
  const ok = startRun(data, azurite.connectionString, 'lost-and-back', [`rtspUrl=${camera.url}`, 'rtspUserName=viewer', 'rtspPassword=right-Pass-1']);
  const bad = startRun(data, azurite.connectionString, 'wrong-password', [`rtspUrl=${other.url}`, 'rtspUserName=viewer', 'rtspPassword=wrong-Pass-2']);
  children.push(ok.child, bad.child);

  // 1. lost and back
  await until(() => /camera connected/.test(ok.err()), 40_000, `the camera connected: ${ok.err()}`);
  await camera.close();
  await until(() => /camera lost/.test(ok.err()), 20_000, `the loss: ${ok.err()}`);
  await new Promise((r) => setTimeout(r, 2500)); // several reconnect attempts fail meanwhile
  camera = await startSimulatedCamera({ file: CLIP, speed: 10, path: '/cam', port, auth: { username: 'viewer', password: 'right-Pass-1', scheme: 'digest' } });
  await until(() => /camera reconnected after/.test(ok.err()), 20_000, `the return: ${ok.err()}`);
  ok.child.kill('SIGINT');
  assert.equal(await ok.exited, 0, ok.err());
  const lines = ok.err().split('\n');
  assert.equal(lines.filter((l) => /camera lost/.test(l)).length, 1, ok.err());
  const back = lines.filter((l) => /camera reconnected after/.test(l));
  assert.equal(back.length, 1, ok.err());
  const outage = Number(/after ([\d.]+) s/.exec(back[0]!)?.[1]);
  assert.ok(outage >= 2 && outage < 20, `outage ${outage} s`);
  assert.ok(!lines.some((l) => l.includes('"msg":"stream lost; reconnecting"')), 'no JSON line per attempt');
  const final = lines.filter((l) => /^(Active|Deactivating|Inactive) \|/.test(l)).at(-1)!;
  assert.match(final, /reconnects 1(\s|$)/);
  assert.doesNotMatch(final, /last:/, 'the error is cleared once the camera is back');
  // every status line stands alone: nothing glued before or after it
  for (const l of lines.filter((x) => /\| reconnects /.test(x))) assert.match(l, /^(Active|Deactivating|Inactive|Activating) \|/, l);

  // 2. a wrong password, refused at every retry meanwhile
  assert.match(bad.err(), /authentication failed/);
  bad.child.kill('SIGINT');
  await bad.exited;
  const said = bad.err().split('\n');
  assert.equal(said.filter((l) => /authentication failed .*check the user name and password/.test(l)).length, 1, bad.err());
  assert.ok(!said.some((l) => l.startsWith('{') && l.includes('401')), `no JSON 401 warnings: ${bad.err()}`);
  assert.doesNotMatch(bad.err(), /wrong-Pass-2/);
});
