// Scenario 1b: SIGKILLs of a child running the full host (RTSP source → segmenter → durable
// cache → blob sink, LVA's CVR topology) against a simulated camera and a disk-backed Azurite
// in this process. Each child reopens the same data directory; a last child stops cleanly
// (drain). Every segment a child reported written (SegmentWritten) must end up as one intact
// blob (ffmpeg decodes it after its init), or still be cached, or lie inside a recorded gap
// (CacheEvicted / the asset index); anything else is lost. Blobs overlapping in time count
// as duplicates.
//   node --import tsx faults/sigkill-host.ts [--kills=100]
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { BlobAssetStore } from '../src/storage/blob/index.ts';
import { parseIsoBasic } from '../src/storage/blob/naming.ts';
import { ffmpegDecodeErrors } from '../test/helpers/recording-check.ts';
import { argNumber, isMain, runAsMain, type ScenarioResult } from './lib.ts';

interface ChildEvent {
  readonly type: string;
  readonly body: Record<string, unknown>;
}

function runChild(args: readonly string[], killAfterMs: number | undefined): Promise<{ events: ChildEvent[]; killed: boolean; error?: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, ['--import', 'tsx', 'faults/host-child.ts', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => p.kill('SIGKILL'), killAfterMs === undefined ? 180_000 : 60_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.includes('ready\n')) {
        timer = setTimeout(() => p.kill(killAfterMs === undefined ? 'SIGTERM' : 'SIGKILL'), killAfterMs ?? 4000);
      }
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.once('exit', (code, signal) => {
      clearTimeout(deadline);
      if (timer) clearTimeout(timer);
      // only complete lines: a line cut by the kill was never fully reported
      const events = out
        .split('\n')
        .slice(0, -1)
        .filter((l) => l.startsWith('EV '))
        .map((l) => JSON.parse(l.slice(3)) as ChildEvent);
      const expected = killAfterMs === undefined ? code === 0 : signal === 'SIGKILL';
      resolve({ events, killed: signal === 'SIGKILL', ...(expected ? {} : { error: `child exited ${code ?? signal}: ${err.slice(-400)}` }) });
    });
  });
}

