// Bench: draining a cached backlog into Blob Storage through the real DurableCache →
// BlobAssetSink nodes, against raw @azure/storage-blob `uploadData` of the same files in the
// same run. Azurite runs in its own process (a fresh one per run), so the client's CPU is
// measured apart from the server's, as against a remote store. Two segment sizes: 1 MiB
// stresses the per-segment bookkeeping; 16 MiB is a 30 s segment of a 4.3 Mbit/s camera.
// Also: cache recovery time for 10,000 segments, and the latency from "segment closed"
// (handed to the cache) to "upload started".
//   node --import tsx bench/upload-drain.ts [--sizes 1x200,16x25] [--rounds 4] [--json out.json] [--latency-segments 40]
//                                           [--profile dir]  (a CPU profile of each measured run)
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Subject, asyncScheduler, type Observable } from 'rxjs';
import { BlobServiceClient } from '@azure/storage-blob';
import { DurableSegmentCache } from '../src/storage/cache/index.ts';
import { encodeRecords, type JournalRecord } from '../src/storage/cache/journal.ts';
import { durableCacheNode } from '../src/nodes/durable-cache/index.ts';
import { makeBlobAssetSinkNode } from '../src/nodes/blob-asset-sink/index.ts';
import type { NodeContext } from '../src/types/node.ts';
import type { Logger } from '../src/types/logger.ts';
import type { SegmentMessage, SegmentStreamMessage } from '../src/types/segment.ts';
import { startAzuriteProcess, type AzuriteProcess } from './load/azurite-process.ts';
import { cpuSeconds } from './lib/proc.ts';

const args = process.argv.slice(2);
const opt = (name: string, dflt: string): string => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
/** `MiBxCount` pairs: segment size and how many of them. */
const SIZES = opt('sizes', '1x200,16x25')
  .split(',')
  .map((p) => {
    const [mib, count] = p.split('x').map(Number);
    if (!mib || !count) throw new Error(`--sizes takes MiBxCount pairs such as 1x200, not ${p}`);
    return { bytes: Math.round(mib * 1048576), count };
  });
const ROUNDS = Number(opt('rounds', '4'));
const LATENCY_SEGMENTS = Number(opt('latency-segments', '40'));
const jsonOut = opt('json', '');
const T0 = Date.UTC(2026, 0, 1);
const root = mkdtempSync(join(tmpdir(), 'bench-drain-'));
const quiet: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
  child() {
    return quiet;
  },
};

function ctx(nodeName: string, blobConnection: string): NodeContext {
  const c = {
    instanceName: 'bench',
    topologyName: 'bench',
    nodeName,
    logger: quiet,
    scheduler: asyncScheduler,
    events: { emit() {} },
    metrics: { set() {}, add() {} },
    stop$: new Subject<void>(),
    services: { dataDirectory: root, blobConnection },
  };
  return c;
}

function segment(dir: string, k: number, body: Buffer): SegmentMessage {
  const path = join(dir, `seg-${k}.m4s`);
  body.writeUInt32BE(k, 0); // distinct content per file
  writeFileSync(path, body);
  const initPath = join(dir, 'init.mp4');
  writeFileSync(initPath, Buffer.alloc(700, 1));
  return {
    kind: 'segment',
    path,
    byteSize: body.length,
    init: { id: 'bench-init', path: initPath, byteSize: 700 },
    startWallClockMs: T0 + k * 30_000,
    endWallClockMs: T0 + (k + 1) * 30_000,
    mediaDurationMs: 30_000,
    tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.64001f', sampleCount: 750, durationMs: 30_000 }],
    baseMediaDecodeTime: k * 2_700_000,
    afterDiscontinuity: k === 0,
  };
}

function completion(o: Observable<unknown>): Promise<void> {
  return new Promise((resolve, reject) => o.subscribe({ error: reject, complete: resolve }));
}

interface Run {
  readonly wallMs: number;
  /** This process: the uploading client (and, for the sink, the cache). */
  readonly clientCpuMs: number;
  /** The Azurite process. */
  readonly serverCpuMs: number;
}

