// Scenario 6: known secrets never leak. Runs with a known RTSP password (digest auth on the
// simulated camera; once right, once wrong, once in the URL's userinfo), Azurite's account
// key (its connection string, through a proxy that is cut for a while so storage errors are
// logged), and a fake SAS token given to `mediagraph run --blob` for a run that fails. Every
// log line (debug level), event, instance error and CLI output is captured and searched for
// each secret, raw and URL-encoded. Two more ways out are watched: a camera that redirects
// to another origin (a trap server on another port records every Authorization header it
// gets: there must be none), and the command line of a CLI run given its secrets through
// --param-file, --blob-file and the environment (/proc/<pid>/cmdline, readable by every local
// user, is sampled while it records).
//   node --import tsx faults/secrets.ts [--quick]
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../src/runtime/host.ts';
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite, azuriteConnectionString } from '../src/testing/azurite.ts';
import { startTcpProxy } from '../src/testing/tcp-proxy.ts';
import { startRtspServer } from '../src/media/rtsp/io/rtsp-server.ts';
import { getHeader } from '../src/media/rtsp/message.ts';
import type { GraphEvent } from '../src/types/events.ts';
import { isMain, runAsMain, waitFor, type ScenarioResult } from './lib.ts';

export const RTSP_PASSWORD = 'Cam-Pw-7e3f19a2';
export const WRONG_PASSWORD = 'Wrong-Pw-5b8c02d4';
export const FAKE_SAS_SIG = 'FaKeSiGnAtUrE0a1b2c3d4e5f6g7h8i9j0kLmNoPqRsT';
const AZURITE_KEY_PREFIX = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq';

interface Captured {
  readonly source: string;
  readonly text: string;
}

export function leaks(captured: readonly Captured[], secrets: readonly string[]): string[] {
  const forms = secrets.flatMap((s) => [s, encodeURIComponent(s), s.slice(0, 16)]);
  const found: string[] = [];
  for (const c of captured)
    for (const f of forms)
      if (c.text.includes(f))
        found.push(
          `${c.source} contains ${f.slice(0, 6)}… : ${c.text.slice(Math.max(0, c.text.indexOf(f) - 60), c.text.indexOf(f) + 20).replace(/\s+/g, ' ')}`,
        );
  return found;
}

/** Runs the CLI; with `cmdline`, samples what every local user sees of its arguments while it runs. */
function runCli(args: string[], timeoutMs: number, o: { env?: NodeJS.ProcessEnv; cmdline?: string[] } = {}): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['bin/mediagraph.js', ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...o.env } });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    p.stderr.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const sample = (): void => {
      try {
        o.cmdline?.push(readFileSync(`/proc/${p.pid}/cmdline`, 'utf8').split('\0').join(' '));
      } catch {
        /* exited, or no /proc */
      }
    };
    const sampler = o.cmdline ? setInterval(sample, 200) : undefined;
    const timer = setTimeout(() => {
      out += '\n[killed at deadline]';
      p.kill('SIGKILL');
    }, timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      if (sampler) clearInterval(sampler);
      resolve({ out, code });
    });
  });
}

