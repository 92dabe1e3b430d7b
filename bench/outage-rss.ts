// Issue 7, "RSS over a long outage (flat within 10 MB)": the recorder runs as a user runs it
// (`node bin/mediagraph.js run examples/cvr-asset/topology.json …`) against a simulated camera
// played faster than real time, while its Blob Storage endpoint is dead — first a blackhole
// (accepts, never answers: every request ends at its own deadline), then a port that refuses
// connections. The media must wait on disk, in the durable cache bounded by
// localMediaCacheMaximumSizeMiB (oldest evicted, each eviction recorded as a gap), so the
// process's memory stays flat however long the outage lasts.
//
//   node --import tsx bench/outage-rss.ts [--minutes 3] [--speed 8] [--cache-mib 64]
//        [--file <mp4>] (default: the generated 1080p fixture) [--refuse-fraction 0.33]
//        [--stop graceful|kill] [--recorder-flags '--initial-old-space-size=64'] [--recorder-log file]
//        [--json out.json]
//
// RSS (VmRSS) is sampled every second. The window starts after a warm-up (2 cache-fulls
// written, at least 20 s, at most 60 s); the criterion is max − start ≤ 10 MiB over it.
import { fork, spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { rssBytes, machineInfo } from './lib/proc.ts';
import { startDeadUplink, type DeadUplink, type DeadUplinkMode } from './lib/dead-uplink.ts';
import { findCacheFolder, inspectCacheFolder, type CacheFolderView } from './lib/cache-folder.ts';
import type { LoadReady, LoadStats } from './load/camera-process.ts';
import { azuriteConnectionString } from '../src/testing/azurite.ts';
import { ensureMediaFile, fixtureLocation } from '../scripts/fixtures/cache.ts';
import { repoRelative } from '../scripts/repo-paths.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..');
const MIB = 1024 * 1024;
/** The flags `mediagraph` starts with (bin/mediagraph.js's shebang line). */
export const RECORDER_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];
/** The generated 1080p fixture (scripts/fixtures/recipes.ts), made on first use. */
export const DEFAULT_FILE = fixtureLocation('h264-1080p-aac');
/** The issue's criterion: RSS max − start over the window. */
export const FLAT_LIMIT_MIB = 10;

export interface OutageRssOptions {
  /** Wall time of the recording, warm-up included. */
  readonly seconds: number;
  /** Camera speed: media seconds per wall second. */
  readonly speed: number;
  readonly cacheMiB: number;
  readonly file: string;
  readonly segmentLength: string;
  /** The window starts once this many cache-fulls of segments were written … */
  readonly warmupCacheFills: number;
  /** … but not before this … */
  readonly warmupMinSec: number;
  /** … and not after this. */
  readonly warmupMaxSec: number;
  /** The last part of the window in which the port refuses connections (0: blackhole only). */
  readonly refuseFraction: number;
  /** `graceful`: SIGINT and wait for the drain timeout and exit (≤ 120 s); `kill`: SIGKILL. */
  readonly stop: 'graceful' | 'kill';
  readonly recorderExecArgv: readonly string[];
  /** Also copy the recorder's stderr to this file. */
  readonly recorderLog?: string;
  readonly progress?: (line: string) => void;
}

export const DEFAULT_OPTIONS: OutageRssOptions = {
  seconds: 180,
  speed: 8,
  cacheMiB: 64,
  file: DEFAULT_FILE,
  segmentLength: 'PT30S',
  warmupCacheFills: 2,
  warmupMinSec: 20,
  warmupMaxSec: 60,
  refuseFraction: 1 / 3,
  stop: 'graceful',
  recorderExecArgv: RECORDER_NODE_FLAGS,
};

export type Phase = 'warmup' | DeadUplinkMode;

export interface RssSample {
  /** Seconds since the recorder was started. */
  readonly t: number;
  readonly rssMiB: number;
  readonly phase: Phase;
  readonly cacheBytes: number;
}

export interface PhaseFigures {
  readonly phase: Phase;
  readonly seconds: number;
  readonly rssStartMiB: number;
  readonly rssMaxMiB: number;
  readonly rssEndMiB: number;
  readonly slopeMiBPerHour: number;
  readonly segmentsWritten: number;
  readonly stderrLines: number;
  readonly uplinkConnections: number;
}

