// RTSP ingest benchmark (issues #3, #7): the same live stream recorded by our stack — N
// recordings in ONE node process (bench/ingest/record-many.ts: RTSP client → session →
// Fmp4Segmenter → files) — and by ffmpeg, one process per stream as people run it
// (`ffmpeg -rtsp_transport tcp -i <url> -c copy -f segment -segment_time 10 …`), in the same
// run against the same load-generator process (bench/load/camera-process.ts).
// CPU is utime+stime from /proc over the measurement window (after a warm-up), per stream-
// second of media; memory is our process's RSS growth / N and the sum of ffmpeg RSS / N.
// Frames lost: our session's lostPackets, the server's dropped packets, and for both sides
// frames missing from complete GOPs in what was written (counted with ffprobe).
//
//   node --import tsx bench/rtsp-ingest.ts [--streams 1,10,20] [--window 20] [--warmup 5]
//        [--load sim] [--sides ours,ffmpeg] [--segment 10] [--no-frames]
//        [--scale] [--scale-from 10] [--scale-step 10] [--scale-max 60] [--json out.json]
//        [--profile <dir>] (CPU profile of our recorder over the window) [--recorder-flags '--max-semi-space-size=16']
//        [--keep] (keep the recordings)
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { cpuSeconds, cpuTimes, rssBytes, totalCpuTimes, totalRssBytes, machineInfo } from './lib/proc.ts';
import type { LoadKind, LoadReady, LoadStats } from './load/camera-process.ts';
import type { RecordDone, RecordStart } from './ingest/record-many.ts';
import { ensureMediaFile, fixtureLocation } from '../scripts/fixtures/cache.ts';
import { repoRelative } from '../scripts/repo-paths.ts';
// the recorder runs with the flags `mediagraph` itself starts with (bin/mediagraph.js)
const RECORDER_NODE_FLAGS = '--initial-old-space-size=64';

const execFileP = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const MiB = 2 ** 20;
/** The generated 1080p fixture (scripts/fixtures/recipes.ts), made on first use. */
export const DEFAULT_FILE = fixtureLocation('h264-1080p-aac');

export interface IngestOptions {
  readonly file: string;
  readonly load: LoadKind;
  /** Measurement window (wall seconds = stream seconds at speed 1). */
  readonly windowSec: number;
  /** Seconds of streaming before the window opens (after every stream delivers media). */
  readonly warmupSec: number;
  readonly segmentSec: number;
  /** Check the written files for missing frames with ffprobe. */
  readonly checkFrames: boolean;
  readonly source: 'session' | 'node';
  /** Where outputs go (a temp folder by default); removed afterwards unless keepOutput. */
  readonly outRoot?: string;
  readonly keepOutput?: boolean;
  readonly log?: (line: string) => void;
  /** Write a CPU profile of our recorder over the measurement window to this folder. */
  readonly profileDir?: string;
  /** Extra node flags for our recorder process (e.g. --cpu-prof). */
  readonly recorderExecArgv?: readonly string[];
}

export interface FrameCheck {
  /** Video frames found in the output, over all streams. */
  readonly frames: number;
  /** Frames missing from complete GOPs (see missingFrames), over all streams. */
  readonly missing: number;
  /** Streams whose output could not be read. */
  readonly unreadable: number;
  /**
   * Media seconds written per stream ÷ wall seconds the streams were recorded (from the first
   * sample to stop). Below ~0.9 the load generator or the recorder fell behind real time.
   */
  readonly realtimeRatio?: number;
}

