// `npm run faults`: every fault scenario in its own process under a hard deadline, on
// loopback only; prints a table and writes faults/results/latest.json.
//   npm run faults [-- --quick] [-- --only=sigkill,restart,uplink,uplink-return,camera,camera-60s,disk,fuzz,fuzz-topology,fuzz-http,secrets,salvage-1m,isolation,fleet,salvage-5m]
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { ScenarioResult } from './lib.ts';

interface Plan {
  readonly key: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly quickArgs: readonly string[];
  readonly limitS: number;
}

const PLANS: readonly Plan[] = [
  { key: 'sigkill', file: 'sigkill.ts', args: ['--kills=100'], quickArgs: ['--kills=10'], limitS: 900 },
  { key: 'sigkill-host', file: 'sigkill-host.ts', args: ['--kills=100'], quickArgs: ['--kills=5'], limitS: 1500 },
  { key: 'restart', file: 'restart-cycles.ts', args: ['--cycles=30'], quickArgs: ['--cycles=3'], limitS: 1500 },
  { key: 'uplink', file: 'uplink-cycles.ts', args: ['--cycles=30'], quickArgs: ['--cycles=3'], limitS: 300 },
  { key: 'uplink-return', file: 'uplink-return.ts', args: ['--rounds=3', '--outage-ms=60000'], quickArgs: ['--rounds=1', '--outage-ms=20000'], limitS: 400 },
  { key: 'camera', file: 'camera-restarts.ts', args: ['--restarts=20'], quickArgs: ['--restarts=3'], limitS: 400 },
  { key: 'camera-60s', file: 'camera-restarts.ts', args: ['--restarts=3', '--down-ms=60000'], quickArgs: ['--restarts=1', '--down-ms=20000'], limitS: 400 },
  { key: 'disk', file: 'disk-full.ts', args: ['--layout=cache', '--rounds=2'], quickArgs: ['--layout=cache'], limitS: 400 },
  { key: 'disk-all', file: 'disk-full.ts', args: ['--layout=all'], quickArgs: ['--layout=all'], limitS: 300 },
  { key: 'fuzz', file: 'fuzz-rtsp.ts', args: ['--inputs=1000000'], quickArgs: ['--inputs=50000'], limitS: 900 },
  { key: 'fuzz-topology', file: 'fuzz-topology.ts', args: ['--documents=200000', '--http-every=20'], quickArgs: ['--documents=20000'], limitS: 1500 },
  { key: 'fuzz-http', file: 'fuzz-http.ts', args: ['--requests=50000'], quickArgs: ['--requests=3000'], limitS: 1800 },
  { key: 'secrets', file: 'secrets.ts', args: [], quickArgs: ['--quick'], limitS: 600 },
  {
    key: 'salvage-1m',
    file: 'salvage-crash.ts',
    args: ['--kills=50', '--segment=60', '--speed=10'],
    quickArgs: ['--kills=3', '--segment=60', '--speed=10'],
    limitS: 1200,
  },
  { key: 'isolation', file: 'isolation.ts', args: ['--window-s=60'], quickArgs: ['--quick'], limitS: 300 },
  {
    key: 'fleet',
    file: 'fleet-failover.ts',
    args: ['--lease=15', '--instances=12', '--restart=1', '--sigstop=1'],
    quickArgs: ['--lease=15', '--instances=12', '--restart=0', '--sigstop=0'],
    limitS: 900,
  },
  {
    key: 'salvage-5m',
    file: 'salvage-crash.ts',
    args: ['--kills=50', '--segment=300', '--speed=20'],
    quickArgs: ['--kills=3', '--segment=300', '--speed=20'],
    limitS: 1800,
  },
];

const here = dirname(fileURLToPath(import.meta.url));
// Scenarios that start `bin/mediagraph.js` run the sources, as the tests do, never a stale dist/.
process.env['MEDIAGRAPH_FROM_SOURCE'] ??= '1';
const quick = process.argv.includes('--quick');
const only = process.argv
  .find((a) => a.startsWith('--only='))
  ?.slice(7)
  .split(',');

function runOne(p: Plan): Promise<ScenarioResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', join(here, p.file), ...(quick ? p.quickArgs : p.args)], {
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    let timedOut = false;
    // The whole process group: a scenario's own children (CLI runs, SIGKILL victims) go too.
    const timer = setTimeout(() => {
      timedOut = true;
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* gone */
      }
    }, p.limitS * 1000);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('RESULT '));
      const seconds = (performance.now() - started) / 1000;
      if (line) {
        resolve(JSON.parse(line.slice(7)) as ScenarioResult);
        return;
      }
      resolve({
        scenario: p.key,
        pass: false,
        trials: 0,
        figures: {},
        seconds,
        failures: [timedOut ? `no result within ${p.limitS} s (killed)` : `exited ${code ?? signal} without a result`, ...err.trim().split('\n').slice(-5)],
      });
    });
  });
}

function figuresText(f: ScenarioResult['figures']): string {
  return Object.entries(f)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

const results: (ScenarioResult & { key: string; args: readonly string[] })[] = [];
for (const p of PLANS) {
  if (only && !only.includes(p.key)) continue;
  process.stdout.write(`running ${p.key} (${p.file} ${(quick ? p.quickArgs : p.args).join(' ')}, limit ${p.limitS} s)…\n`);
  const r = await runOne(p);
  results.push({ ...r, key: p.key, args: quick ? p.quickArgs : p.args });
  process.stdout.write(`  ${r.pass ? 'PASS' : 'FAIL'} in ${r.seconds.toFixed(1)} s: ${figuresText(r.figures)}\n`);
  for (const f of r.failures.slice(0, 5)) process.stdout.write(`    ! ${f}\n`);
}

const rows = results.map((r) => [r.key, r.pass ? 'PASS' : 'FAIL', String(r.trials), `${r.seconds.toFixed(0)} s`, figuresText(r.figures)]);
const head = ['scenario', 'result', 'trials', 'time', 'figures'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (i < 4 ? r[i]!.length : 0))));
const fmt = (r: string[]): string => r.map((c, i) => (i < 4 ? c.padEnd(widths[i]!) : c)).join(' | ');
console.log(
  `\n${fmt(head)}\n${widths
    .slice(0, 4)
    .map((w) => '-'.repeat(w))
    .join('-|-')}-|-------`,
);
for (const r of rows) console.log(fmt(r));

const machine = {
  node: process.version,
  kernel: release(),
  cpus: `${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
};
mkdirSync(join(here, 'results'), { recursive: true });
// Quick runs never overwrite the full figures.
const latest = join(here, 'results', quick ? 'latest-quick.json' : 'latest.json');
// --only reruns some scenarios: the others keep their last results (each carries its own date).
type Stored = (typeof results)[number] & { date?: string };
const now = new Date().toISOString();
let stored: Stored[] = results.map((r) => ({ ...r, date: now }));
if (only && existsSync(latest)) {
  const previous = (JSON.parse(readFileSync(latest, 'utf8')) as { results?: Stored[] }).results ?? [];
  stored = [...previous.filter((p) => !only.includes(p.key)), ...stored].sort(
    (a, b) => PLANS.findIndex((p) => p.key === a.key) - PLANS.findIndex((p) => p.key === b.key),
  );
}
writeFileSync(latest, `${JSON.stringify({ date: now, quick, machine, results: stored }, null, 2)}\n`);
console.log(`\nwrote ${latest} (${results.filter((r) => r.pass).length}/${results.length} passed)`);
process.exit(results.every((r) => r.pass) ? 0 : 1);