export interface StderrSummary {
  readonly lines: number;
  readonly bytes: number;
  readonly statusLines: number;
  /** JSON log lines by level and message (with the storage error code when there is one). */
  readonly logLines: Record<string, number>;
  readonly otherLines: number;
  readonly examples: readonly string[];
  readonly last: readonly string[];
}

export interface OutageRssResult {
  readonly options: Omit<OutageRssOptions, 'progress'>;
  readonly rssStartMiB: number;
  readonly rssMaxMiB: number;
  readonly rssEndMiB: number;
  /** max − start over the window. */
  readonly growthMiB: number;
  readonly rssMinMiB: number;
  /**
   * Peak RSS in the first and last quarter of the window: RSS saws by tens of MiB with the
   * garbage collector, so max − start depends on where the start falls; rising peaks do not.
   */
  readonly rssFirstQuarterMaxMiB: number;
  readonly rssLastQuarterMaxMiB: number;
  /** Least-squares slope of RSS over the window, per hour of wall time. */
  readonly slopeMiBPerHour: number;
  /** The same per hour of media recorded. */
  readonly slopeMiBPerMediaHour: number;
  /** Media recorded during the window (sum of the segments' media durations). */
  readonly mediaHours: number;
  /** Media recorded over the whole run, warm-up included. */
  readonly mediaHoursTotal: number;
  /** Length of the window. */
  readonly wallSeconds: number;
  readonly warmupSeconds: number;
  /** RSS at the first sample after the recorder started (process and module load). */
  readonly rssFirstMiB: number;
  /** Segments the cache took over the whole run (its sequence counter). */
  readonly segmentsWritten: number;
  readonly segmentsWrittenInWindow: number;
  /** Segments evicted (or dropped on arrival) because the cache was full. */
  readonly segmentsEvicted: number;
  /** Segments the recorder reported uploaded (status line); 0 when the uplink is dead. */
  readonly segmentsUploaded: number;
  /** The status line's own counters (from events): recorded, evicted, uploaded. */
  readonly statusCounters?: { readonly recorded: number; readonly evicted: number; readonly uploaded: number };
  readonly cacheBoundBytes: number;
  readonly cacheBytesAtEnd: number;
  readonly cacheBytesMax: number;
  readonly cacheBytesMinInWindow: number;
  readonly cacheSegmentsAtEnd: number;
  /** Gaps pending in the cache journal (evictions are recorded as gaps until the index takes them). */
  readonly gaps: readonly { readonly reason: string; readonly start: string; readonly end: string; readonly wallSeconds: number; readonly lastSeq: number }[];
  readonly journalBytesAtEnd: number;
  readonly phases: readonly PhaseFigures[];
  /** Connections to the dead uplink: accepted in all, and the most open at once (a leak would grow). */
  readonly uplink: { readonly connections: number; readonly bytesReceived: number; readonly openMax: number };
  readonly camera?: { readonly rtpPackets: number; readonly droppedPackets: number; readonly clients: number };
  readonly recorder: {
    readonly aliveAtEnd: boolean;
    readonly exitCode: number | null;
    readonly exitSignal: string | null;
    readonly stopSeconds?: number;
    readonly stderr: StderrSummary;
    /** stderr lines per hour of wall time over the window (status lines included). */
    readonly stderrLinesPerHour: number;
    /** JSON log lines (warnings and errors) per hour over the window. */
    readonly logLinesPerHour: number;
  };
  readonly samples: readonly RssSample[];
  /** growthMiB ≤ 10 with data evicted on disk, the cache within its bound and nothing uploaded. */
  readonly met: boolean;
}

// ---------------------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Least-squares slope of y over x. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return 0;
  let sx = 0,
    sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i]!;
    sy += ys[i]!;
  }
  const mx = sx / n,
    my = sy / n;
  let num = 0,
    den = 0;
  for (let i = 0; i < n; i++) {
    const dx = xs[i]! - mx;
    num += dx * (ys[i]! - my);
    den += dx * dx;
  }
  return den === 0 ? 0 : num / den;
}

