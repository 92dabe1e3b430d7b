// Scenario 4: the host's data directory and cache live on an 8 MiB tmpfs that a filler file
// nearly fills, while the uplink is cut so nothing leaves the cache. After the disk has been
// full for a while, the filler goes and the uplink returns. Checked: no corrupt file (every
// segment still cached and every uploaded blob decodes with ffmpeg and parses with mp4box,
// after its init segment), and recording resumes (new segments written and uploaded).
// Needs root for mount; without it the scenario reports that it did not run.
//   node --import tsx faults/disk-full.ts [--rounds=1]
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../src/runtime/host.ts';
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite, azuriteConnectionString } from '../src/testing/azurite.ts';
import { startTcpProxy } from '../src/testing/tcp-proxy.ts';
import { BlobAssetStore } from '../src/storage/blob/index.ts';
import type { EventBodies, GraphEvent } from '../src/types/events.ts';
import { ffmpegDecodeErrors } from '../test/helpers/recording-check.ts';
import { inspectMp4 } from '../test/helpers/mp4-inspect.ts';
import { fixturePath } from '../test/helpers/fixtures.ts';
import { argNumber, isMain, runAsMain, sleep, waitFor, type ScenarioResult } from './lib.ts';

/** '' when init + segment decode silently and mp4box sees samples starting on a sync sample. */
function checkMedia(init: Buffer, seg: Buffer, scratch: string): string {
  writeFileSync(scratch, Buffer.concat([init, seg]));
  const errors = ffmpegDecodeErrors(scratch);
  if (errors) return errors.split('\n')[0] ?? 'ffmpeg error';
  try {
    const video = inspectMp4(new Uint8Array(Buffer.concat([init, seg]))).find((t) => t.type === 'video');
    if (!video || video.samples.length === 0) return 'mp4box: no video samples';
    if (!video.samples[0]!.is_sync) return 'mp4box: first sample not sync';
  } catch (e) {
    return `mp4box: ${String(e)}`;
  }
  return '';
}

function findCacheFolders(dir: string): string[] {
  if (!existsSync(dir)) return [];
  if (existsSync(join(dir, 'seg')) && existsSync(join(dir, 'init'))) return [dir];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) => findCacheFolders(join(dir, d.name)));
}

export interface DiskFullOptions {
  readonly rounds?: number;
  /** `cache`: only the cache on the tmpfs (the brief); `all`: the host's data directory too, so the segmenter's own files share the full disk. */
  readonly layout?: 'cache' | 'all';
  /** Deadline for recording to resume once space is back. */
  readonly resumeTimeoutMs?: number;
}

