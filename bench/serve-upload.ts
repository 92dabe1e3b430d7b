// Issue 17's bench: what a user's host does. `mediagraph serve` (the real CLI in its own
// process, with bin/mediagraph.js's node flags) holds N continuous-recording instances set and
// activated through LVA's API (`POST /api/methods/…`), recording one live RTSP stream (the
// load generator, bench/load/camera-process.ts) and uploading to an Azurite in its own process.
// In the same run, against the same stream: N `ffmpeg -rtsp_transport tcp -c copy -f segment`
// processes recording to disk only, and the floor, one node process that only reads N RTSP
// sockets (bench/ingest/receive-many.ts). CPU is utime+stime from /proc over a steady window
// after a warm-up; the serve process's figure includes its uploads (client side), not Azurite's.
//
// Per N: CPU-s per stream-minute (ours, ffmpeg, floor) and ours/ffmpeg; RSS above the process's
// base per stream; the time to activate all N instances (all API calls answered) and until all
// record; the event-loop delay over the window (/metrics mediagraph_event_loop_delay_seconds);
// then what reached Blob Storage (bench/serve/asset-check.ts): assets with segments, frames
// lost against the span the stream carried, and each segment's upload delay after it closed.
//
//   node --import tsx bench/serve-upload.ts [--streams 1,20,100] [--warmup 20] [--window 30]
//        [--segment PT30S] [--sd-from 100] [--file <hd clip>] [--sd-file <sd clip>]
//        [--sides ours,ffmpeg,floor] [--no-frames] [--from-source] [--profile <dir>] [--node-flags '<flags>']
//        [--json out.json]
import { fork, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cpuSeconds, cpuTimes, machineInfo, rssBytes, type MachineInfo } from './lib/proc.ts';
import { cutProfile, monotonicMicros, type CpuProfile } from './lib/cpuprofile.ts';
import { startAzuriteProcess } from './load/azurite-process.ts';
import { DEFAULT_FILE, frameRate, measureFfmpeg, startLoad, type LoadHandle } from './rtsp-ingest.ts';
import { distIsFresh, metricSum, SERVE_NODE_FLAGS, startServe, type ServeProcess } from './serve/serve-process.ts';
import { ASSET_PREFIX, cvrInstance, cvrTopology, instanceName } from './serve/cvr-instances.ts';
import { checkAssets, type AssetsCheck } from './serve/asset-check.ts';
import type { ReceiveDone } from './ingest/receive-many.ts';
import { fixtureLocation } from '../scripts/fixtures/cache.ts';
import { repoRelative } from '../scripts/repo-paths.ts';

const here = dirname(fileURLToPath(import.meta.url));
const MiB = 2 ** 20;
/** The 360p clip, for N large enough that the 1080p stream would saturate the load generator. */
export const SD_FILE = fixtureLocation('h264-360p-aac');

export type ServeSide = 'ours' | 'ffmpeg' | 'floor';

export interface ServeUploadOptions {
  readonly hdFile: string;
  readonly sdFile: string;
  /** N at and above which the SD clip is streamed. */
  readonly sdFrom: number;
  readonly warmupSec: number;
  readonly windowSec: number;
  /** The asset sink's segmentLength (LVA: PT30S..PT5M). */
  readonly segmentLength: string;
  readonly sides: readonly ServeSide[];
  /** Count the frames in what was uploaded (downloads every segment). */
  readonly countFrames: boolean;
  /** Run serve from src/ through tsx rather than dist/. */
  readonly fromSource: boolean;
  /** Write a .cpuprofile of the serve process over the window into this folder. */
  readonly profileDir?: string;
  /** Extra node flags for the serve process (after bin/mediagraph.js's own), e.g. V8 heap sizes to compare. */
  readonly nodeFlags?: readonly string[];
  readonly log?: (line: string) => void;
}

export interface OursResult {
  readonly cpuPerStreamMinute: number;
  readonly sysPerStreamMinute: number;
  /** Share of one core, the whole process / its main (JS) thread. */
  readonly cpuCores: number;
  readonly mainThreadCores: number;
  readonly rssBaseMiB: number;
  readonly rssPeakMiB: number;
  readonly rssPerStreamMiB: number;
  /** First activation request sent → the last answered (all Active). */
  readonly activationMs: number;
  /** First activation request sent → every instance recording (/metrics). */
  readonly allRecordingMs: number;
  readonly eventLoopDelayMs: { readonly p50: number; readonly p99: number; readonly max: number };
  readonly azuriteCpuCores: number;
  readonly loadCpuCores: number;
  readonly serverDroppedPackets: number;
  readonly deactivationMs: number;
  readonly storage: Omit<AssetsCheck, 'assets' | 'uploadDelaysMs' | 'slowest'> & {
    readonly slowest: AssetsCheck['slowest'];
    readonly uploadDelayP95Ms: number;
    readonly problems: readonly string[];
  };
  readonly profile?: string;
  readonly errors: readonly string[];
}