const STATUS = /recorded (\d+) \([\d.]+ MiB\) \| uploaded (\d+)/;

/** Counts and classifies the recorder's stderr lines, keeping a few of each kind. */
class StderrWatch {
  lines = 0;
  bytes = 0;
  statusLines = 0;
  otherLines = 0;
  readonly logLines: Record<string, number> = {};
  readonly examples: string[] = [];
  readonly last: string[] = [];
  readonly #seenKinds = new Set<string>();
  lastStatus?: { recorded: number; uploaded: number; evicted: number };
  #partial = '';

  feed(chunk: Buffer): void {
    this.bytes += chunk.length;
    const text = this.#partial + chunk.toString('utf8');
    const parts = text.split('\n');
    this.#partial = parts.pop() ?? '';
    for (const line of parts) this.#line(line);
  }

  #line(raw: string): void {
    const line = raw.replace(/\r|\x1b\[K/g, '');
    if (line.length === 0) return;
    this.lines++;
    this.last.push(line);
    if (this.last.length > 12) this.last.shift();
    let kind: string;
    const status = STATUS.exec(line);
    if (status) {
      this.statusLines++;
      this.lastStatus = { recorded: Number(status[1]), uploaded: Number(status[2]), evicted: Number(/evicted (\d+)/.exec(line)?.[1] ?? 0) };
      kind = 'status';
    } else if (line.startsWith('{')) {
      try {
        const j = JSON.parse(line) as { level?: string; msg?: string; code?: string };
        kind = `${j.level ?? '?'}: ${j.msg ?? '?'}${j.code ? ` (${j.code})` : ''}`;
      } catch {
        kind = 'other';
      }
      if (kind !== 'other') this.logLines[kind] = (this.logLines[kind] ?? 0) + 1;
      else this.otherLines++;
    } else {
      kind = 'other';
      this.otherLines++;
    }
    // the first line of each kind, and the first status lines, as examples
    if (!this.#seenKinds.has(kind) || (kind === 'other' && this.examples.length < 20)) {
      this.#seenKinds.add(kind);
      if (this.examples.length < 30) this.examples.push(line.length > 400 ? `${line.slice(0, 400)}…` : line);
    }
  }

  logTotal(): number {
    return Object.values(this.logLines).reduce((a, b) => a + b, 0);
  }

  summary(): StderrSummary {
    return {
      lines: this.lines,
      bytes: this.bytes,
      statusLines: this.statusLines,
      logLines: { ...this.logLines },
      otherLines: this.otherLines,
      examples: [...this.examples],
      last: [...this.last],
    };
  }
}

interface Camera {
  readonly url: string;
  readonly child: ChildProcess;
  stats(): Promise<LoadStats | undefined>;
  close(): Promise<void>;
}

function waitMessage<T>(child: ChildProcess, accept: (m: unknown) => m is T, ms: number, what: string): Promise<T> {
  return new Promise((resolvePromise, reject) => {
    const timer = setTimeout(() => done(new Error(`${what}: no answer within ${ms} ms`)), ms);
    const onMsg = (m: unknown) => {
      if (accept(m)) done(undefined, m);
    };
    const onExit = (code: number | null) => done(new Error(`${what} exited (${code})`));
    const done = (e?: Error, v?: T) => {
      clearTimeout(timer);
      child.off('message', onMsg);
      child.off('exit', onExit);
      if (e) reject(e);
      else resolvePromise(v as T);
    };
    child.on('message', onMsg);
    child.on('exit', onExit);
  });
}

const isType =
  <T extends { type: string }>(type: T['type']) =>
  (m: unknown): m is T =>
    typeof m === 'object' && m !== null && (m as { type?: unknown }).type === type;