const percentile = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};

const profileDir = opt('profile', '');
let profiler: Session | undefined;
let profiles = 0;

/** Wall time of `fn`, with the CPU of this process and of the server over the same span. */
async function timed(server: AzuriteProcess, what: string, fn: () => Promise<void>): Promise<Run> {
  // Dirty pages from preparing the files would otherwise be written back during the run.
  execFileSync('sync');
  if (profileDir && !profiler) {
    profiler = new Session();
    profiler.connect();
    await profiler.post('Profiler.enable');
  }
  await profiler?.post('Profiler.start');
  const cpu0 = process.cpuUsage();
  const server0 = cpuSeconds(server.pid);
  const t0 = performance.now();
  await fn();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  if (profiler) {
    const { profile } = await profiler.post('Profiler.stop');
    mkdirSync(profileDir, { recursive: true });
    writeFileSync(join(profileDir, `${String(profiles++).padStart(2, '0')}-${what}.cpuprofile`), JSON.stringify(profile));
  }
  return { wallMs, clientCpuMs: (cpu.user + cpu.system) / 1000, serverCpuMs: (cpuSeconds(server.pid) - server0) * 1000 };
}

/** The baseline: what a script with the SDK would do, container creation included. */
async function rawUpload(server: AzuriteProcess, files: readonly string[]): Promise<Run> {
  const service = BlobServiceClient.fromConnectionString(server.connectionString);
  return timed(server, 'raw', async () => {
    const c = service.getContainerClient('raw-baseline');
    await c.createIfNotExists();
    for (const [i, f] of files.entries()) await c.getBlockBlobClient(`raw/${i}.m4s`).uploadData(readFileSync(f));
  });
}

/** The backlog (N segments already cached, as after an outage), drained by the real nodes. */
async function sinkDrain(server: AzuriteProcess, src: string, body: Buffer, count: number, asset: string): Promise<Run> {
  const cachePath = join(root, `cache-${asset}`);
  const bound = (count + 10) * body.length;
  const cache = await DurableSegmentCache.open(join(cachePath, 'bench', 'c'), { maxBytes: bound });
  for (let k = 0; k < count; k++) await cache.add(segment(src, k, body));
  await cache.close();
  const conn = server.connectionString;
  const run = await timed(server, 'sink', async () => {
    const input = new Subject<SegmentStreamMessage>();
    const cache$ = durableCacheNode.create!(
      { '@type': '#Mediagraph.DurableCache', name: 'c', localMediaCachePath: cachePath, localMediaCacheMaximumSizeMiB: String(Math.ceil(bound / 1048576)) },
      ctx('c', conn),
    )({ segments: input });
    const done = completion(
      makeBlobAssetSinkNode().create!(
        { '@type': '#Mediagraph.BlobAssetSink', name: 's', assetNamePattern: asset, drainTimeout: 'PT10M' },
        ctx('s', conn),
      )({ queue: cache$ }),
    );
    input.complete(); // deactivation: drain everything
    await done;
  });
  const left = await DurableSegmentCache.open(join(cachePath, 'bench', 'c'), { maxBytes: bound });
  const remaining = left.stats().segments;
  await left.close();
  if (remaining !== 0) throw new Error(`the drain left ${remaining} segments in the cache`);
  rmSync(cachePath, { recursive: true, force: true });
  return run;
}

