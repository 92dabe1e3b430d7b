// Secrets reach the CLI through files and the environment, never the command line: real CLI
// processes, whose /proc/<pid>/cmdline (readable by every local user) is read while they use
// the secret — `run` authenticating to a Digest camera and writing to Azurite, `serve`
// guarding its API with a token that `invoke` presents.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { until } from '../helpers/until.ts';
import { main } from '../../src/control/cli/main.ts';

const RTSP_PASSWORD = 'Cli-File-Pw-81d3f0a6';
const TOKEN = 'Serve-Token-2b9e74c05d1a';

function cli(args: string[], env: NodeJS.ProcessEnv): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['bin/mediagraph.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let text = '';
  child.stdout!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    text += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  return { child, output: () => text, exited };
}

/** What every local user sees of a process: its arguments, NUL-separated. */
function cmdline(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
}

function secretFile(dir: string, name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content, { mode: 0o600 });
  return path;
}

test('run: camera password from --param-file, user from MEDIAGRAPH_PARAM_, storage from --blob-file; none in cmdline', {
  skip: process.platform !== 'linux',
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cli-secrets-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const azurite = await startAzurite();
  t.after(() => azurite.close());
  const camera = await startSimulatedCamera({
    file: 'test/fixtures/media/h264-main-aac.mp4',
    speed: 10,
    auth: { username: 'viewer', password: RTSP_PASSWORD, scheme: 'digest' },
  });
  t.after(() => camera.close());
  const params = secretFile(dir, 'camera.params', `# camera credentials\nrtspUrl=${camera.url}\nrtspPassword=${RTSP_PASSWORD}\n`);
  const blob = secretFile(dir, 'blob.conn', `${azurite.connectionString}\n`);
  const accountKey = /AccountKey=([^;]+)/.exec(azurite.connectionString)![1]!;

  const run = cli(
    [
      'run',
      'examples/cvr-asset/topology.json',
      '--param-file',
      params,
      '--param',
      `cachePath=${join(dir, 'cache')}`,
      '--blob-file',
      blob,
      '--for',
      '3',
      '--data',
      join(dir, 'data'),
    ],
    { MEDIAGRAPH_PARAM_rtspUserName: 'viewer' },
  );
  t.after(() => {
    run.child.kill('SIGKILL');
  });
  await until(() => camera.server.stats.plays > 0 || run.child.exitCode !== null, 20_000, 'the camera accepting PLAY (Digest-authenticated)');
  assert.ok(camera.server.stats.plays > 0, `run did not reach PLAY: ${run.output()}`);
  const args = cmdline(run.child.pid!);
  assert.match(args, /--param-file/);
  assert.ok(!args.includes(RTSP_PASSWORD), 'the camera password is on the command line');
  assert.ok(!args.includes(accountKey), 'the storage key is on the command line');
  assert.equal(await run.exited, 0, run.output());
  assert.ok(!run.output().includes(RTSP_PASSWORD) && !run.output().includes(accountKey), 'a secret in the output');
  assert.doesNotMatch(run.output(), /warning:/, 'no secret was given on the command line');
});

test('serve: token from --token-file; invoke: token from MEDIAGRAPH_TOKEN; neither in cmdline', { skip: process.platform !== 'linux' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-cli-token-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const tokenFile = secretFile(dir, 'token', `${TOKEN}\n`);
  const serve = cli(['serve', '--port', '0', '--data', join(dir, 'data'), '--token-file', tokenFile], { MEDIAGRAPH_TOKEN: '' });
  t.after(() => {
    serve.child.kill('SIGKILL');
  });
  await until(() => /listening on (\S+)/.test(serve.output()) || serve.child.exitCode !== null, 20_000, 'serve listening');
  const url = /listening on (\S+)/.exec(serve.output())?.[1];
  assert.ok(url, serve.output());
  assert.equal((await fetch(`${url}/api/topologies`)).status, 401, 'the token from the file guards the API');
  assert.equal((await fetch(`${url}/api/topologies`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  assert.ok(!cmdline(serve.child.pid!).includes(TOKEN), "the token is on serve's command line");

  const invoke = cli(['invoke', 'GraphTopologyList', '{}', '--host', url!], { MEDIAGRAPH_TOKEN: TOKEN });
  const invokeArgs = cmdline(invoke.child.pid!);
  assert.equal(await invoke.exited, 0, invoke.output());
  assert.ok(!invokeArgs.includes(TOKEN));

  // Both forms of one secret is a usage error that does not echo either (in-process: no server starts).
  const lines: string[] = [];
  const code = await main(['serve', '--port', '0', '--data', join(dir, 'data2'), '--token', 'x'.repeat(20), '--token-file', tokenFile], {
    out: (l) => void lines.push(l),
    err: (l) => void lines.push(l),
  });
  assert.equal(code, 2);
  assert.match(lines.join('\n'), /--token or --token-file, not both/);
  assert.ok(!lines.join('\n').includes(TOKEN));
});