export interface SimpleSide {
  readonly cpuPerStreamMinute: number;
  readonly cpuCores: number;
  readonly rssPerStreamMiB: number;
  readonly serverDroppedPackets: number;
  readonly errors: readonly string[];
}

export interface ServeUploadRow {
  readonly streams: number;
  readonly file: string;
  readonly ours?: OursResult;
  readonly ffmpeg?: SimpleSide;
  readonly floor?: SimpleSide;
  /** ours / ffmpeg, CPU per stream-minute. */
  readonly ratio?: number;
  readonly floorRatio?: number;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

async function until(what: string, timeoutMs: number, check: () => Promise<boolean>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(250);
  }
}

/** CPU, main-thread CPU and peak RSS of `pid` over `windowSec`, plus the CPU of `others`. */
async function window(pid: number, windowSec: number, others: readonly number[]) {
  const c0 = cpuTimes(pid);
  const m0 = cpuTimes(pid, pid);
  const o0 = others.map((p) => cpuSeconds(p));
  const t0 = performance.now();
  let peak = rssBytes(pid);
  const end = t0 + windowSec * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    peak = Math.max(peak, rssBytes(pid));
  }
  const wall = (performance.now() - t0) / 1000;
  const c1 = cpuTimes(pid);
  const m1 = cpuTimes(pid, pid);
  return {
    wall,
    cpu: c1.user + c1.sys - c0.user - c0.sys,
    sys: c1.sys - c0.sys,
    main: m1.user + m1.sys - m0.user - m0.sys,
    others: others.map((p, i) => cpuSeconds(p) - (o0[i] ?? 0)),
    peakRss: peak,
  };
}

function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)] as number;
}

