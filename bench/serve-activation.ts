// Activation of N CVR instances through `mediagraph serve`'s HTTP API (issue 17: 100 in < 10 s),
// then the steady state: event-loop delay (the server's mediagraph_event_loop_delay_seconds,
// reset at each scrape) and RSS per stream above the process's base.
// The camera is the simulated camera (`mediagraph sim-camera`, its own process, 360p fixture);
// the store a local folder (`--store file:`), so no upload CPU is measured here.
//
//   node --import tsx bench/serve-activation.ts [--instances 100] [--steady 60] [--segment PT30S]
//        [--prof <dir>] (a CPU profile of the whole serve process, written when it stops)
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { rssBytes } from './lib/proc.ts';
import { ensureMediaFile, fixtureLocation } from '../scripts/fixtures/cache.ts';

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, '..', 'bin', 'mediagraph.js');

function start(args: string[], nodeFlags: string[] = []): ChildProcess {
  const child = spawn(process.execPath, ['--initial-old-space-size=64', ...nodeFlags, bin, ...args], {
    env: { ...process.env, MEDIAGRAPH_FROM_SOURCE: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // the host's info lines (one per instance and segment) would drown the figures
  child.stderr?.on('data', (d: Buffer) => {
    for (const line of d.toString().split('\n')) if (line && !line.includes('"level":"info"')) process.stderr.write(`[${args[0]}] ${line}\n`);
  });
  child.stdout?.resume();
  return child;
}

async function waitHttp(url: string, ms: number): Promise<void> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    try {
      if ((await fetch(url, { signal: AbortSignal.timeout(1000) })).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${url} did not answer within ${ms} ms`);
}

async function call(base: string, method: string, payload: unknown): Promise<number> {
  const r = await fetch(`${base}/api/methods/${method}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(payload),
    signal: AbortSignal.timeout(60_000),
  });
  await r.text();
  if (r.status >= 300) throw new Error(`${method}: HTTP ${r.status}`);
  return r.status;
}

async function metric(base: string, name: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${base}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const m = /^(\S+?)(\{[^}]*\})?\s+(\S+)$/.exec(line);
    if (m) out.set(m[2] ?? '', Number(m[3]));
  }
  return out;
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (n: string, d: string) => {
    const i = args.indexOf(`--${n}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : d;
  };
  const n = Number(opt('instances', '100'));
  const steadySec = Number(opt('steady', '60'));
  const segment = opt('segment', 'PT30S');
  const profDir = opt('prof', '');
  const file = ensureMediaFile(fixtureLocation('h264-360p-aac'));
  const dir = mkdtempSync(join(tmpdir(), 'mg-activation-'));
  const camPort = 18554 + Math.floor(Math.random() * 1000);
  const httpPort = 17070 + Math.floor(Math.random() * 1000);
  const cam = start(['sim-camera', '--port', String(camPort), '--file', file]);
  const server = start(
    ['serve', '--port', String(httpPort), '--data', join(dir, 'data'), '--store', `file:${join(dir, 'store')}`],
    profDir ? ['--cpu-prof', '--cpu-prof-dir', profDir] : [],
  );
  const base = `http://127.0.0.1:${httpPort}`;
  try {
    await waitHttp(`${base}/readyz`, 60_000);
    const baseRss = rssBytes(server.pid as number);
    const topology = (await import('../examples/cvr-asset/topology.json', { with: { type: 'json' } })).default;
    await call(base, 'GraphTopologySet', topology);
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      await call(base, 'GraphInstanceSet', {
        '@apiVersion': '2.0',
        name: `cam-${i}`,
        properties: {
          topologyName: 'CVRToAsset',
          parameters: [
            { name: 'rtspUrl', value: `rtsp://127.0.0.1:${camPort}/camera` },
            { name: 'cachePath', value: join(dir, 'cache') },
            { name: 'segmentLength', value: segment },
          ],
        },
      });
    }
    const tSet = performance.now();
    for (let i = 0; i < n; i++) await call(base, 'GraphInstanceActivate', { name: `cam-${i}` });
    const tActive = performance.now();
    // recording: every instance delivering media (mediagraph_instance_recording = 1)
    let recording = 0;
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      recording = [...(await metric(base, 'mediagraph_instance_recording')).values()].filter((v) => v === 1).length;
      if (recording === n) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const tRecording = performance.now();
    console.log(
      `N=${n}: set ${((tSet - t0) / 1000).toFixed(2)} s, activate ${((tActive - tSet) / 1000).toFixed(2)} s ` +
        `(set+activate ${((tActive - t0) / 1000).toFixed(2)} s), all recording after ${((tRecording - t0) / 1000).toFixed(2)} s (${recording}/${n})`,
    );
    // steady state: scrape the event-loop delay every 10 s (each scrape starts a new window)
    await metric(base, 'mediagraph_event_loop_delay_seconds');
    const p99s: number[] = [];
    const maxes: number[] = [];
    for (let s = 0; s < steadySec; s += 10) {
      await new Promise((r) => setTimeout(r, 10_000));
      const eld = await metric(base, 'mediagraph_event_loop_delay_seconds');
      p99s.push((eld.get('{quantile="0.99"}') ?? NaN) * 1000);
      maxes.push((eld.get('{quantile="1"}') ?? NaN) * 1000);
    }
    const rss = rssBytes(server.pid as number);
    console.log(`event-loop delay p99 per 10 s window (ms): ${p99s.map((x) => x.toFixed(1)).join(' ')}; max: ${maxes.map((x) => x.toFixed(0)).join(' ')}`);
    console.log(
      `RSS ${(rss / 2 ** 20).toFixed(0)} MiB, base ${(baseRss / 2 ** 20).toFixed(0)} MiB: ${((rss - baseRss) / n / 2 ** 20).toFixed(2)} MiB per stream above base`,
    );
  } finally {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    cam.kill('SIGTERM');
    // a profile is written as the server exits
    await Promise.race([exited, new Promise((r) => setTimeout(r, 30_000))]);
    server.kill('SIGKILL');
    cam.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