export async function runSigkillHost(kills: number, killWindowMs: [number, number] = [300, 7000]): Promise<ScenarioResult> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-sigkill-host-'));
  const azurite = await startAzurite({ location: join(root, 'azurite') });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  const failures: string[] = [];
  const events: ChildEvent[] = [];
  try {
    const args = [join(root, 'data'), join(root, 'cache'), camera.url, azurite.connectionString];
    for (let k = 0; k < kills; k++) {
      const r = await runChild(args, killWindowMs[0] + Math.random() * (killWindowMs[1] - killWindowMs[0]));
      events.push(...r.events);
      if (r.error) failures.push(`kill ${k}: ${r.error}`);
    }
    const last = await runChild(args, undefined); // records ~4 s, then a clean stop drains the cache
    events.push(...r2(last, failures));

    const of = (t: string) => events.filter((e) => e.type === t).map((e) => e.body);
    const written = of('SegmentWritten').map((b) => ({ start: Date.parse(String(b['startWallClock'])), end: Date.parse(String(b['endWallClock'])) }));
    const evictions = of('CacheEvicted').map((b) => ({ start: Date.parse(String(b['gapStart'])), end: Date.parse(String(b['gapEnd'])) }));
    const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-cam1');
    const names = (await store.listNames('segments/')).sort();
    const blobs = names.map((n) => {
      const m = /^segments\/(\d{8}T\d{6}(?:\.\d+)?Z)_(\d+)\.m4s$/.exec(n);
      const start = m ? parseIsoBasic(m[1]!) : Number.NaN;
      return { name: n, start, end: start + Number(m?.[2] ?? 0) };
    });
    const avail = await store.availableRanges(Date.now() - 24 * 3600_000, Date.now() + 24 * 3600_000);
    const gaps = [...evictions, ...avail.gaps.map((g) => ({ start: g.startMs, end: g.endMs }))];
    // Still cached after the clean stop (should be none): start times from the cache's journal are not
    // public, so count files; a cached file makes its segments "not lost" only in number.
    const cacheFiles = countCached(join(root, 'cache'));

    // Time labels cannot show duplicates here: at speed 10 a child's first segment is labelled
    // by arrival time until the camera's (10× fast) sender reports re-anchor it, so labels of
    // different sessions overlap by design. A duplicate is the same media stored twice: same bytes.
    let overlappingLabels = 0;
    for (let i = 1; i < blobs.length; i++) if (blobs[i]!.start < blobs[i - 1]!.end - 1) overlappingLabels++;
    const uploadsPerName = new Map<string, number>();
    for (const b of of('SegmentUploaded')) uploadsPerName.set(String(b['blobName']), (uploadsPerName.get(String(b['blobName'])) ?? 0) + 1);
    const reuploads = [...uploadsPerName.values()].filter((n) => n > 1).length;
    const blobStarts = new Set(blobs.map((b) => b.start));
    let lost = 0;
    let inGaps = 0;
    let uploaded = 0;
    const seen = new Set<number>();
    for (const w of written) {
      if (seen.has(w.start)) continue;
      seen.add(w.start);
      if (blobStarts.has(w.start)) {
        uploaded++;
        continue;
      }
      if (gaps.some((g) => g.start <= w.start + 1 && w.end - 1 <= g.end)) {
        inGaps++;
        continue;
      }
      lost++;
    }
    if (lost > cacheFiles) failures.push(`${lost} segments written but not uploaded, not in a gap (${cacheFiles} files still cached)`);
    const inits = await Promise.all((await store.listNames('init/')).map((n) => store.download(n)));
    const scratch = join(root, 'check.mp4');
    let corrupt = 0;
    let duplicate = 0;
    const hashes = new Map<string, string>();
    for (const b of blobs) {
      const seg = await store.download(b.name);
      const h = createHash('sha256').update(seg).digest('hex');
      if (hashes.has(h)) {
        duplicate++;
        failures.push(`${b.name} has the same bytes as ${hashes.get(h)}`);
      }
      hashes.set(h, b.name);
      const ok = inits.some((i) => {
        writeFileSync(scratch, Buffer.concat([i, seg]));
        return ffmpegDecodeErrors(scratch) === '';
      });
      if (!ok) {
        corrupt++;
        failures.push(`blob ${b.name} does not decode`);
      }
    }
    return {
      scenario: 'sigkill full host (CVR → Azurite)',
      pass: failures.length === 0,
      trials: kills,
      figures: {
        kills,
        segmentsWritten: seen.size,
        blobs: blobs.length,
        uploaded,
        inRecordedGaps: inGaps,
        stillCached: cacheFiles,
        corrupt,
        duplicate,
        lost: Math.max(0, lost - cacheFiles),
        lostBeforeCacheCount: lost,
        evictionEvents: evictions.length,
        indexGaps: avail.gaps.length,
        reuploadedNames: reuploads,
        overlappingLabels,
      },
      failures: failures.slice(0, 20),
      notes: [
        `kill after ${killWindowMs[0]}–${killWindowMs[1]} ms of each child's life; camera speed 10 (a 30 s segment every ~3 s); last child stops cleanly`,
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await camera.close();
    await azurite.close();
    rmSync(root, { recursive: true, force: true });
  }
}

function r2(r: { events: ChildEvent[]; error?: string }, failures: string[]): ChildEvent[] {
  if (r.error) failures.push(`clean stop: ${r.error}`);
  return r.events;
}

function countCached(dir: string): number {
  if (!existsSync(dir)) return 0;
  let n = 0;
  for (const d of readdirSync(dir, { withFileTypes: true })) {
    if (d.isDirectory()) n += d.name === 'seg' ? readdirSync(join(dir, d.name)).filter((f) => f.endsWith('.m4s')).length : countCached(join(dir, d.name));
  }
  return n;
}

if (isMain(import.meta.url)) await runAsMain(() => runSigkillHost(argNumber('kills', 100)));