export async function measureServeUpload(load: LoadHandle, streams: number, fps: number, o: ServeUploadOptions): Promise<OursResult> {
  const log = o.log ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), `serve-upload-${streams}-`));
  const azurite = await startAzuriteProcess();
  let serve: ServeProcess | undefined;
  const errors: string[] = [];
  try {
    const profileTmp = o.profileDir ? join(work, 'profile') : undefined;
    serve = await startServe({
      dataDirectory: join(work, 'data'),
      blobConnection: azurite.connectionString,
      fromSource: o.fromSource,
      nodeFlags: [...(o.nodeFlags ?? []), ...(profileTmp ? ['--cpu-prof', '--cpu-prof-dir', profileTmp] : [])],
    });
    const s = serve;
    await sleep(1000); // let the freshly started process settle before its base RSS
    const rssBase = rssBytes(s.pid);
    const set = await s.invoke('GraphTopologySet', cvrTopology());
    if (set.status >= 300) throw new Error(`GraphTopologySet: ${set.status} ${JSON.stringify(set.payload)}`);
    for (let i = 0; i < streams; i++) {
      const r = await s.invoke('GraphInstanceSet', cvrInstance(i, load.url, join(work, 'cache'), o.segmentLength));
      if (r.status >= 300) throw new Error(`GraphInstanceSet ${instanceName(i)}: ${r.status} ${JSON.stringify(r.payload)}`);
    }
    // as an operations script would: every activation sent at once, each answered once Active
    const a0 = performance.now();
    const answers = await Promise.all(Array.from({ length: streams }, (_, i) => s.invoke('GraphInstanceActivate', { name: instanceName(i) })));
    const activationMs = performance.now() - a0;
    for (const [i, r] of answers.entries()) if (r.status >= 300) errors.push(`activate ${instanceName(i)}: ${r.status} ${JSON.stringify(r.payload)}`);
    await until(`${streams} instances recording`, 60_000, async () => metricSum(await s.metrics(), 'mediagraph_instance_recording') >= streams);
    const allRecordingMs = performance.now() - a0;
    log(`serve N=${streams}: ${streams} instances Active in ${activationMs.toFixed(0)} ms, all recording after ${allRecordingMs.toFixed(0)} ms`);
    await sleep(o.warmupSec * 1000);
    const dropped0 = (await load.stats()).droppedPackets;
    await s.metrics(); // resets the event-loop delay histogram: the next scrape covers the window
    const prof0 = monotonicMicros();
    const w = await window(s.pid, o.windowSec, [azurite.pid, load.pid]);
    const prof1 = monotonicMicros();
    const m = await s.metrics();
    const dropped1 = (await load.stats()).droppedPackets;
    const loop = (quantile: string) => (m.get(`mediagraph_event_loop_delay_seconds{quantile="${quantile}"}`) ?? NaN) * 1000;
    // deactivation cuts the open segment and drains the cache: everything recorded is uploaded
    const d0 = performance.now();
    const deactivated = await Promise.all(Array.from({ length: streams }, (_, i) => s.invoke('GraphInstanceDeactivate', { name: instanceName(i) })));
    const deactivationMs = performance.now() - d0;
    for (const [i, r] of deactivated.entries()) if (r.status >= 300) errors.push(`deactivate ${instanceName(i)}: ${r.status} ${JSON.stringify(r.payload)}`);
    const exitedCleanly = await s.stop(30_000);
    if (!exitedCleanly) errors.push('serve did not exit within 30 s of SIGTERM');
    let profile: string | undefined;
    if (o.profileDir && profileTmp) profile = writeWindowProfile(profileTmp, o.profileDir, streams, prof0, prof1);
    const check = await checkAssets(azurite.connectionString, ASSET_PREFIX, fps, o.countFrames);
    const perMinute = (cpu: number) => (cpu / w.wall / streams) * 60;
    return {
      cpuPerStreamMinute: perMinute(w.cpu),
      sysPerStreamMinute: perMinute(w.sys),
      cpuCores: w.cpu / w.wall,
      mainThreadCores: w.main / w.wall,
      rssBaseMiB: rssBase / MiB,
      rssPeakMiB: w.peakRss / MiB,
      rssPerStreamMiB: (w.peakRss - rssBase) / streams / MiB,
      activationMs,
      allRecordingMs,
      eventLoopDelayMs: { p50: loop('0.5'), p99: loop('0.99'), max: loop('1') },
      azuriteCpuCores: (w.others[0] ?? NaN) / w.wall,
      loadCpuCores: (w.others[1] ?? NaN) / w.wall,
      serverDroppedPackets: dropped1 - dropped0,
      deactivationMs,
      storage: {
        assetsWithSegments: check.assetsWithSegments,
        segments: check.segments,
        videoFrames: check.videoFrames,
        missingFrames: check.missingFrames,
        maxUploadDelayMs: check.maxUploadDelayMs,
        uploadDelayP95Ms: percentile(check.uploadDelaysMs, 95),
        slowest: check.slowest,
        problems: check.assets.flatMap((a) => a.problems.map((p) => `${a.asset}: ${p}`)).slice(0, 20),
      },
      ...(profile ? { profile: repoRelative(profile) } : {}),
      errors,
    };
  } catch (e) {
    if (serve) process.stderr.write(`serve stderr (last lines):\n${serve.stderr()}\n`);
    throw e;
  } finally {
    await serve?.stop(5000);
    await azurite.close();
    rmSync(work, { recursive: true, force: true });
  }
}

/** Cuts the profile --cpu-prof wrote at exit to the window and writes it to `outDir`. */
function writeWindowProfile(fromDir: string, outDir: string, streams: number, fromUs: number, toUs: number): string | undefined {
  const name = readdirSync(fromDir).find((f) => f.endsWith('.cpuprofile'));
  if (!name) return undefined;
  const whole = JSON.parse(readFileSync(join(fromDir, name), 'utf8')) as CpuProfile;
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, `serve-upload-N${streams}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`);
  writeFileSync(path, JSON.stringify(cutProfile(whole, fromUs, toUs)));
  return path;
}

export async function measureFloor(load: LoadHandle, streams: number, o: ServeUploadOptions): Promise<SimpleSide> {
  const child = fork(join(here, 'ingest', 'receive-many.ts'), [], {
    execArgv: ['--import', 'tsx', ...SERVE_NODE_FLAGS],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const next = (type: string, timeoutMs: number) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`floor: timed out waiting for '${type}'`)), timeoutMs);
      const on = (m: { type?: string }) => {
        if (m.type !== type) return;
        clearTimeout(timer);
        child.off('message', on);
        resolve(m);
      };
      child.on('message', on);
    });
  try {
    await next('ready', 30_000);
    await sleep(500);
    const rss0 = rssBytes(child.pid as number);
    const streaming = next('streaming', 60_000);
    child.send({ cmd: 'start', url: load.url, streams });
    await streaming;
    await sleep(Math.min(o.warmupSec, 5) * 1000);
    const dropped0 = (await load.stats()).droppedPackets;
    const w = await window(child.pid as number, o.windowSec, []);
    const dropped1 = (await load.stats()).droppedPackets;
    const done = next('done', 30_000) as Promise<ReceiveDone>;
    child.send({ cmd: 'stop' });
    const d = await done;
    return {
      cpuPerStreamMinute: (w.cpu / w.wall / streams) * 60,
      cpuCores: w.cpu / w.wall,
      rssPerStreamMiB: (w.peakRss - rss0) / streams / MiB,
      serverDroppedPackets: dropped1 - dropped0,
      errors: d.errors,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
  }
}