async function latency(server: AzuriteProcess, src: string, body: Buffer, count: number): Promise<number[]> {
  const conn = server.connectionString;
  const started = new Map<number, number>();
  const closedAt = new Map<number, number>();
  const input = new Subject<SegmentStreamMessage>();
  const cache$ = durableCacheNode.create!(
    { '@type': '#Mediagraph.DurableCache', name: 'l', localMediaCachePath: join(root, 'cache-latency'), localMediaCacheMaximumSizeMiB: '1024' },
    ctx('l', conn),
  )({ segments: input });
  const sink = makeBlobAssetSinkNode({
    onUploadStarted: (s) => {
      if (!started.has(s.startWallClockMs)) started.set(s.startWallClockMs, performance.now());
    },
  });
  const done = completion(
    sink.create!({ '@type': '#Mediagraph.BlobAssetSink', name: 'l', assetNamePattern: 'bench-latency' }, ctx('l', conn))({ queue: cache$ }),
  );
  for (let k = 0; k < count; k++) {
    const seg = segment(src, 100_000 + k, body);
    closedAt.set(seg.startWallClockMs, performance.now());
    input.next(seg);
    await new Promise((r) => setTimeout(r, 150)); // a live camera: one segment at a time, uplink idle
  }
  input.complete();
  await done;
  return [...closedAt].map(([start, t]) => (started.get(start) ?? Number.NaN) - t);
}

async function recovery10k(): Promise<number> {
  const dir = join(root, 'recovery');
  for (const s of ['seg', 'init', 'tmp']) mkdirSync(join(dir, s), { recursive: true });
  const records: JournalRecord[] = [{ op: 'init', id: 'i', file: 'i.mp4', bytes: 100 }];
  writeFileSync(join(dir, 'init', 'i.mp4'), Buffer.alloc(100));
  const small = Buffer.alloc(256, 7);
  for (let seq = 1; seq <= 10_000; seq++) {
    const file = `${String(seq).padStart(12, '0')}.m4s`;
    writeFileSync(join(dir, 'seg', file), small);
    records.push({
      op: 'seg',
      seq,
      file,
      bytes: small.length,
      at: T0,
      meta: {
        initId: 'i',
        start: T0 + seq * 30_000,
        end: T0 + (seq + 1) * 30_000,
        mediaDurationMs: 30_000,
        tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.64001f', sampleCount: 750, durationMs: 30_000 }],
        baseMediaDecodeTime: seq * 2_700_000,
        afterDiscontinuity: false,
      },
    });
  }
  writeFileSync(join(dir, 'journal'), encodeRecords(records));
  const t0 = performance.now();
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 30 });
  const ms = performance.now() - t0;
  if (cache.stats().segments !== 10_000) throw new Error('recovery lost segments');
  await cache.close();
  return ms;
}

/** Each run gets a fresh Azurite process: an in-memory store holds every byte it was sent. */
async function withServer<T>(fn: (server: AzuriteProcess) => Promise<T>): Promise<T> {
  const server = await startAzuriteProcess();
  try {
    return await fn(server);
  } finally {
    await server.close();
  }
}

interface SizeResult {
  readonly segmentMiB: number;
  readonly segments: number;
  readonly raw: { readonly mibPerS: number; readonly clientCpuMsPerMiB: number; readonly runs: readonly Run[] };
  readonly sink: { readonly mibPerS: number; readonly clientCpuMsPerMiB: number; readonly runs: readonly Run[] };
  /** sink throughput / raw throughput (wall); the target is ≥ 0.9. */
  readonly ratio: number;
  /** raw client CPU / sink client CPU per MiB (≥ 1 means the sink spends less). */
  readonly cpuRatio: number;
  /** Best sink run / best raw run (throughput): the least disturbed runs on a shared machine. */
  readonly bestRatio: number;
}

