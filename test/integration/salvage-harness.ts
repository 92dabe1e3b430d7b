// Shared by the crash-salvage test and faults/salvage-crash.ts: a real child process running
// the host (faults/host-child.ts: LVA's CVR topology, sim camera → cache → Azurite), watched
// from outside: when its open segment appears in the cache's workspace, how much media the
// stored segments hold (mp4box.js sample durations, ffmpeg decode), and which files remain.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { parseSegmentBlobName } from '../../src/storage/blob/naming.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';
import { ffmpegDecodeErrors } from '../helpers/recording-check.ts';

export const ASSET = 'sampleAsset-CVRToAsset-cam1';
export interface ChildEvent {
  readonly type: string;
  readonly body: Record<string, unknown>;
}

export interface RecorderChild {
  readonly events: ChildEvent[];
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
  kill(signal: NodeJS.Signals): void;
}

/** args: dataDir cachePath rtspUrl blobConnection segmentLength [cacheMiB]. Killed after `limitMs` whatever happens. */
export function startRecorder(args: readonly string[], limitMs = 120_000): RecorderChild {
  const p = spawn(process.execPath, ['--import', 'tsx', 'faults/host-child.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const events: ChildEvent[] = [];
  let out = '';
  let err = '';
  let markReady!: () => void;
  const ready = new Promise<void>((r) => {
    markReady = r;
  });
  const limit = setTimeout(() => p.kill('SIGKILL'), limitMs);
  p.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    let nl: number;
    while ((nl = out.indexOf('\n')) >= 0) {
      const line = out.slice(0, nl);
      out = out.slice(nl + 1);
      if (line === 'ready') markReady();
      else if (line.startsWith('EV ')) events.push(JSON.parse(line.slice(3)) as ChildEvent);
    }
  });
  p.stderr.on('data', (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) => {
    p.once('exit', (code, signal) => {
      clearTimeout(limit);
      resolve({ code, signal, stderr: err.slice(-2000) });
    });
  });
  return { events, ready, exited, kill: (s) => void p.kill(s) };
}

export const cacheDirOf = (cachePath: string): string => join(cachePath, 'cam1', 'assetSink.cache');

/** The open segment in the cache's workspace, polled every 5 ms; with the time it was first seen. */
export async function waitForOpenSegment(workspace: string, timeoutMs: number): Promise<{ name: string; seenAtMs: number }> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const name = existsSync(workspace) ? readdirSync(workspace).find((f) => f.endsWith('.m4s.part')) : undefined;
    if (name) return { name, seenAtMs: performance.now() };
    if (Date.now() > end) throw new Error(`no open segment in ${workspace} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

export interface StoredSegment {
  readonly name: string;
  readonly startMs: number;
  readonly seconds: number;
  readonly decodeErrors: string;
}

/** Every stored segment with its media seconds counted by mp4box.js (video samples) and decoded by ffmpeg. */
export async function storedSegments(connection: string, scratchDir: string): Promise<StoredSegment[]> {
  const store = await BlobAssetStore.create(connection, ASSET);
  const inits = await Promise.all((await store.listNames('init/')).map((n) => store.download(n)));
  const out: StoredSegment[] = [];
  for (const name of (await store.listNames('segments/')).sort()) {
    const seg = await store.download(name);
    let best: StoredSegment | undefined;
    for (const init of inits) {
      const whole = Buffer.concat([init, seg]);
      let seconds = 0;
      try {
        const video = inspectMp4(whole).find((t) => t.type === 'video');
        seconds = video ? video.samples.reduce((n, s) => n + s.duration, 0) / video.timescale : 0;
      } catch {
        seconds = 0;
      }
      const file = join(scratchDir, 'check.mp4');
      writeFileSync(file, whole);
      const decodeErrors = ffmpegDecodeErrors(file);
      best = { name, startMs: parseSegmentBlobName(name)?.startMs ?? Number.NaN, seconds, decodeErrors };
      if (decodeErrors === '' && seconds > 0) break;
    }
    if (best) out.push(best);
  }
  return out;
}

/** Every file under `dir` (recursively), relative to it. */
export function filesUnder(dir: string, prefix = ''): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    const rel = join(prefix, d.name);
    if (d.isDirectory()) out.push(...filesUnder(join(dir, d.name), rel));
    else out.push(rel);
  }
  return out;
}

/** Total bytes of the files under `dir`. */
export function bytesUnder(dir: string): number {
  return filesUnder(dir).reduce((n, f) => {
    try {
      return n + statSync(join(dir, f)).size;
    } catch {
      return n;
    }
  }, 0);
}

/** `20260101T120000.000Z_…` (a segment file's name) → its start, Unix ms. */
export function timeLabelOf(name: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z_/.exec(name);
  return m ? Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!) : undefined;
}