async function measureFfmpegSide(load: LoadHandle, streams: number, file: string, o: ServeUploadOptions): Promise<SimpleSide> {
  const segmentSec = Number(/^PT(\d+)S$/.exec(o.segmentLength)?.[1] ?? 30);
  const r = await measureFfmpeg(load, streams, {
    file,
    load: load.kind,
    windowSec: o.windowSec,
    warmupSec: o.warmupSec,
    segmentSec,
    checkFrames: false,
    source: 'session',
  });
  return {
    cpuPerStreamMinute: r.cpuPerStreamSec * 60,
    cpuCores: r.cpuCores,
    rssPerStreamMiB: r.rssPerStreamMiB,
    serverDroppedPackets: r.serverDroppedPackets,
    errors: r.errors,
  };
}

export async function runServeUpload(streamCounts: readonly number[], o: ServeUploadOptions): Promise<ServeUploadRow[]> {
  const log = o.log ?? ((l: string) => console.log(l));
  const rows: ServeUploadRow[] = [];
  for (const n of streamCounts) {
    const file = n >= o.sdFrom ? o.sdFile : o.hdFile;
    const load = await startLoad('sim', file);
    try {
      const fps = await frameRate(file);
      const ours = o.sides.includes('ours') ? await measureServeUpload(load, n, fps, { ...o, log }) : undefined;
      if (ours) log(formatOurs(n, ours));
      const ffmpeg = o.sides.includes('ffmpeg') ? await measureFfmpegSide(load, n, file, o) : undefined;
      if (ffmpeg) log(formatSimple('ffmpeg', n, ffmpeg));
      const floor = o.sides.includes('floor') ? await measureFloor(load, n, o) : undefined;
      if (floor) log(formatSimple('floor', n, floor));
      rows.push({
        streams: n,
        file: repoRelative(file),
        ...(ours ? { ours } : {}),
        ...(ffmpeg ? { ffmpeg } : {}),
        ...(floor ? { floor } : {}),
        ...(ours && ffmpeg ? { ratio: ours.cpuPerStreamMinute / ffmpeg.cpuPerStreamMinute } : {}),
        ...(floor && ffmpeg ? { floorRatio: floor.cpuPerStreamMinute / ffmpeg.cpuPerStreamMinute } : {}),
      });
    } finally {
      await load.close();
    }
  }
  return rows;
}

export function formatOurs(n: number, r: OursResult): string {
  const st = r.storage;
  return (
    `serve+upload N=${n}: ${r.cpuPerStreamMinute.toFixed(3)} CPU-s/stream-min (sys ${r.sysPerStreamMinute.toFixed(3)}; ${(r.cpuCores * 100).toFixed(0)}% of a core, JS thread ${(r.mainThreadCores * 100).toFixed(0)}%)  ` +
    `RSS ${r.rssBaseMiB.toFixed(0)} → ${r.rssPeakMiB.toFixed(0)} MiB (${r.rssPerStreamMiB.toFixed(2)} MiB/stream)  activation ${r.activationMs.toFixed(0)} ms (recording ${r.allRecordingMs.toFixed(0)} ms)  ` +
    `event loop p50/p99/max ${r.eventLoopDelayMs.p50.toFixed(1)}/${r.eventLoopDelayMs.p99.toFixed(1)}/${r.eventLoopDelayMs.max.toFixed(1)} ms  ` +
    `Azurite ${(r.azuriteCpuCores * 100).toFixed(0)}%, load gen ${(r.loadCpuCores * 100).toFixed(0)}%, server-dropped ${r.serverDroppedPackets}  ` +
    `storage: ${st.assetsWithSegments}/${n} assets, ${st.segments} segments, ${st.videoFrames} frames, missing ${st.missingFrames}, upload delay p95 ${st.uploadDelayP95Ms.toFixed(0)} ms max ${st.maxUploadDelayMs.toFixed(0)} ms` +
    `${st.problems.length ? `  PROBLEMS: ${st.problems.slice(0, 3).join(' | ')}` : ''}${r.errors.length ? `  ERRORS: ${r.errors.slice(0, 3).join(' | ')}` : ''}`
  );
}

