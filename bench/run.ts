// `npm run bench`: the benchmarks in sequence with short defaults (< 10 min in all, plus
// ~12 min for serve-upload), one table, and bench/results/latest.json (machine, date, every
// figure with its baseline and ratio). Each benchmark also runs alone with longer settings;
// see docs/performance.md.
//
//   npm run bench -- [--window 20] [--warmup 5] [--streams 1,10,20] [--scale-from 50] [--scale-step 50] [--scale-max 200]
//                    [--no-scale] [--only segmenter,rtsp-ingest,upload-drain,cache-scaling,outage-rss,serve-upload] [--out bench/results/latest.json]
//                    [--recorder-flags '--initial-old-space-size=64'] (node flags for our recorder process)
//                    [--upload-drain-sizes 1x200,16x25] [--upload-drain-rounds 4] [--outage-minutes 3]
//                    [--serve-streams 1,20,100] [--serve-warmup 20] [--serve-window 30] [--serve-segment PT30S]
//                    [--serve-sd-from 100] [--serve-sides ours,ffmpeg,floor] [--serve-profile <dir>] [--serve-from-source] [--serve-node-flags '<flags>']
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { machineInfo } from './lib/proc.ts';
import { repoRelative } from '../scripts/repo-paths.ts';
import { DEFAULT_FILE, findMaxStreams, runRtspIngest, type IngestOptions, type IngestRow, type ScalePoint } from './rtsp-ingest.ts';
import type { LoadKind } from './load/camera-process.ts';
import { describeRun, ensureBuilt, loadAverage, recordedOptions, runServeUpload, serveUploadOptionsFromArgs, type ServeUploadRow } from './serve-upload.ts';
// the recorder runs with the flags `mediagraph` itself starts with (bin/mediagraph.js)
const RECORDER_NODE_FLAGS = '--initial-old-space-size=64';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const flag = (n: string) => args.includes(`--${n}`);
const opt = (n: string, d: string) => {
  const i = args.indexOf(`--${n}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : d;
};
const only = opt('only', 'segmenter,rtsp-ingest,upload-drain,cache-scaling,outage-rss,serve-upload').split(',');
const outPath = opt('out', join(here, 'results', 'latest.json'));

/** One measured figure next to what it is compared with. */
export interface Figure {
  readonly bench: string;
  readonly name: string;
  readonly unit: string;
  readonly ours: number;
  readonly baseline?: number;
  readonly baselineName?: string;
  /** ours / baseline. */
  readonly ratio?: number;
  /** The issue's target, as text (e.g. "ratio ≤ 0.5"). */
  readonly target?: string;
  readonly met?: boolean;
  readonly note?: string;
}

const figures: Figure[] = [];
const extra: Record<string, unknown> = {};
const started = Date.now();

function runChild(
  script: string,
  childArgs: readonly string[],
  timeoutMs: number,
  execArgv: readonly string[] = [],
): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [...execArgv, '--import', 'tsx', script, ...childArgs], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      process.stdout.write(d);
    });
    const timer = setTimeout(() => p.kill('SIGKILL'), timeoutMs);
    p.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

async function segmenter(): Promise<void> {
  console.log('\n## segmenter (bench/segmenter.ts)');
  const minutes = opt('segmenter-minutes', '5');
  const r = await runChild(join(here, 'segmenter.ts'), ['--minutes', minutes, '--streams', '4', '--mp4box-minutes', opt('mp4box-minutes', '2')], 180_000, [
    '--expose-gc',
  ]);
  const line = (prefix: string) => r.out.split('\n').filter((l) => l.startsWith(prefix));
  const rate = (l: string | undefined) => Number(/(\d+) samples\/s/.exec(l ?? '')?.[1] ?? NaN);
  const rss = (l: string | undefined) => Number(/RSS growth\s+(-?[\d.]+) MiB\/stream/.exec(l ?? '')?.[1] ?? NaN);
  const ours = line('SegmentCutter + SegmentFiles (writev)');
  const box = line('mp4box.js')[0];
  // the segmenter bench prints the 1-stream run at the mp4box.js duration last when they differ
  const oursSame = ours.filter((l) => / 1 stream/.test(l)).at(-1);
  const ratio = /ratio ours\/mp4box\.js[^:]*: ([\d.]+)x/.exec(r.out)?.[1];
  if (oursSame && box) {
    figures.push({
      bench: 'segmenter',
      name: 'samples/s, cut + write fMP4 (1 stream)',
      unit: 'samples/s',
      ours: rate(oursSame),
      baseline: rate(box),
      baselineName: 'mp4box.js addSample+createFragment',
      ratio: ratio ? Number(ratio) : rate(oursSame) / rate(box),
      target: 'ratio ≥ 1',
      met: rate(oursSame) >= rate(box),
    });
    figures.push({
      bench: 'segmenter',
      name: 'RSS growth (1 stream)',
      unit: 'MiB',
      ours: rss(oursSame),
      baseline: rss(box),
      baselineName: 'mp4box.js',
      ratio: rss(oursSame) / rss(box),
    });
  } else {
    figures.push({ bench: 'segmenter', name: 'did not complete', unit: '', ours: NaN, note: `exit ${r.code}` });
  }
}

async function rtspIngest(): Promise<void> {
  console.log('\n## rtsp-ingest (bench/rtsp-ingest.ts)');
  const o: IngestOptions = {
    file: opt('file', DEFAULT_FILE),
    load: opt('load', 'sim') as LoadKind,
    windowSec: Number(opt('window', '20')),
    warmupSec: Number(opt('warmup', '5')),
    segmentSec: 10,
    checkFrames: !flag('no-frames'),
    source: 'session',
    recorderExecArgv: opt('recorder-flags', RECORDER_NODE_FLAGS)
      .split(' ')
      .filter((f) => f.length > 0),
  };
  const streams = opt('streams', '1,10,20')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const res = await runRtspIngest(streams, ['ours', 'ffmpeg'], o);
  extra.rtspIngest = { options: { ...o, file: repoRelative(o.file) }, ...res };
  for (const row of res.rows) addIngestFigures(row);
  if (!flag('no-scale')) {
    const s = await findMaxStreams({
      ...o,
      windowSec: Number(opt('scale-window', '10')),
      from: Number(opt('scale-from', '50')),
      step: Number(opt('scale-step', '50')),
      max: Number(opt('scale-max', '200')),
    });
    extra.scale = s;
    const last: ScalePoint | undefined = s.points.at(-1);
    figures.push({
      bench: 'rtsp-ingest',
      name: 'streams sustained by one process (no loss, no saturation)',
      unit: 'streams',
      ours: s.sustained,
      note: last && !last.ok ? `first failing N=${last.streams}: ${last.reason}` : `no failure up to N=${last?.streams ?? 0} (bound)`,
    });
  }
}

function addIngestFigures(row: IngestRow): void {
  const { ours, ffmpeg } = row;
  if (!ours || !ffmpeg) return;
  const n = row.streams;
  const cpuRatio = ours.cpuPerStreamSec / ffmpeg.cpuPerStreamSec;
  figures.push({
    bench: 'rtsp-ingest',
    name: `CPU per stream-second, N=${n}`,
    unit: 'ms CPU/s',
    ours: ours.cpuPerStreamSec * 1000,
    baseline: ffmpeg.cpuPerStreamSec * 1000,
    baselineName: 'ffmpeg -c copy -f segment (1 process/stream)',
    ratio: cpuRatio,
    target: 'ratio ≤ 0.5',
    met: cpuRatio <= 0.5,
  });
  figures.push({
    bench: 'rtsp-ingest',
    name: `RSS per stream, N=${n}`,
    unit: 'MiB',
    ours: ours.rssPerStreamMiB,
    baseline: ffmpeg.rssPerStreamMiB,
    baselineName: 'ffmpeg (Σ RSS / N)',
    ratio: ours.rssPerStreamMiB / ffmpeg.rssPerStreamMiB,
    target: '≤ 5 MiB',
    met: ours.rssPerStreamMiB <= 5,
  });
  const lost = (ours.lostPackets ?? 0) + ours.serverDroppedPackets;
  figures.push({
    bench: 'rtsp-ingest',
    name: `frames missing in output, N=${n}`,
    unit: 'frames',
    ours: ours.frameCheck?.missing ?? NaN,
    baseline: ffmpeg.frameCheck?.missing ?? NaN,
    baselineName: 'ffmpeg',
    target: '0',
    met: (ours.frameCheck?.missing ?? 0) === 0 && lost === 0,
    note: `ours: ${ours.lostPackets ?? 0} RTP lost, ${ours.serverDroppedPackets} dropped by server, ${ours.frameCheck?.frames ?? '?'} frames written; ffmpeg: ${ffmpeg.serverDroppedPackets} dropped by server, ${ffmpeg.frameCheck?.frames ?? '?'} frames written`,
  });
  figures.push({
    bench: 'rtsp-ingest',
    name: `load generator CPU per stream-second, N=${n}`,
    unit: 'ms CPU/s',
    ours: ours.loadCpuPerStreamSec * 1000,
    baseline: ffmpeg.loadCpuPerStreamSec * 1000,
    baselineName: 'same, during the ffmpeg run',
    note: 'separate process (simulated camera), not counted above',
  });
}

async function uploadDrain(): Promise<void> {
  console.log('\n## upload-drain (bench/upload-drain.ts)');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-upload-'));
  const json = join(tmp, 'upload-drain.json');
  try {
    const childArgs = ['--json', json, '--sizes', opt('upload-drain-sizes', '1x200,16x25'), '--rounds', opt('upload-drain-rounds', '4')];
    const r = await runChild(join(here, 'upload-drain.ts'), childArgs, 600_000);
    if (r.code !== 0 || !existsSync(json)) {
      figures.push({ bench: 'upload-drain', name: `exited ${r.code}`, unit: '', ours: NaN });
      return;
    }
    const result = JSON.parse(readFileSync(json, 'utf8')) as UploadDrainResult;
    extra.uploadDrain = result;
    for (const size of result.sizes) {
      figures.push({
        bench: 'upload-drain',
        name: `drain ${size.segments} × ${size.segmentMiB} MiB segments`,
        unit: 'MiB/s',
        ours: size.sink.mibPerS,
        baseline: size.raw.mibPerS,
        baselineName: 'raw uploadData of the same files',
        ratio: size.ratio,
        target: 'ratio ≥ 0.9',
        met: size.ratio >= 0.9,
        note: `best runs ${size.bestRatio.toFixed(2)}×; client CPU ${size.sink.clientCpuMsPerMiB.toFixed(2)} vs ${size.raw.clientCpuMsPerMiB.toFixed(2)} ms/MiB (sink vs raw)`,
      });
    }
    figures.push({
      bench: 'upload-drain',
      name: 'cache recovery, 10,000 segments',
      unit: 'ms',
      ours: result.recovery10kMs,
      target: '< 2000 ms',
      met: result.recovery10kMs < 2000,
    });
    figures.push({
      bench: 'upload-drain',
      name: 'segment close → upload start, p95',
      unit: 'ms',
      ours: result.closeToUploadMs.p95,
      target: '< 100 ms',
      met: result.closeToUploadMs.p95 < 100,
      note: `p50 ${result.closeToUploadMs.p50.toFixed(1)} ms, max ${result.closeToUploadMs.max.toFixed(1)} ms`,
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

/** What bench/upload-drain.ts writes with --json. */
interface UploadDrainResult {
  readonly sizes: readonly {
    readonly segmentMiB: number;
    readonly segments: number;
    readonly ratio: number;
    readonly bestRatio: number;
    readonly raw: { readonly mibPerS: number; readonly clientCpuMsPerMiB: number };
    readonly sink: { readonly mibPerS: number; readonly clientCpuMsPerMiB: number };
  }[];
  readonly recovery10kMs: number;
  readonly closeToUploadMs: { readonly p50: number; readonly p95: number; readonly max: number };
}

async function cacheScaling(): Promise<void> {
  console.log('\n## cache-scaling (bench/cache-scaling.ts)');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-cache-'));
  const json = join(tmp, 'cache-scaling.json');
  try {
    const r = await runChild(join(here, 'cache-scaling.ts'), ['--ops', '200', '--sizes', '0,10000,50000', '--json', json], 300_000);
    if (r.code !== 0 || !existsSync(json)) {
      figures.push({ bench: 'cache-scaling', name: `exited ${r.code}`, unit: '', ours: NaN });
      return;
    }
    const result = JSON.parse(readFileSync(json, 'utf8')) as { rows: { size: number; addUs: number; openMs: number }[] };
    extra.cacheScaling = result;
    const empty = result.rows[0]!;
    for (const row of result.rows.slice(1)) {
      const ratio = row.addUs / empty.addUs;
      figures.push({
        bench: 'cache-scaling',
        name: `add with ${row.size} cached vs empty`,
        unit: 'µs/segment',
        ours: row.addUs,
        baseline: empty.addUs,
        baselineName: 'empty cache, same run',
        ratio,
        target: '≈ 1 (O(1))',
        met: ratio < 1.5,
      });
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function outageRss(): Promise<void> {
  console.log('\n## outage-rss (bench/outage-rss.ts)');
  const tmp = mkdtempSync(join(tmpdir(), 'bench-outage-'));
  const json = join(tmp, 'outage-rss.json');
  try {
    const minutes = Number(opt('outage-minutes', '3'));
    // --stop kill: a graceful stop against a dead uplink would wait out the drain timeout.
    const r = await runChild(join(here, 'outage-rss.ts'), ['--minutes', String(minutes), '--stop', 'kill', '--json', json], (minutes * 60 + 180) * 1000);
    if (!existsSync(json)) {
      figures.push({ bench: 'outage-rss', name: `exited ${r.code}`, unit: '', ours: NaN });
      return;
    }
    const o = JSON.parse(readFileSync(json, 'utf8')) as {
      rssStartMiB: number;
      rssMaxMiB: number;
      growthMiB: number;
      slopeMiBPerHour: number;
      mediaHours: number;
      segmentsWritten: number;
      segmentsEvicted: number;
      met: boolean;
    };
    extra.outageRss = { ...o, samples: undefined };
    figures.push({
      bench: 'outage-rss',
      name: `RSS growth over a dead-uplink outage (${o.mediaHours.toFixed(2)} h of media)`,
      unit: 'MiB',
      ours: o.growthMiB,
      baseline: o.rssStartMiB,
      baselineName: 'RSS at the start of the window',
      target: '≤ 10 MiB',
      met: o.growthMiB <= 10,
      note: `max ${o.rssMaxMiB.toFixed(1)} MiB, slope ${o.slopeMiBPerHour.toFixed(1)} MiB/h, ${o.segmentsWritten} segments written, ${o.segmentsEvicted} evicted`,
    });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

async function serveUpload(): Promise<void> {
  console.log('\n## serve-upload (bench/serve-upload.ts)');
  const o = serveUploadOptionsFromArgs(args, 'serve-');
  if (!o.fromSource) ensureBuilt(console.log);
  console.log(describeRun(o, machineInfo()));
  const loadBefore = loadAverage();
  const rows = await runServeUpload(o.streams, o);
  const { streams: _streams, ...options } = o;
  extra.serveUpload = {
    options: recordedOptions(options),
    loadAverageBefore: loadBefore,
    loadAverageAfter: loadAverage(),
    rows,
  };
  const segmentMs = parseIsoSeconds(o.segmentLength) * 1000;
  for (const row of rows) addServeFigures(row, segmentMs);
}

function parseIsoSeconds(d: string): number {
  const m = /^PT(?:(\d+)M)?(?:(\d+)S)?$/.exec(d);
  return m ? Number(m[1] ?? 0) * 60 + Number(m[2] ?? 0) : NaN;
}

/** Issue 17's targets per N. */
function addServeFigures(row: ServeUploadRow, segmentMs: number): void {
  const n = row.streams;
  const { ours, ffmpeg, floor } = row;
  const bench = 'serve-upload';
  const cpuTarget = n === 1 ? 1.3 : n === 20 ? 0.25 : undefined;
  if (ours && ffmpeg) {
    const ratio = ours.cpuPerStreamMinute / ffmpeg.cpuPerStreamMinute;
    figures.push({
      bench,
      name: `CPU per stream-minute, record + upload, N=${n}`,
      unit: 'CPU-s',
      ours: ours.cpuPerStreamMinute,
      baseline: ffmpeg.cpuPerStreamMinute,
      baselineName: 'ffmpeg -c copy -f segment, record only (1 process/stream)',
      ratio,
      ...(cpuTarget !== undefined ? { target: `ratio ≤ ${cpuTarget}`, met: ratio <= cpuTarget } : {}),
      note: `${row.file}; JS thread ${(ours.mainThreadCores * 100).toFixed(0)}% of a core; Azurite ${(ours.azuriteCpuCores * 100).toFixed(0)}% (not counted)`,
    });
  }
  if (floor && ffmpeg) {
    figures.push({
      bench,
      name: `floor: node reading N RTSP sockets only, N=${n}`,
      unit: 'CPU-s',
      ours: floor.cpuPerStreamMinute,
      baseline: ffmpeg.cpuPerStreamMinute,
      baselineName: 'ffmpeg, same run',
      ratio: floor.cpuPerStreamMinute / ffmpeg.cpuPerStreamMinute,
    });
  }
  if (!ours) return;
  const large = n >= 100;
  figures.push({
    bench,
    name: `RSS above the process base per stream, N=${n}`,
    unit: 'MiB',
    ours: ours.rssPerStreamMiB,
    ...(ffmpeg ? { baseline: ffmpeg.rssPerStreamMiB, baselineName: 'ffmpeg (Σ RSS / N)' } : {}),
    ...(large ? { target: '≤ 3 MiB', met: ours.rssPerStreamMiB <= 3 } : {}),
    note: `base ${ours.rssBaseMiB.toFixed(0)} MiB, peak ${ours.rssPeakMiB.toFixed(0)} MiB`,
  });
  figures.push({
    bench,
    name: `activation of ${n} instances (API, all Active)`,
    unit: 'ms',
    ours: ours.activationMs,
    ...(large ? { target: '< 10 s', met: ours.activationMs < 10_000 } : {}),
    note: `all recording after ${ours.allRecordingMs.toFixed(0)} ms`,
  });
  figures.push({
    bench,
    name: `event-loop delay p99 over the window, N=${n}`,
    unit: 'ms',
    ours: ours.eventLoopDelayMs.p99,
    ...(large ? { target: '< 20 ms', met: ours.eventLoopDelayMs.p99 < 20 } : {}),
    note: `p50 ${ours.eventLoopDelayMs.p50.toFixed(1)} ms, max ${ours.eventLoopDelayMs.max.toFixed(1)} ms`,
  });
  const st = ours.storage;
  figures.push({
    bench,
    name: `frames missing in Blob Storage, N=${n}`,
    unit: 'frames',
    ours: st.missingFrames,
    target: '0',
    met: st.missingFrames === 0 && ours.serverDroppedPackets === 0 && st.assetsWithSegments === n,
    note: `${st.videoFrames} frames in ${st.segments} segments of ${st.assetsWithSegments}/${n} assets (mp4box.js); ${ours.serverDroppedPackets} packets dropped by the camera${st.problems.length ? `; ${st.problems.slice(0, 2).join('; ')}` : ''}`,
  });
  figures.push({
    bench,
    name: `segment close → in Blob Storage, max, N=${n}`,
    unit: 'ms',
    ours: st.maxUploadDelayMs,
    target: `≤ ${segmentMs / 1000} s (a segment)`,
    met: st.maxUploadDelayMs <= segmentMs,
    note: `p95 ${st.uploadDelayP95Ms.toFixed(0)} ms (Last-Modified, whole seconds)`,
  });
}

function fmt(n: number | undefined, digits = 2): string {
  if (n === undefined || Number.isNaN(n)) return '–';
  return Math.abs(n) >= 1000 ? n.toFixed(0) : n.toFixed(digits);
}

function printTable(): void {
  const rows = figures.map((f) => [
    f.bench,
    f.name,
    f.unit,
    fmt(f.ours),
    fmt(f.baseline),
    f.ratio !== undefined ? `${fmt(f.ratio)}×` : '',
    f.target ?? '',
    f.met === undefined ? '' : f.met ? 'yes' : 'NO',
  ]);
  const head = ['bench', 'figure', 'unit', 'ours', 'baseline', 'ratio', 'target', 'met'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i >= 3 && i <= 5 ? c.padStart(widths[i] ?? 0) : c.padEnd(widths[i] ?? 0))).join('  ');
  console.log(`\n${line(head)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  for (const r of rows) console.log(line(r));
  for (const f of figures) if (f.note) console.log(`  ${f.name}: ${f.note}`);
}

const machine = machineInfo();
console.log(`mediagraph bench — ${machine.cpuModel} × ${machine.cores}, node ${machine.node}, ${machine.ffmpeg ?? 'no ffmpeg'}, ${machine.date}`);
if (only.includes('segmenter')) await segmenter();
if (only.includes('rtsp-ingest')) await rtspIngest();
if (only.includes('upload-drain')) await uploadDrain();
if (only.includes('cache-scaling')) await cacheScaling();
if (only.includes('outage-rss')) await outageRss();
if (only.includes('serve-upload')) await serveUpload();
printTable();
mkdirSync(dirname(outPath), { recursive: true });
writeFileSync(
  outPath,
  JSON.stringify(
    { machine, durationSec: Math.round((Date.now() - started) / 1000), figures, ...extra },
    (_k, v: unknown) => (typeof v === 'number' && Number.isNaN(v) ? null : v),
    2,
  ),
);
console.log(`\nwritten ${outPath} (${Math.round((Date.now() - started) / 1000)} s)`);