async function startCamera(file: string, speed: number): Promise<Camera> {
  const child = fork(join(here, 'load', 'camera-process.ts'), ['--kind', 'sim', '--file', file, '--speed', String(speed)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  killOnExit(child);
  const ready = await waitMessage(child, isType<LoadReady>('ready'), 30_000, 'the load generator');
  return {
    url: ready.url,
    child,
    async stats() {
      if (child.exitCode !== null || !child.connected) return undefined;
      const p = waitMessage(child, isType<LoadStats>('stats'), 5000, 'load stats').catch(() => undefined);
      child.send({ cmd: 'stats' });
      return p;
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child.once('exit', () => r()));
      if (child.connected) child.send({ cmd: 'close' });
      await Promise.race([exited, sleep(5000)]);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    },
  };
}

/** Children die with us, even when this process ends on an error or a signal. */
const children = new Set<ChildProcess>();
function killOnExit(child: ChildProcess): void {
  children.add(child);
  child.once('exit', () => children.delete(child));
}
process.on('exit', () => {
  for (const c of children) {
    try {
      c.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }
});

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (exited(child)) return Promise.resolve(true);
  return new Promise((r) => {
    const timer = setTimeout(() => {
      child.off('exit', onExit);
      r(false);
    }, ms);
    const onExit = () => {
      clearTimeout(timer);
      r(true);
    };
    child.once('exit', onExit);
  });
}

/** Runs the outage and measures it. Throws only when the setup fails; a recorder that dies is a result. */
export async function runOutageRss(opts: OutageRssOptions): Promise<OutageRssResult> {
  const say = opts.progress ?? (() => {});
  const work = mkdtempSync(join(tmpdir(), 'outage-rss-'));
  const cachePath = join(work, 'cache');
  const dataDir = join(work, 'data');
  mkdirSync(cachePath, { recursive: true });
  const cacheBoundBytes = opts.cacheMiB * MIB;
  let uplink: DeadUplink | undefined;
  let camera: Camera | undefined;
  let recorder: ChildProcess | undefined;
  try {
    uplink = await startDeadUplink('blackhole');
    camera = await startCamera(ensureMediaFile(opts.file), opts.speed);
    const args = [
      ...opts.recorderExecArgv,
      join(root, 'bin', 'mediagraph.js'),
      'run',
      join(root, 'examples', 'cvr-asset', 'topology.json'),
      '--name',
      'outage',
      '--param',
      `rtspUrl=${camera.url}`,
      '--param',
      `cachePath=${cachePath}`,
      '--param',
      `cacheMaximumSizeMiB=${opts.cacheMiB}`,
      '--param',
      `segmentLength=${opts.segmentLength}`,
      '--blob',
      azuriteConnectionString(uplink.base),
      '--data',
      dataDir,
    ];
    const t0 = performance.now();
    const rec = spawn(process.execPath, args, { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
    recorder = rec;
    killOnExit(rec);
    const stderr = new StderrWatch();
    const logFile = opts.recorderLog ? createWriteStream(opts.recorderLog) : undefined;
    rec.stderr?.on('data', (d: Buffer) => {
      stderr.feed(d);
      logFile?.write(d);
    });
    rec.once('exit', () => logFile?.end());
    const pid = rec.pid;
    if (pid === undefined) throw new Error('the recorder did not start');
    say(`recorder pid ${pid}, camera ${camera.url} at ${opts.speed}×, uplink blackhole on ${uplink.base}, cache ${opts.cacheMiB} MiB in ${cachePath}`);

    const samples: RssSample[] = [];
    const seen = new Map<number, { bytes: number; mediaMs: number; at: number }>();
    let phase: Phase = 'warmup';
    let windowStart: number | undefined;
    let refuseAt: number | undefined;
    let cacheDir: string | undefined;
    let view: CacheFolderView | undefined;
    let cacheBytesMax = 0;
    let cacheBytesMinInWindow = Infinity;
    let uplinkOpenMax = 0;
    const phaseMarks: { phase: Phase; t: number; stderrLines: number; logLines: number; connections: number; segments: number }[] = [
      { phase, t: 0, stderrLines: 0, logLines: 0, connections: 0, segments: 0 },
    ];
    const endAt = opts.seconds;
    let lastSay = 0;
    const elapsed = () => (performance.now() - t0) / 1000;

    while (elapsed() < endAt && !exited(rec)) {
      await sleep(1000 - ((performance.now() - t0) % 1000));
      if (exited(rec)) break;
      const t = elapsed();
      let rss = 0;
      try {
        rss = rssBytes(pid);
      } catch {
        break;
      }
      cacheDir ??= findCacheFolder(cachePath);
      if (cacheDir) {
        try {
          view = inspectCacheFolder(cacheDir);
          for (const s of view.seen) if (!seen.has(s.seq)) seen.set(s.seq, { bytes: s.bytes, mediaMs: s.mediaDurationMs, at: t });
        } catch {
          /* the journal is being rewritten (compaction): next second */
        }
      }
      const cacheBytes = view?.fileBytes ?? 0;
      uplinkOpenMax = Math.max(uplinkOpenMax, uplink.stats().open);
      cacheBytesMax = Math.max(cacheBytesMax, cacheBytes);
      if (phase !== 'warmup') cacheBytesMinInWindow = Math.min(cacheBytesMinInWindow, cacheBytes);
      samples.push({ t, rssMiB: rss / MIB, phase, cacheBytes });

      const mark = (p: Phase) => {
        phase = p;
        phaseMarks.push({
          phase: p,
          t,
          stderrLines: stderr.lines,
          logLines: stderr.logTotal(),
          connections: uplink?.stats().connections ?? 0,
          segments: seen.size,
        });
      };
      if (phase === 'warmup') {
        const written = [...seen.values()].reduce((a, s) => a + s.bytes, 0);
        if ((t >= opts.warmupMinSec && written >= opts.warmupCacheFills * cacheBoundBytes) || t >= opts.warmupMaxSec) {
          windowStart = t;
          refuseAt = opts.refuseFraction > 0 ? t + (endAt - t) * (1 - opts.refuseFraction) : Infinity;
          mark('blackhole');
          say(`warm-up done at ${t.toFixed(0)} s (${(written / MIB).toFixed(0)} MiB written): window starts, RSS ${(rss / MIB).toFixed(1)} MiB`);
        }
      } else if (phase === 'blackhole' && refuseAt !== undefined && t >= refuseAt) {
        await uplink.mode('refuse');
        mark('refuse');
        say(`${t.toFixed(0)} s: uplink now refuses connections`);
      }
      if (t - lastSay >= 30) {
        lastSay = t;
        say(
          `${t.toFixed(0)} s ${phase}: RSS ${(rss / MIB).toFixed(1)} MiB, cache ${(cacheBytes / MIB).toFixed(1)} MiB in ${view?.segmentFiles ?? 0} segment files, ${view?.lastSeq ?? 0} cached so far, stderr ${stderr.lines} lines`,
        );
      }
    }
    const wallEnd = elapsed();
    const aliveAtEnd = !exited(rec);
    const cameraStats = await camera.stats();
    const uplinkStats = uplink.stats();
    phaseMarks.push({ phase, t: wallEnd, stderrLines: stderr.lines, logLines: stderr.logTotal(), connections: uplinkStats.connections, segments: seen.size });

    // stop: a user's Ctrl-C (the drain timeout runs out against the dead uplink) or a power cut
    let stopSeconds: number | undefined;
    if (aliveAtEnd) {
      const s0 = performance.now();
      if (opts.stop === 'graceful') {
        rec.kill('SIGINT');
        if (!(await waitExit(rec, 120_000))) rec.kill('SIGKILL');
        stopSeconds = (performance.now() - s0) / 1000;
      } else {
        rec.kill('SIGKILL');
      }
      await waitExit(rec, 10_000);
    }
    const finalView = cacheDir ? inspectCacheFolder(cacheDir) : view;

    // ---- figures ----
    const windowSamples = samples.filter((s) => s.phase !== 'warmup');
    const inWindow = windowSamples.length >= 2 ? windowSamples : samples;
    const first = inWindow[0];
    const lastSample = inWindow.at(-1);
    const rssStartMiB = first?.rssMiB ?? NaN;
    const rssMaxMiB = Math.max(...inWindow.map((s) => s.rssMiB));
    const rssEndMiB = lastSample?.rssMiB ?? NaN;
    const quarter = Math.max(1, Math.floor(inWindow.length / 4));
    const peak = (xs: readonly RssSample[]) => Math.max(...xs.map((s) => s.rssMiB));
    const wallSeconds = first && lastSample ? lastSample.t - first.t : 0;
    const slopeMiBPerHour = slope(
      inWindow.map((s) => s.t / 3600),
      inWindow.map((s) => s.rssMiB),
    );
    const ws = windowStart ?? 0;
    const mediaMsWindow = [...seen.values()].filter((s) => s.at > ws).reduce((a, s) => a + s.mediaMs, 0);
    const mediaMsTotal = [...seen.values()].reduce((a, s) => a + s.mediaMs, 0);
    const mediaHours = mediaMsWindow / 3_600_000;
    const mediaPerWall = wallSeconds > 0 ? mediaMsWindow / 1000 / wallSeconds : NaN;
    const segmentsWritten = finalView?.lastSeq ?? 0;
    const live = finalView?.live.length ?? 0;
    const deleted = finalView?.deleted ?? 0;
    const phases: PhaseFigures[] = [];
    for (let i = 0; i + 1 < phaseMarks.length; i++) {
      const a = phaseMarks[i]!,
        b = phaseMarks[i + 1]!;
      const ps = samples.filter((s) => s.phase === a.phase);
      if (ps.length === 0) continue;
      phases.push({
        phase: a.phase,
        seconds: b.t - a.t,
        rssStartMiB: ps[0]!.rssMiB,
        rssMaxMiB: Math.max(...ps.map((s) => s.rssMiB)),
        rssEndMiB: ps.at(-1)!.rssMiB,
        slopeMiBPerHour: slope(
          ps.map((s) => s.t / 3600),
          ps.map((s) => s.rssMiB),
        ),
        segmentsWritten: b.segments - a.segments,
        stderrLines: b.stderrLines - a.stderrLines,
        uplinkConnections: b.connections - a.connections,
      });
    }
    const windowMarks = phaseMarks.filter((m) => m.phase !== 'warmup');
    const stderrInWindow = windowMarks.length ? stderr.lines - windowMarks[0]!.stderrLines : stderr.lines;
    const summary = stderr.summary();
    const logInWindow = windowMarks.length ? stderr.logTotal() - windowMarks[0]!.logLines : stderr.logTotal();
    const logLinesPerHour = wallSeconds > 0 ? logInWindow / (wallSeconds / 3600) : NaN;
    const segmentsUploaded = stderr.lastStatus?.uploaded ?? 0;
    const cacheBytesAtEnd = finalView?.fileBytes ?? 0;
    const segmentsEvicted = Math.max(0, segmentsWritten - live - deleted);
    const growthMiB = rssMaxMiB - rssStartMiB;
    const result: OutageRssResult = {
      options: (({ progress: _p, ...o }) => ({ ...o, file: repoRelative(o.file) }))(opts),
      rssStartMiB,
      rssMaxMiB,
      rssEndMiB,
      growthMiB,
      rssMinMiB: Math.min(...inWindow.map((s) => s.rssMiB)),
      rssFirstQuarterMaxMiB: peak(inWindow.slice(0, quarter)),
      rssLastQuarterMaxMiB: peak(inWindow.slice(-quarter)),
      slopeMiBPerHour,
      slopeMiBPerMediaHour: mediaPerWall > 0 ? slopeMiBPerHour / mediaPerWall : NaN,
      mediaHours,
      mediaHoursTotal: mediaMsTotal / 3_600_000,
      wallSeconds,
      warmupSeconds: ws,
      rssFirstMiB: samples[0]?.rssMiB ?? NaN,
      segmentsWritten,
      segmentsWrittenInWindow: [...seen.values()].filter((s) => s.at > ws).length,
      segmentsEvicted,
      segmentsUploaded,
      ...(stderr.lastStatus ? { statusCounters: stderr.lastStatus } : {}),
      cacheBoundBytes,
      cacheBytesAtEnd,
      cacheBytesMax,
      cacheBytesMinInWindow: Number.isFinite(cacheBytesMinInWindow) ? cacheBytesMinInWindow : 0,
      cacheSegmentsAtEnd: live,
      gaps: (finalView?.gaps ?? []).map((g) => ({
        reason: g.reason,
        start: new Date(g.startMs).toISOString(),
        end: new Date(g.endMs).toISOString(),
        wallSeconds: (g.endMs - g.startMs) / 1000,
        lastSeq: g.lastSeq,
      })),
      journalBytesAtEnd: finalView?.journalBytes ?? 0,
      phases,
      uplink: { connections: uplinkStats.connections, bytesReceived: uplinkStats.bytesReceived, openMax: uplinkOpenMax },
      ...(cameraStats ? { camera: { rtpPackets: cameraStats.rtpPackets, droppedPackets: cameraStats.droppedPackets, clients: cameraStats.clients } } : {}),
      recorder: {
        aliveAtEnd,
        exitCode: rec.exitCode,
        exitSignal: rec.signalCode,
        ...(stopSeconds !== undefined ? { stopSeconds } : {}),
        stderr: summary,
        stderrLinesPerHour: wallSeconds > 0 ? stderrInWindow / (wallSeconds / 3600) : NaN,
        logLinesPerHour,
      },
      samples,
      met: aliveAtEnd && growthMiB <= FLAT_LIMIT_MIB && segmentsEvicted > 0 && cacheBytesMax <= cacheBoundBytes && segmentsUploaded === 0,
    };
    return result;
  } finally {
    if (recorder && !exited(recorder)) {
      recorder.kill('SIGKILL');
      await waitExit(recorder, 10_000);
    }
    await camera?.close();
    await uplink?.close();
    rmSync(work, { recursive: true, force: true });
  }
}

// ---------------------------------------------------------------------------------------

const f = (n: number, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : '–');

export function formatResult(r: OutageRssResult): string {
  const rows: [string, string, string][] = [
    ['RSS at window start', f(r.rssStartMiB), 'MiB'],
    ['RSS max in window', f(r.rssMaxMiB), 'MiB'],
    ['RSS at end', f(r.rssEndMiB), 'MiB'],
    ['RSS min in window', f(r.rssMinMiB), 'MiB'],
    ['peak, first / last quarter', `${f(r.rssFirstQuarterMaxMiB)} / ${f(r.rssLastQuarterMaxMiB)}`, 'MiB'],
    ['growth (max − start)', f(r.growthMiB, 2), `MiB (target ≤ ${FLAT_LIMIT_MIB}: ${r.growthMiB <= FLAT_LIMIT_MIB ? 'met' : 'NOT met'})`],
    ['slope per wall hour', f(r.slopeMiBPerHour, 2), 'MiB/h'],
    ['slope per media hour', f(r.slopeMiBPerMediaHour, 2), 'MiB/h of media'],
    ['window', f(r.wallSeconds, 0), `s wall after ${f(r.warmupSeconds, 0)} s warm-up`],
    ['media in window', f(r.mediaHours, 2), `h (${f(r.mediaHoursTotal, 2)} h in the whole run)`],
    ['segments written', String(r.segmentsWritten), `(${r.segmentsWrittenInWindow} in the window)`],
    ['segments evicted', String(r.segmentsEvicted), ''],
    ['segments uploaded', String(r.segmentsUploaded), ''],
    ['cache at end', f(r.cacheBytesAtEnd / MIB), `MiB in ${r.cacheSegmentsAtEnd} segments (bound ${f(r.cacheBoundBytes / MIB, 0)} MiB)`],
    ['cache max / min in window', `${f(r.cacheBytesMax / MIB)} / ${f(r.cacheBytesMinInWindow / MIB)}`, 'MiB'],
    ['gaps pending in journal', String(r.gaps.length), r.gaps.map((g) => `${g.reason} ${f(g.wallSeconds, 1)} s of clock time`).join('; ')],
    [
      'uplink connections',
      String(r.uplink.connections),
      `(at most ${r.uplink.openMax} open at once; ${f(r.uplink.bytesReceived / 1024, 1)} KiB sent into the blackhole)`,
    ],
    [
      'recorder stderr',
      String(r.recorder.stderr.lines),
      `lines (${f(r.recorder.stderrLinesPerHour, 0)}/h in the window; ${r.recorder.stderr.statusLines} status lines; log lines ${f(r.recorder.logLinesPerHour, 0)}/h)`,
    ],
    [
      'recorder alive at end',
      r.recorder.aliveAtEnd ? 'yes' : 'NO',
      r.recorder.stopSeconds !== undefined ? `stop took ${f(r.recorder.stopSeconds)} s, exit ${r.recorder.exitCode ?? r.recorder.exitSignal}` : '',
    ],
    ['met', r.met ? 'yes' : 'NO', ''],
  ];
  const w0 = Math.max(...rows.map((x) => x[0].length));
  const w1 = Math.max(...rows.map((x) => x[1].length));
  const lines = rows.map(([a, b, c]) => `${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`);
  const ph = r.phases.map(
    (p) =>
      `  ${p.phase.padEnd(9)} ${f(p.seconds, 0).padStart(5)} s  RSS ${f(p.rssStartMiB)} → max ${f(p.rssMaxMiB)} → ${f(p.rssEndMiB)} MiB, slope ${f(p.slopeMiBPerHour, 1)} MiB/h, ${p.segmentsWritten} segments, ${p.stderrLines} stderr lines, ${p.uplinkConnections} uplink connections`,
  );
  const logs = Object.entries(r.recorder.stderr.logLines)
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `  ${String(n).padStart(6)}  ${k}`);
  return [...lines, '', 'phases:', ...ph, '', 'recorder log lines by kind:', ...(logs.length ? logs : ['  (none)'])].join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (n: string, d: string) => {
    const i = args.indexOf(`--${n}`);
    return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : d;
  };
  const jsonPath = opt('json', '');
  const o: OutageRssOptions = {
    ...DEFAULT_OPTIONS,
    seconds: Math.round(Number(opt('minutes', String(DEFAULT_OPTIONS.seconds / 60))) * 60),
    speed: Number(opt('speed', String(DEFAULT_OPTIONS.speed))),
    cacheMiB: Number(opt('cache-mib', String(DEFAULT_OPTIONS.cacheMiB))),
    file: opt('file', DEFAULT_FILE),
    refuseFraction: Number(opt('refuse-fraction', String(DEFAULT_OPTIONS.refuseFraction))),
    stop: opt('stop', 'graceful') === 'kill' ? 'kill' : 'graceful',
    ...(opt('recorder-log', '') ? { recorderLog: opt('recorder-log', '') } : {}),
    recorderExecArgv: opt('recorder-flags', RECORDER_NODE_FLAGS.join(' '))
      .split(' ')
      .filter((x) => x.length > 0),
    progress: (line) => console.log(`  ${line}`),
  };
  if (!(o.seconds > 0) || !(o.speed > 0) || !(o.cacheMiB >= 1)) throw new Error('--minutes, --speed and --cache-mib must be positive');
  const stopOnSignal = () => process.exit(130); // the exit handler kills the children
  process.once('SIGINT', stopOnSignal);
  process.once('SIGTERM', stopOnSignal);
  const machine = machineInfo();
  console.log(`outage-rss — ${machine.cpuModel} × ${machine.cores}, node ${machine.node}, ${machine.date}`);
  console.log(
    `${o.seconds} s at ${o.speed}× (${o.file}), segments ${o.segmentLength}, cache ${o.cacheMiB} MiB, uplink blackhole${o.refuseFraction > 0 ? ` then refused for the last ${Math.round(o.refuseFraction * 100)}% of the window` : ''}`,
  );
  const r = await runOutageRss(o);
  console.log(`\n${formatResult(r)}`);
  if (jsonPath) {
    const { samples, ...rest } = r;
    const head = JSON.stringify({ machine, ...rest }, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v), 2);
    // one sample a line: [seconds since start, RSS MiB, phase, cache bytes on disk]
    const rows = samples.map((s) => JSON.stringify([Math.round(s.t), Number(s.rssMiB.toFixed(2)), s.phase, s.cacheBytes]));
    writeFileSync(jsonPath, `${head.slice(0, -2)},\n  "samples": [\n    ${rows.join(',\n    ')}\n  ]\n}\n`);
    console.log(`\nwritten ${jsonPath}`);
  }
  process.exitCode = r.met ? 0 : 1;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