export interface SideResult {
  readonly side: 'ours' | 'ffmpeg';
  readonly streams: number;
  readonly windowSec: number;
  /** CPU-seconds per stream-second (recorders only). */
  readonly cpuPerStreamSec: number;
  /** Recorder CPU as a share of one core, over the window (ours: whole process). */
  readonly cpuCores: number;
  /** The part of cpuPerStreamSec spent in the kernel (stime). */
  readonly sysPerStreamSec: number;
  /** Ours: the main (JS) thread's share of one core; it saturates at ~1. */
  readonly mainThreadCores?: number;
  /** Ours: (peak RSS − RSS before connecting) / N; ffmpeg: peak Σ RSS / N. */
  readonly rssPerStreamMiB: number;
  /** Ours: the process's peak RSS; ffmpeg: peak Σ RSS. */
  readonly rssTotalMiB: number;
  readonly loadCpuPerStreamSec: number;
  readonly loadCpuCores: number;
  /** Packets the load generator dropped for this side's clients (socket queue over bound). */
  readonly serverDroppedPackets: number;
  /** Ours only: RTP sequence gaps seen by the sessions. */
  readonly lostPackets?: number;
  readonly rtpPackets?: number;
  readonly frameCheck?: FrameCheck;
  readonly errors: readonly string[];
}