export async function runDiskFull(o: DiskFullOptions = {}): Promise<ScenarioResult> {
  const rounds = o.rounds ?? 1;
  const layout = o.layout ?? 'cache';
  const resumeTimeoutMs = o.resumeTimeoutMs ?? 60_000;
  const name = `disk full (tmpfs 8 MiB, ${layout === 'cache' ? 'cache' : 'cache + segmenter'})`;
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-disk-'));
  const mnt = join(root, 'small');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mnt]);
  if (m.status !== 0) {
    rmSync(root, { recursive: true, force: true });
    return {
      scenario: name,
      pass: false,
      trials: 0,
      figures: { ran: false },
      failures: [`mount failed: ${m.stderr.toString().trim()}`],
      notes: ['not run: needs root for mount -t tmpfs'],
      seconds: (performance.now() - t0) / 1000,
    };
  }
  const azurite = await startAzurite();
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  const camera = await startSimulatedCamera({ file: fixturePath('h264-360p-aac'), speed: 10 });
  const host = await MediaGraphHost.open({
    dataDirectory: join(layout === 'all' ? mnt : root, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: azuriteConnectionString(`http://127.0.0.1:${proxy.port}`) },
  });
  const events: (GraphEvent & { at: number })[] = [];
  const sub = host.events$.subscribe((e) => events.push({ ...e, at: Date.now() }));
  const of = <K extends keyof EventBodies>(type: K, since = 0): EventBodies[K][] =>
    events.filter((e) => e.type === type && e.at >= since).map((e) => e.body as EventBodies[K]);
  const failures: string[] = [];
  const filler = join(mnt, 'filler');
  const cacheDir = join(mnt, 'cache');
  let fullEvents = 0;
  let writtenWhileFull = 0;
  let writtenAfter = 0;
  let uploadedAfter = 0;
  let cachedChecked = 0;
  let blobsChecked = 0;
  let badFiles = 0;
  try {
    await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
    await host.instanceSet({
      name: 'cam1',
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'cachePath', value: cacheDir },
          { name: 'cacheMaximumSizeMiB', value: '64' },
        ],
      },
    });
    await host.instanceActivate('cam1');
    if (!(await waitFor(() => of('SegmentUploaded').length >= 1, 30_000))) failures.push('no first upload within 30 s');
    const scratch = join(root, 'check.mp4');
    // What the cache holds while the disk is full must be intact.
    const checkCache = (): void => {
      // The cache node keeps its files in <cachePath>/<instance>/<node>/{seg,init}.
      for (const dir of findCacheFolders(cacheDir)) {
        const inits = readdirSync(join(dir, 'init'))
          .filter((f) => f.endsWith('.mp4'))
          .map((f) => readFileSync(join(dir, 'init', f)));
        for (const f of readdirSync(join(dir, 'seg')).filter((x) => x.endsWith('.m4s'))) {
          let seg: Buffer;
          try {
            seg = readFileSync(join(dir, 'seg', f));
          } catch {
            continue;
          } // evicted meanwhile
          cachedChecked++;
          const verdicts = inits.map((i) => checkMedia(i, seg, scratch));
          if (!verdicts.includes('')) {
            badFiles++;
            failures.push(`cached ${f}: ${verdicts[0] ?? 'no init segment in the cache'}`);
          }
        }
      }
    };
    for (let r = 0; r < rounds; r++) {
      proxy.mode('blackhole');
      // Leave ~3 MiB: about two 30 s segments of this stream.
      writeFileSync(filler, Buffer.alloc(5 * 1024 * 1024));
      const fullAt = Date.now();
      const active = (): boolean => host.instanceStatus('cam1').state === 'Active';
      const sawFull = await waitFor(
        () => !active() || of('CacheEvicted', fullAt).length + of('StorageError', fullAt).length + of('RuntimeError', fullAt).length >= 2,
        60_000,
      );
      if (!sawFull) failures.push(`round ${r}: the full disk showed no event within 60 s`);
      if (active()) await sleep(4000); // full for a while (no point once the instance stopped)
      fullEvents += of('CacheEvicted', fullAt).length + of('RuntimeError', fullAt).length + of('StorageError', fullAt).length;
      writtenWhileFull += of('SegmentWritten', fullAt).length;
      checkCache();
      rmSync(filler);
      proxy.mode('pass');
      const freeAt = Date.now();
      if (
        !(await waitFor(() => !active() || (of('SegmentWritten', freeAt).length >= 2 && of('SegmentUploaded', freeAt).length >= 2), resumeTimeoutMs)) ||
        !active()
      ) {
        failures.push(
          `round ${r}: recording did not resume ${active() ? `within ${resumeTimeoutMs / 1000} s of space returning` : '(the instance had stopped)'} (${of('SegmentWritten', freeAt).length} written, ${of('SegmentUploaded', freeAt).length} uploaded)`,
        );
      }
      writtenAfter += of('SegmentWritten', freeAt).length;
      uploadedAfter += of('SegmentUploaded', freeAt).length;
    }
    const state = host.instanceStatus('cam1');
    if (state.state !== 'Active') failures.push(`instance ${state.state} after the full disk: ${state.lastError?.message ?? ''}`);
    await host.instanceDeactivate('cam1');
    const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-cam1');
    const blobInits = await Promise.all((await store.listNames('init/')).map((n) => store.download(n)));
    for (const name of await store.listNames('segments/')) {
      blobsChecked++;
      const seg = await store.download(name);
      const verdicts = blobInits.map((i) => checkMedia(i, seg, scratch));
      if (!verdicts.includes('')) {
        badFiles++;
        failures.push(`blob ${name}: ${verdicts[0] ?? 'no init blob'}`);
      }
    }
    return {
      scenario: name,
      pass: failures.length === 0,
      trials: rounds,
      figures: {
        rounds,
        fullDiskEvents: fullEvents,
        evictionsDiskFull: of('CacheEvicted').length,
        writtenWhileFull,
        writtenAfterSpaceBack: writtenAfter,
        uploadedAfterSpaceBack: uploadedAfter,
        cachedChecked,
        blobsChecked,
        corruptFiles: badFiles,
        runtimeErrors: of('RuntimeError').length,
      },
      failures: failures.slice(0, 20),
      notes: [
        `${layout === 'all' ? 'data directory (segmenter output) and cache' : 'cache only'} on an 8 MiB tmpfs; a 5 MiB filler file fills it; uplink blackholed meanwhile; 360p stream at speed 10`,
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    sub.unsubscribe();
    await host.close().catch(() => {});
    await camera.close();
    await proxy.close();
    await azurite.close();
    spawnSync('umount', ['-l', mnt]);
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url))
  await runAsMain(() => runDiskFull({ rounds: argNumber('rounds', 1), layout: process.argv.includes('--layout=all') ? 'all' : 'cache' }));