async function measureSize(bytes: number, count: number): Promise<SizeResult> {
  const src = join(root, `src-${bytes}`);
  mkdirSync(src, { recursive: true });
  const body = Buffer.alloc(bytes, 0x5a);
  const files = Array.from({ length: count }, (_, k) => segment(src, 50_000 + k, body).path);
  const mib = (count * bytes) / 1048576;
  const raws: Run[] = [];
  const sinks: Run[] = [];
  // Runs alternate (raw, sink, sink, raw, ...) so drift on a shared machine hits both alike;
  // the medians are compared.
  for (let round = 0; round < ROUNDS; round++) {
    const raw = (): Promise<Run> => withServer((s) => rawUpload(s, files));
    const sink = (): Promise<Run> => withServer((s) => sinkDrain(s, src, body, count, `bench-drain-${round}`));
    if (round % 2 === 0) {
      raws.push(await raw());
      sinks.push(await sink());
    } else {
      sinks.push(await sink());
      raws.push(await raw());
    }
  }
  rmSync(src, { recursive: true, force: true });
  const med = (rs: Run[], f: (r: Run) => number): number => percentile(rs.map(f), 50);
  const rawRate = mib / (med(raws, (r) => r.wallMs) / 1000);
  const sinkRate = mib / (med(sinks, (r) => r.wallMs) / 1000);
  const rawCpu = med(raws, (r) => r.clientCpuMs) / mib;
  const sinkCpu = med(sinks, (r) => r.clientCpuMs) / mib;
  return {
    segmentMiB: bytes / 1048576,
    segments: count,
    raw: { mibPerS: rawRate, clientCpuMsPerMiB: rawCpu, runs: raws },
    sink: { mibPerS: sinkRate, clientCpuMsPerMiB: sinkCpu, runs: sinks },
    ratio: sinkRate / rawRate,
    cpuRatio: rawCpu / sinkCpu,
    bestRatio: Math.min(...raws.map((r) => r.wallMs)) / Math.min(...sinks.map((r) => r.wallMs)),
  };
}

try {
  // Warm both paths (module loading, the SDK's first connections) before measuring.
  const warm = join(root, 'warm');
  mkdirSync(warm);
  const warmBody = Buffer.alloc(256 * 1024, 1);
  const warmFiles = Array.from({ length: 5 }, (_, k) => segment(warm, k, warmBody).path);
  await withServer(async (s) => {
    await rawUpload(s, warmFiles);
    await sinkDrain(s, warm, warmBody, 5, 'bench-warmup');
  });

  const results: SizeResult[] = [];
  const fmt = (rs: readonly Run[]): string => rs.map((r) => `${r.wallMs.toFixed(0)}/${r.clientCpuMs.toFixed(0)}/${r.serverCpuMs.toFixed(0)}`).join(' ');
  console.log(`upload drain into Azurite in its own process (memory store, fresh per run), one upload in flight, median of ${ROUNDS} runs each`);
  console.log('(wall / client CPU / server CPU in ms per run; the sink run includes cache open, init upload, metadata, day index and cache deletes)');
  for (const { bytes, count } of SIZES) {
    const r = await measureSize(bytes, count);
    results.push(r);
    console.log(`  ${count} × ${r.segmentMiB} MiB:`);
    console.log(`    raw uploadData     ${r.raw.mibPerS.toFixed(1)} MiB/s, client ${r.raw.clientCpuMsPerMiB.toFixed(2)} ms CPU/MiB  (${fmt(r.raw.runs)})`);
    console.log(`    cache → sink drain ${r.sink.mibPerS.toFixed(1)} MiB/s, client ${r.sink.clientCpuMsPerMiB.toFixed(2)} ms CPU/MiB  (${fmt(r.sink.runs)})`);
    console.log(
      `    ratio sink/raw     ${r.ratio.toFixed(2)}× throughput, medians (target ≥ 0.9×); best runs ${r.bestRatio.toFixed(2)}×; ${r.cpuRatio.toFixed(2)}× client CPU efficiency`,
    );
  }
  const recoveryMs = await recovery10k();
  console.log(`cache recovery, 10,000 segments: ${recoveryMs.toFixed(0)} ms (target < 2000 ms)`);
  const lat = await withServer((s) => latency(s, join(root, 'warm'), Buffer.alloc(1048576, 3), LATENCY_SEGMENTS));
  const latencyMs = { p50: percentile(lat, 50), p95: percentile(lat, 95), max: Math.max(...lat) };
  console.log(
    `segment closed → upload started (1 MiB segment every 150 ms, ${lat.length} segments): p50 ${latencyMs.p50.toFixed(1)} ms, p95 ${latencyMs.p95.toFixed(1)} ms, max ${latencyMs.max.toFixed(1)} ms (target < 100 ms)`,
  );
  if (jsonOut) writeFileSync(jsonOut, JSON.stringify({ sizes: results, recovery10kMs: recoveryMs, closeToUploadMs: latencyMs }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