export async function runSecrets(o: { quick?: boolean } = {}): Promise<ScenarioResult> {
  const t0 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'fault-secrets-'));
  const captured: Captured[] = [];
  const failures: string[] = [];
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  const connection = azuriteConnectionString(`http://127.0.0.1:${proxy.port}`);
  const camera = await startSimulatedCamera({
    file: 'test/fixtures/media/h264-main-aac.mp4',
    speed: 10,
    auth: { username: 'viewer', password: RTSP_PASSWORD, scheme: 'digest' },
  });
  // A camera that authenticates, then redirects to another origin: the trap must get no credentials.
  const trapAuthorizations: string[] = [];
  const trap = await startRtspServer({
    streams: () => undefined,
    auth: { username: 'viewer', password: RTSP_PASSWORD, scheme: 'basic' },
    onRequest: (r) => {
      const a = getHeader(r, 'Authorization');
      if (a !== undefined) trapAuthorizations.push(a);
    },
  });
  const redirecting = await startRtspServer({
    streams: () => undefined,
    auth: { username: 'viewer', password: RTSP_PASSWORD, scheme: 'digest' },
    quirks: { redirectTo: trap.url('/live') },
  });
  const logs: string[] = [];
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'debug',
    logWrite: (l) => logs.push(l),
    services: { blobConnection: connection },
  });
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  let cliRuns = 0;
  try {
    await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
    const instance = (name: string, url: string, password: string) =>
      host.instanceSet({
        name,
        properties: {
          topologyName: 'CVRToAsset',
          parameters: [
            { name: 'rtspUrl', value: url },
            { name: 'rtspUserName', value: 'viewer' },
            { name: 'rtspPassword', value: password },
            { name: 'cachePath', value: join(dir, 'cache') },
          ],
        },
      });
    await instance('right', camera.url, RTSP_PASSWORD);
    await instance('wrong', camera.url, WRONG_PASSWORD);
    await instance('userinfo', camera.url.replace('rtsp://', `rtsp://viewer:${encodeURIComponent(RTSP_PASSWORD)}@`), 'unused');
    await instance('redirected', redirecting.url('/live'), RTSP_PASSWORD);
    for (const n of ['right', 'wrong', 'userinfo', 'redirected']) {
      try {
        await host.instanceActivate(n);
      } catch (e) {
        captured.push({ source: `activate ${n} error`, text: String(e) + JSON.stringify(e) });
      }
    }
    if (!(await waitFor(() => events.some((e) => e.type === 'SegmentUploaded'), 20_000))) failures.push('no upload from the instance with the right password');
    if (!(await waitFor(() => events.some((e) => e.type === 'AuthenticationError' || e.type === 'AuthorizationError'), 10_000)))
      failures.push('the wrong password caused no auth error event');
    if (!(await waitFor(() => events.some((e) => e.type === 'AuthenticationError' && JSON.stringify(e.body).includes('another origin')), 10_000)))
      failures.push('the redirect to another origin caused no auth error naming it');
    if (!o.quick) {
      proxy.mode('blackhole');
      await waitFor(() => events.some((e) => e.type === 'StorageError'), 15_000);
    }
    proxy.mode('reset');
    await waitFor(() => events.some((e) => e.type === 'StorageError'), o.quick ? 3000 : 10_000);
    proxy.mode('pass');
    if (trapAuthorizations.length > 0)
      failures.push(
        `the redirect target received ${trapAuthorizations.length} Authorization header(s): ${trapAuthorizations.map((a) => a.split(' ')[0]).join(', ')}`,
      );
    for (const n of ['right', 'wrong', 'userinfo', 'redirected']) {
      try {
        await host.instanceDeactivate(n);
      } catch (e) {
        captured.push({ source: `deactivate ${n} error`, text: String(e) + JSON.stringify(e) });
      }
      captured.push({ source: `instanceStatus ${n}`, text: JSON.stringify(host.instanceStatus(n)) });
      captured.push({ source: `instanceGet ${n}`, text: JSON.stringify(host.instanceGet(n)) });
    }
    captured.push({ source: 'events', text: JSON.stringify(events) });
    captured.push({ source: 'log lines', text: logs.join('\n') });

    // The CLI: a fake SAS token for a run that fails, and Azurite's key through a cut line.
    const sas = `http://127.0.0.1:${proxy.port}/devstoreaccount1?sv=2024-11-04&ss=b&srt=sco&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=${encodeURIComponent(FAKE_SAS_SIG)}`;
    const cliUrl = camera.url.replace('rtsp://', `rtsp://viewer:${encodeURIComponent(RTSP_PASSWORD)}@`);
    const deadCamera = 'rtsp://viewer:' + encodeURIComponent(RTSP_PASSWORD) + '@127.0.0.1:9/live';
    const runs: string[][] = [
      [
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${cliUrl}`,
        '--blob',
        sas.replace('http:', 'ftp:'),
        '--for',
        '2',
        '--data',
        join(dir, 'cli0'),
      ],
      [
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${deadCamera}`,
        '--param',
        `rtspPassword=${RTSP_PASSWORD}`,
        '--param',
        'rtspUserName=viewer',
        '--blob',
        sas,
        '--for',
        '2',
        '--data',
        join(dir, 'cli1'),
      ],
      [
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${camera.url}`,
        '--param',
        `rtspPassword=${WRONG_PASSWORD}`,
        '--param',
        'rtspUserName=viewer',
        '--blob',
        connection,
        '--for',
        '3',
        '--data',
        join(dir, 'cli2'),
      ],
      [
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${camera.url}`,
        '--blob',
        `DefaultEndpointsProtocol=http;AccountName=x;AccountKey=${AZURITE_KEY_PREFIX}`,
        '--data',
        join(dir, 'cli3'),
      ],
    ];
    if (o.quick) runs.splice(1, 2);
    // Recording with a fake SAS: nothing can upload, so the drain on stop runs to the host's bound (120 s).
    else
      runs.push([
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${cliUrl}`,
        '--param',
        `rtspPassword=${RTSP_PASSWORD}`,
        '--param',
        'rtspUserName=viewer',
        '--blob',
        sas,
        '--for',
        '4',
        '--data',
        join(dir, 'cli4'),
      ]);
    if (!o.quick)
      runs.push([
        'run',
        'examples/cvr-asset/topology.json',
        '--param',
        `rtspUrl=${cliUrl}`,
        '--param',
        `rtspPassword=${RTSP_PASSWORD}`,
        '--blob',
        connection,
        '--for',
        '4',
        '--data',
        join(dir, 'cli5'),
      ]);
    const cliSummary: string[] = [];
    // Secrets from a file and the environment, never the command line: sampled while it records.
    const paramFile = join(dir, 'camera.params');
    writeFileSync(paramFile, `rtspUrl=${camera.url}\nrtspPassword=${RTSP_PASSWORD}\n`, { mode: 0o600 });
    const blobFile = join(dir, 'blob.conn');
    writeFileSync(blobFile, connection, { mode: 0o600 });
    const cmdlines: string[] = [];
    const playsBefore = camera.server.stats.plays;
    const fileRun = await runCli(
      [
        'run',
        'examples/cvr-asset/topology.json',
        '--param-file',
        paramFile,
        '--blob-file',
        blobFile,
        '--param',
        `cachePath=${join(dir, 'cli-files-cache')}`,
        '--for',
        '3',
        '--data',
        join(dir, 'cli-files'),
      ],
      o.quick ? 30_000 : 150_000,
      { env: { MEDIAGRAPH_PARAM_rtspUserName: 'viewer' }, cmdline: cmdlines },
    );
    cliRuns++;
    cliSummary.push(`cli run with --param-file/--blob-file/env: exit ${fileRun.code}; ${cmdlines.length} cmdline sample(s)`);
    captured.push({ source: 'cli run with secrets from files (output)', text: fileRun.out });
    const cmdlineLeaks = leaks(
      cmdlines.map((text, i) => ({ source: `/proc/<pid>/cmdline sample ${i + 1}`, text })),
      [RTSP_PASSWORD, AZURITE_KEY_PREFIX],
    );
    failures.push(...cmdlineLeaks);
    if (cmdlines.length === 0) failures.push('no /proc/<pid>/cmdline sample of the run with secrets from files');
    if (camera.server.stats.plays === playsBefore) failures.push('the run with secrets from files never authenticated to the camera');
    for (const [i, args] of runs.entries()) {
      if (!o.quick && i === runs.length - 1) proxy.mode('blackhole'); // the last run records into a cut line
      const started = Date.now();
      const r = await runCli(args, o.quick ? 15_000 : 150_000);
      cliRuns++;
      cliSummary.push(
        `cli run ${i + 1}: exit ${r.code} after ${((Date.now() - started) / 1000).toFixed(1)} s; last line: ${r.out.trim().split('\n').at(-1)?.slice(0, 160) ?? ''}`,
      );
      captured.push({ source: `cli run ${i + 1} (exit ${r.code})`, text: r.out });
    }
    proxy.mode('pass');
    const secrets = [RTSP_PASSWORD, WRONG_PASSWORD, FAKE_SAS_SIG, AZURITE_KEY_PREFIX];
    // instanceGet is API output, not a log, event or error: reported apart.
    const apiEcho = leaks(
      captured.filter((c) => c.source.startsWith('instanceGet')),
      secrets,
    );
    const found = leaks(
      captured.filter((c) => !c.source.startsWith('instanceGet')),
      secrets,
    );
    failures.push(...found);
    const lines = logs.length + captured.filter((c) => c.source.startsWith('cli')).reduce((n, c) => n + c.text.split('\n').length, 0);
    return {
      scenario: 'secrets in logs/events/errors',
      pass: failures.length === 0,
      trials: cliRuns + 4,
      figures: {
        hostInstances: 4,
        redirectTargetAuthorizations: trapAuthorizations.length,
        cmdlineSamples: cmdlines.length,
        cmdlineLeaks: cmdlineLeaks.length,
        instanceGetEchoesUrlPassword: apiEcho.length > 0,
        cliRuns,
        logLines: lines,
        events: events.length,
        storageErrors: events.filter((e) => e.type === 'StorageError').length,
        authErrors: events.filter((e) => e.type === 'AuthenticationError' || e.type === 'AuthorizationError').length,
        leaks: found.length,
      },
      failures: failures.slice(0, 20),
      notes: [
        ...cliSummary,
        ...(apiEcho.length
          ? [`instanceGet echoes a password given inside rtspUrl's userinfo (${apiEcho.length} hit(s)); the SecretString parameter itself is masked`]
          : []),
        'secrets: RTSP password (right, wrong, in URL userinfo), Azurite account key, fake SAS sig; searched raw, URL-encoded and by 16-char prefix',
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await trap.close();
    await redirecting.close();
    await proxy.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runSecrets({ quick: process.argv.includes('--quick') }));