export interface LoadHandle {
  readonly url: string;
  readonly pid: number;
  readonly kind: LoadKind;
  stats(): Promise<LoadStats>;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
/** Resolves when `p` settles or after `ms`, whichever is first, leaving no timer behind. */
function withGrace(p: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([p, new Promise<void>((r) => (timer = setTimeout(r, ms)))]).finally(() => clearTimeout(timer));
}

function once<T>(child: ChildProcess, pred: (m: unknown) => m is T, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => done(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`)), timeoutMs);
    const onMsg = (m: unknown) => {
      if (pred(m)) done(undefined, m);
    };
    const onExit = (code: number | null) => done(new Error(`${what}: process exited (${code}) first`));
    const done = (e?: Error, v?: T) => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolve(v as T);
    };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

const isType =
  <T extends { type: string }>(type: T['type']) =>
  (m: unknown): m is T =>
    typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

export async function startLoad(kind: LoadKind, file: string): Promise<LoadHandle> {
  const child = fork(join(here, 'load', 'camera-process.ts'), ['--kind', kind, '--file', ensureMediaFile(file)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await once(child, isType<LoadReady>('ready'), 30_000, 'the load generator');
  return {
    url: ready.url,
    pid: child.pid as number,
    kind,
    async stats() {
      const p = once(child, isType<LoadStats>('stats'), 10_000, 'load stats');
      child.send({ cmd: 'stats' });
      return p;
    },
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      child.send({ cmd: 'close' });
      await withGrace(exited, 5000);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Samples CPU at the window's ends and RSS every second in between (the peak is kept). */
async function measureWindow(pids: () => readonly number[], loadPid: number, windowSec: number, mainPid?: number) {
  const cpu0 = totalCpuTimes(pids());
  const main0 = mainPid !== undefined ? threadCpuSeconds(mainPid) : 0;
  const load0 = cpuSeconds(loadPid);
  const t0 = performance.now();
  let peakRss = totalRssBytes(pids());
  const end = t0 + windowSec * 1000;
  while (performance.now() < end) {
    await sleep(Math.min(1000, end - performance.now()));
    peakRss = Math.max(peakRss, totalRssBytes(pids()));
  }
  const wall = (performance.now() - t0) / 1000;
  const cpu1 = totalCpuTimes(pids());
  return {
    wall,
    cpu: cpu1.user + cpu1.sys - cpu0.user - cpu0.sys,
    sysCpu: cpu1.sys - cpu0.sys,
    mainCpu: mainPid !== undefined ? threadCpuSeconds(mainPid) - main0 : undefined,
    loadCpu: cpuSeconds(loadPid) - load0,
    peakRss,
  };
}

/** CPU of the main thread (its tid is the pid). */
function threadCpuSeconds(pid: number): number {
  const t = cpuTimes(pid, pid);
  return t.user + t.sys;
}

export async function measureOurs(load: LoadHandle, streams: number, o: IngestOptions): Promise<SideResult> {
  const out = mkdtempSync(join(o.outRoot ?? tmpdir(), `ours-${streams}-`));
  const child = fork(join(here, 'ingest', 'record-many.ts'), [], {
    execArgv: ['--import', 'tsx', ...(o.recorderExecArgv ?? [])],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await once(child, isType('ready'), 30_000, 'our recorder');
    // let the freshly loaded process settle before taking the baseline
    await sleep(500);
    const rss0 = rssBytes(child.pid as number);
    const dropped0 = (await load.stats()).droppedPackets;
    const streaming = once(child, isType('streaming'), 30_000, `first media on ${streams} stream(s)`);
    child.send({ cmd: 'start', url: load.url, streams, outDir: out, segmentLength: `PT${o.segmentSec}S`, source: o.source } satisfies RecordStart);
    await streaming;
    const recordingSince = performance.now();
    await sleep(o.warmupSec * 1000);
    const pid = child.pid as number;
    if (o.profileDir) child.send({ cmd: 'profile-start' });
    const w = await measureWindow(() => [pid], load.pid, o.windowSec, pid);
    if (o.profileDir) {
      mkdirSync(o.profileDir, { recursive: true });
      const path = join(o.profileDir, `ours-N${streams}-${Date.now()}.cpuprofile`);
      const written = once(child, isType('profile-written'), 30_000, 'the CPU profile');
      child.send({ cmd: 'profile-stop', path });
      await written;
      o.log?.(`CPU profile of the window: ${path}`);
    }
    const dropped1 = (await load.stats()).droppedPackets;
    const donePromise = once(child, isType<RecordDone>('done'), 60_000, 'our recorder to stop');
    child.send({ cmd: 'stop' });
    const recordedSec = (performance.now() - recordingSince) / 1000;
    const done = await donePromise;
    const frameCheck = o.checkFrames
      ? withRealtime(await checkOurFrames(out, await gopLength(o.file)), streams, recordedSec, await frameRate(o.file))
      : undefined;
    return {
      side: 'ours',
      streams,
      windowSec: w.wall,
      cpuPerStreamSec: w.cpu / w.wall / streams,
      cpuCores: w.cpu / w.wall,
      sysPerStreamSec: w.sysCpu / w.wall / streams,
      ...(w.mainCpu !== undefined ? { mainThreadCores: w.mainCpu / w.wall } : {}),
      rssPerStreamMiB: (w.peakRss - rss0) / streams / MiB,
      rssTotalMiB: w.peakRss / MiB,
      loadCpuPerStreamSec: w.loadCpu / w.wall / streams,
      loadCpuCores: w.loadCpu / w.wall,
      serverDroppedPackets: dropped1 - dropped0,
      // the RtspSource node keeps its session to itself: no packet counters then
      ...(o.source === 'session' ? { lostPackets: done.lostPackets, rtpPackets: done.rtpPackets } : {}),
      ...(frameCheck ? { frameCheck } : {}),
      errors: done.errors,
    };
  } finally {
    if (child.exitCode === null) child.kill('SIGKILL');
    if (!o.keepOutput) rmSync(out, { recursive: true, force: true });
  }
}

export async function measureFfmpeg(load: LoadHandle, streams: number, o: IngestOptions): Promise<SideResult> {
  const out = mkdtempSync(join(o.outRoot ?? tmpdir(), `ffmpeg-${streams}-`));
  const procs: ChildProcess[] = [];
  const errors: string[] = [];
  try {
    const dropped0 = (await load.stats()).droppedPackets;
    for (let i = 0; i < streams; i++) {
      const dir = join(out, `s${String(i).padStart(3, '0')}`);
      mkdirSync(dir);
      const p = spawn(
        'ffmpeg',
        [
          '-nostdin',
          '-hide_banner',
          '-loglevel',
          'error',
          '-rtsp_transport',
          'tcp',
          '-i',
          load.url,
          '-c',
          'copy',
          '-f',
          'segment',
          '-segment_time',
          String(o.segmentSec),
          join(dir, 'seg%05d.mp4'),
        ],
        { stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let err = '';
      p.stderr?.on('data', (d: Buffer) => {
        if (err.length < 2000) err += d.toString();
      });
      p.on('exit', (code, sig) => {
        if (code !== 0 && code !== 255 && sig !== 'SIGINT' && sig !== 'SIGKILL') errors.push(`ffmpeg ${i} exited ${code ?? sig}: ${err.trim().slice(0, 300)}`);
      });
      procs.push(p);
    }
    // ffmpeg probes the stream before writing: the first segment file means it is recording
    const deadline = Date.now() + 60_000;
    for (let i = 0; i < streams; i++) {
      const dir = join(out, `s${String(i).padStart(3, '0')}`);
      while (readdirSync(dir).length === 0) {
        if (Date.now() > deadline) throw new Error(`ffmpeg ${i} wrote nothing within 60 s: ${errors.join('; ')}`);
        await sleep(200);
      }
    }
    const recordingSince = performance.now();
    await sleep(o.warmupSec * 1000);
    const pids = procs.map((p) => p.pid as number);
    const w = await measureWindow(() => pids, load.pid, o.windowSec);
    const dropped1 = (await load.stats()).droppedPackets;
    // SIGINT: ffmpeg finishes the open segment (writes its moov) and exits
    const recordedSec = (performance.now() - recordingSince) / 1000;
    await Promise.all(procs.map((p) => stopProcess(p, 'SIGINT', 15_000)));
    // ffmpeg had written for a moment before its first file appeared: a ratio slightly above 1
    const frameCheck = o.checkFrames
      ? withRealtime(await checkFfmpegFrames(out, await gopLength(o.file)), streams, recordedSec, await frameRate(o.file))
      : undefined;
    return {
      side: 'ffmpeg',
      streams,
      windowSec: w.wall,
      cpuPerStreamSec: w.cpu / w.wall / streams,
      cpuCores: w.cpu / w.wall,
      sysPerStreamSec: w.sysCpu / w.wall / streams,
      rssPerStreamMiB: w.peakRss / streams / MiB,
      rssTotalMiB: w.peakRss / MiB,
      loadCpuPerStreamSec: w.loadCpu / w.wall / streams,
      loadCpuCores: w.loadCpu / w.wall,
      serverDroppedPackets: dropped1 - dropped0,
      ...(frameCheck ? { frameCheck } : {}),
      errors,
    };
  } finally {
    for (const p of procs) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
    if (!o.keepOutput) rmSync(out, { recursive: true, force: true });
  }
}

async function stopProcess(p: ChildProcess, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  if (p.exitCode !== null || p.signalCode !== null) return;
  const exited = new Promise<void>((r) => p.once('exit', () => r()));
  p.kill(signal);
  await withGrace(exited, graceMs);
  if (p.exitCode === null && p.signalCode === null) {
    p.kill('SIGKILL');
    await exited;
  }
}

/** Keyframe flag of every video packet of a media file, in file order. */
async function videoKeyFlags(file: string): Promise<boolean[]> {
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=flags', '-of', 'csv=p=0', file], {
    maxBuffer: 64 * MiB,
  });
  return stdout
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => l.startsWith('K'));
}

/**
 * Frames missing from complete GOPs: the source has a fixed GOP (h264-1080p-aac.mp4: 50
 * frames, 2 s), so every GOP between two keyframes must hold exactly that many frames.
 * Counting frames instead of reading timestamps is immune to a recorder re-basing its
 * timestamps (ffmpeg does when the first RTCP sender report arrives).
 */
export function missingFrames(keyFlags: readonly boolean[], gopFrames: number): number {
  let missing = 0;
  let inGop = -1;
  for (const k of keyFlags) {
    if (k) {
      if (inGop >= 0) missing += Math.max(0, gopFrames - inGop);
      inGop = 1;
    } else if (inGop >= 0) inGop++;
  }
  return missing;
}

function withRealtime(c: FrameCheck, streams: number, recordedSec: number, fps: number): FrameCheck {
  return { ...c, realtimeRatio: c.frames / streams / fps / recordedSec };
}

/** Video frame rate of a file (r_frame_rate). */
export async function frameRate(file: string): Promise<number> {
  const { stdout } = await execFileP('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=r_frame_rate', '-of', 'csv=p=0', file]);
  const [n, d] = stdout.trim().split('/').map(Number);
  return n && d ? n / d : 25;
}

/** The most common distance between keyframes in a file. */
export async function gopLength(file: string): Promise<number> {
  const flags = await videoKeyFlags(file);
  const counts = new Map<number, number>();
  let last = -1;
  flags.forEach((k, i) => {
    if (!k) return;
    if (last >= 0) counts.set(i - last, (counts.get(i - last) ?? 0) + 1);
    last = i;
  });
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? flags.length;
}

async function checkOurFrames(out: string, gop: number): Promise<FrameCheck> {
  let frames = 0;
  let missing = 0;
  let unreadable = 0;
  for (const s of readdirSync(out).sort()) {
    const dir = join(out, s);
    const names = readdirSync(dir).sort();
    const init = names.find((n) => n.startsWith('init') && n.endsWith('.mp4'));
    const segs = names.filter((n) => n.endsWith('.m4s'));
    if (!init || segs.length === 0) {
      unreadable++;
      continue;
    }
    // init + fragments concatenated is one fragmented MP4 with continuous decode times
    const joined = join(dir, 'joined.mp4');
    writeFileSync(joined, Buffer.concat([init, ...segs].map((n) => readFileSync(join(dir, n)))));
    try {
      const flags = await videoKeyFlags(joined);
      frames += flags.length;
      missing += missingFrames(flags, gop);
    } catch {
      unreadable++;
    }
    rmSync(joined);
  }
  return { frames, missing, unreadable };
}

async function checkFfmpegFrames(out: string, gop: number): Promise<FrameCheck> {
  let frames = 0;
  let missing = 0;
  let unreadable = 0;
  for (const s of readdirSync(out).sort()) {
    const dir = join(out, s);
    // the segment muxer keeps timestamps running across files: one sequence per stream
    const all: boolean[] = [];
    let ok = true;
    for (const n of readdirSync(dir)
      .filter((f) => f.endsWith('.mp4'))
      .sort()) {
      try {
        all.push(...(await videoKeyFlags(join(dir, n))));
      } catch {
        ok = false;
      }
    }
    if (!ok || all.length === 0) unreadable++;
    frames += all.length;
    missing += missingFrames(all, gop);
  }
  return { frames, missing, unreadable };
}

export interface IngestRow {
  readonly streams: number;
  readonly ours?: SideResult;
  readonly ffmpeg?: SideResult;
  /** ours CPU / ffmpeg CPU per stream-second (target ≤ 0.5). */
  readonly cpuRatio?: number;
  readonly rssRatio?: number;
}

export async function runRtspIngest(
  streamCounts: readonly number[],
  sides: readonly ('ours' | 'ffmpeg')[],
  o: IngestOptions,
): Promise<{ load: LoadKind; rows: IngestRow[] }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const load = await startLoad(o.load, o.file);
  const rows: IngestRow[] = [];
  try {
    for (const n of streamCounts) {
      let ours: SideResult | undefined;
      let ffmpeg: SideResult | undefined;
      if (sides.includes('ours')) {
        ours = await measureOurs(load, n, o);
        log(formatSide(ours));
      }
      if (sides.includes('ffmpeg')) {
        ffmpeg = await measureFfmpeg(load, n, o);
        log(formatSide(ffmpeg));
      }
      rows.push({
        streams: n,
        ...(ours ? { ours } : {}),
        ...(ffmpeg ? { ffmpeg } : {}),
        ...(ours && ffmpeg ? { cpuRatio: ours.cpuPerStreamSec / ffmpeg.cpuPerStreamSec, rssRatio: ours.rssPerStreamMiB / ffmpeg.rssPerStreamMiB } : {}),
      });
    }
  } finally {
    await load.close();
  }
  return { load: o.load, rows };
}

export interface ScalePoint {
  readonly streams: number;
  readonly cpuCores: number;
  readonly mainThreadCores: number;
  readonly loadCpuCores: number;
  readonly lostPackets: number;
  readonly serverDroppedPackets: number;
  readonly missingFrames?: number;
  readonly realtimeRatio?: number;
  readonly ok: boolean;
  readonly reason?: string;
}

/**
 * Raises N (ours only) until frames are lost, the recorder's JS thread saturates (≥ 0.95 of
 * a core) or the load generator does, bounded by `max`. Each step runs `windowSec`.
 */
export async function findMaxStreams(o: IngestOptions & { from: number; step: number; max: number }): Promise<{ sustained: number; points: ScalePoint[] }> {
  const log = o.log ?? ((l: string) => console.log(l));
  const load = await startLoad(o.load, o.file);
  const points: ScalePoint[] = [];
  let sustained = 0;
  try {
    for (let n = o.from; n <= o.max; n += o.step) {
      const r = await measureOurs(load, n, o);
      const missing = r.frameCheck?.missing;
      const reasons: string[] = [];
      if ((r.lostPackets ?? 0) > 0) reasons.push(`${r.lostPackets} RTP packets lost`);
      if (r.serverDroppedPackets > 0) reasons.push(`server dropped ${r.serverDroppedPackets} packets`);
      if ((missing ?? 0) > 0) reasons.push(`${missing} frames missing in output`);
      if ((r.mainThreadCores ?? 0) >= 0.95) reasons.push(`recorder JS thread at ${((r.mainThreadCores ?? 0) * 100).toFixed(0)}% of a core`);
      if (r.loadCpuCores >= 0.95) reasons.push(`load generator at ${(r.loadCpuCores * 100).toFixed(0)}% of a core`);
      if (r.errors.length > 0) reasons.push(`${r.errors.length} stream(s) failed: ${r.errors.slice(0, 2).join('; ')}`);
      const rt = r.frameCheck?.realtimeRatio;
      if (rt !== undefined && rt < 0.9) reasons.push(`only ${(rt * 100).toFixed(0)}% of real time recorded`);
      const p: ScalePoint = {
        streams: n,
        cpuCores: r.cpuCores,
        mainThreadCores: r.mainThreadCores ?? 0,
        loadCpuCores: r.loadCpuCores,
        lostPackets: r.lostPackets ?? 0,
        serverDroppedPackets: r.serverDroppedPackets,
        ...(missing !== undefined ? { missingFrames: missing } : {}),
        ...(rt !== undefined ? { realtimeRatio: rt } : {}),
        ok: reasons.length === 0,
        ...(reasons.length ? { reason: reasons.join(', ') } : {}),
      };
      points.push(p);
      log(
        `scale N=${n}: recorder ${(p.cpuCores * 100).toFixed(0)}% (JS thread ${(p.mainThreadCores * 100).toFixed(0)}%), load ${(p.loadCpuCores * 100).toFixed(0)}%, lost ${p.lostPackets}, dropped ${p.serverDroppedPackets}${missing !== undefined ? `, missing frames ${missing}` : ''}${rt !== undefined ? `, real time ${(rt * 100).toFixed(0)}%` : ''} → ${p.ok ? 'ok' : p.reason}`,
      );
      if (!p.ok) break;
      sustained = n;
    }
  } finally {
    await load.close();
  }
  return { sustained, points };
}

export function formatSide(r: SideResult): string {
  const fc = r.frameCheck
    ? `  frames ${r.frameCheck.frames} missing ${r.frameCheck.missing}${r.frameCheck.realtimeRatio !== undefined ? ` (${(r.frameCheck.realtimeRatio * 100).toFixed(0)}% of real time)` : ''}${r.frameCheck.unreadable ? ` unreadable ${r.frameCheck.unreadable}` : ''}`
    : '';
  return (
    `${r.side.padEnd(6)} N=${String(r.streams).padStart(2)}  ${(r.cpuPerStreamSec * 1000).toFixed(1).padStart(6)} ms CPU/stream-s (sys ${(r.sysPerStreamSec * 1000).toFixed(1)})  (${(r.cpuCores * 100).toFixed(0)}% of a core${r.mainThreadCores !== undefined ? `, JS thread ${(r.mainThreadCores * 100).toFixed(0)}%` : ''})  ` +
    `RSS ${r.rssPerStreamMiB.toFixed(2)} MiB/stream (total ${r.rssTotalMiB.toFixed(0)} MiB)  load gen ${(r.loadCpuCores * 100).toFixed(0)}%  ` +
    `server-dropped ${r.serverDroppedPackets}${r.lostPackets !== undefined ? `  lost ${r.lostPackets}/${r.rtpPackets}` : ''}${fc}${r.errors.length ? `  ERRORS: ${r.errors.slice(0, 3).join(' | ')}` : ''}`
  );
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (n: string) => args.includes(`--${n}`);
  const opt = (n: string, d: string) => {
    const i = args.indexOf(`--${n}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : d;
  };
  const o: IngestOptions = {
    file: opt('file', DEFAULT_FILE),
    load: opt('load', 'sim') as LoadKind,
    windowSec: Number(opt('window', '20')),
    warmupSec: Number(opt('warmup', '5')),
    segmentSec: Number(opt('segment', '10')),
    checkFrames: !flag('no-frames'),
    source: opt('source', 'session') as 'session' | 'node',
    keepOutput: flag('keep'),
    ...(opt('profile', '') ? { profileDir: opt('profile', '') } : {}),
    recorderExecArgv: opt('recorder-flags', RECORDER_NODE_FLAGS)
      .split(' ')
      .filter((f) => f.length > 0),
  };
  const streams = opt('streams', '1,10,20')
    .split(',')
    .map(Number)
    .filter((n) => n > 0);
  const sides = opt('sides', 'ours,ffmpeg').split(',') as ('ours' | 'ffmpeg')[];
  const machine = machineInfo();
  console.log(
    `rtsp-ingest: ${repoRelative(o.file)} live (speed 1), load generator '${o.load}', window ${o.windowSec} s after ${o.warmupSec} s warm-up, ${machine.cpuModel} × ${machine.cores}, node ${machine.node}`,
  );
  const result = streams.length ? await runRtspIngest(streams, sides, o) : { load: o.load, rows: [] };
  for (const r of result.rows) {
    if (r.cpuRatio !== undefined)
      console.log(
        `N=${r.streams}: CPU ours/ffmpeg ${r.cpuRatio.toFixed(2)}× (target ≤ 0.5), RSS/stream ours ${r.ours?.rssPerStreamMiB.toFixed(2)} MiB vs ffmpeg ${r.ffmpeg?.rssPerStreamMiB.toFixed(2)} MiB (target ≤ 5)`,
      );
  }
  let scale: Awaited<ReturnType<typeof findMaxStreams>> | undefined;
  if (flag('scale')) {
    scale = await findMaxStreams({
      ...o,
      windowSec: Number(opt('scale-window', String(Math.min(o.windowSec, 10)))),
      from: Number(opt('scale-from', '10')),
      step: Number(opt('scale-step', '10')),
      max: Number(opt('scale-max', '60')),
    });
    console.log(`scaling: one host sustained ${scale.sustained} stream(s) without loss or saturation`);
  }
  const json = opt('json', '');
  if (json) {
    if (!existsSync(dirname(json))) mkdirSync(dirname(json), { recursive: true });
    writeFileSync(json, JSON.stringify({ machine, options: { ...o, file: repoRelative(o.file) }, ...result, ...(scale ? { scale } : {}) }, null, 2));
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