function formatSimple(side: string, n: number, r: SimpleSide): string {
  return `${side} N=${n}: ${r.cpuPerStreamMinute.toFixed(3)} CPU-s/stream-min (${(r.cpuCores * 100).toFixed(0)}% of a core)  RSS ${r.rssPerStreamMiB.toFixed(2)} MiB/stream  server-dropped ${r.serverDroppedPackets}${r.errors.length ? `  ERRORS: ${r.errors.slice(0, 3).join(' | ')}` : ''}`;
}

/** Builds dist/ when it is missing or older than src/ (serve runs what users run). */
export function ensureBuilt(log: (l: string) => void): void {
  if (distIsFresh()) return;
  log('serve-upload: building dist/ (npm run build) so serve runs the compiled CLI');
  const r = spawnSync(process.execPath, [fileURLToPath(new URL('../scripts/build.mjs', import.meta.url))], { stdio: 'inherit' });
  if (r.status !== 0) throw new Error('npm run build failed');
}

export function serveUploadOptionsFromArgs(args: readonly string[], prefix = ''): ServeUploadOptions & { streams: number[] } {
  const flag = (n: string) => args.includes(`--${prefix}${n}`);
  const opt = (n: string, d: string) => {
    const i = args.indexOf(`--${prefix}${n}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : d;
  };
  return {
    streams: opt('streams', '1,20,100')
      .split(',')
      .map(Number)
      .filter((n) => n > 0),
    hdFile: opt('file', DEFAULT_FILE),
    sdFile: opt('sd-file', SD_FILE),
    sdFrom: Number(opt('sd-from', '100')),
    warmupSec: Number(opt('warmup', '20')),
    windowSec: Number(opt('window', '30')),
    segmentLength: opt('segment', 'PT30S'),
    sides: opt('sides', 'ours,ffmpeg,floor').split(',') as ServeSide[],
    countFrames: !flag('no-frames'),
    fromSource: flag('from-source'),
    ...(opt('profile', '') ? { profileDir: opt('profile', '') } : {}),
    ...(opt('node-flags', '') ? { nodeFlags: opt('node-flags', '').split(/\s+/).filter(Boolean) } : {}),
  };
}

/** The options as written into results: paths repo-relative (or only a file name). */
export function recordedOptions(o: ServeUploadOptions): Record<string, unknown> {
  return {
    ...o,
    hdFile: repoRelative(o.hdFile),
    sdFile: repoRelative(o.sdFile),
    ...(o.profileDir !== undefined ? { profileDir: repoRelative(o.profileDir) } : {}),
  };
}

export function describeRun(o: ServeUploadOptions, machine: MachineInfo): string {
  return `serve-upload: serve from ${o.fromSource ? 'src/ (tsx)' : 'dist/'}, segments ${o.segmentLength}, window ${o.windowSec} s after ${o.warmupSec} s warm-up, ${machine.cpuModel} × ${machine.cores}, node ${machine.node}, load average ${loadAverage()}`;
}

/** /proc/loadavg's 1/5/15-minute figures: how busy the machine was around the run. */
export function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return 'unknown';
  }
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const o = serveUploadOptionsFromArgs(args);
  if (!o.fromSource) ensureBuilt(console.log);
  const machine = machineInfo();
  console.log(describeRun(o, machine));
  const loadBefore = loadAverage();
  const rows = await runServeUpload(o.streams, o);
  for (const r of rows) {
    if (r.ratio !== undefined)
      console.log(`N=${r.streams}: CPU ours/ffmpeg ${r.ratio.toFixed(2)}×${r.floorRatio !== undefined ? ` (floor/ffmpeg ${r.floorRatio.toFixed(2)}×)` : ''}`);
  }
  const i = args.indexOf('--json');
  const json = i >= 0 ? args[i + 1] : undefined;
  if (json) {
    mkdirSync(dirname(json), { recursive: true });
    const { streams: _streams, ...options } = o;
    writeFileSync(
      json,
      JSON.stringify(
        {
          machine,
          loadAverageBefore: loadBefore,
          loadAverageAfter: loadAverage(),
          options: recordedOptions(options),
          rows,
        },
        (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v),
        2,
      ),
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
