// Issue: with the cache folder read-only for a while (EROFS), segments were dropped with no
// gap (a hole in the index, empty `gaps`), 6 finished segments stayed in the segmenter's folder
// and were never uploaded (not even by the next run), and `run` printed "6 stay in the local
// cache" while the cache held nothing. Now: what cannot be written is a `write-failed` gap,
// what was written is uploaded, and the last line says what really happened.
// The folder is made read-only by a read-only bind mount over itself (root only: chmod does
// not stop root); files already open keep working, as on a real remount.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { until } from '../helpers/until.ts';
import { filesUnder } from './salvage-harness.ts';

const isRoot = process.getuid?.() === 0;
const mount = (...args: string[]): void => {
  const r = spawnSync('mount', args, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`mount ${args.join(' ')}: ${r.stderr}`);
};

test('a cache folder read-only for 7 s: the lost time is a recorded gap, everything written is uploaded, the CLI tells the truth', {
  skip: isRoot ? false : 'needs root for a read-only bind mount (CI runs as root)',
  timeout: 90_000,
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cache-ro-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const azurite = await startAzurite();
  t.after(() => azurite.close());
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  t.after(() => camera.close());
  const data = join(root, 'data');
  const cachePath = join(root, 'cache');
  const cacheDir = join(cachePath, 'run-1', 'assetSink.cache');
  const child = spawn(
    process.execPath,
    [
      'bin/mediagraph.js',
      'run',
      'examples/cvr-asset/topology.json',
      '--name',
      'run-1',
      '--param',
      `rtspUrl=${camera.url}`,
      '--param',
      `cachePath=${cachePath}`,
      '--param',
      'segmentLength=PT30S',
      '--blob',
      azurite.connectionString,
      '--data',
      data,
      '--for',
      '16',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
  t.after(() => child.kill('SIGKILL'));

  // Once recording, the cache folder turns read-only for 7 s (~70 media seconds: over two PT30S segments).
  await until(() => existsSync(cacheDir) && [...filesUnder(data), ...filesUnder(cachePath)].some((f) => f.endsWith('.part')), 30_000, 'recording');
  await new Promise((r) => setTimeout(r, 1500));
  mount('--bind', cacheDir, cacheDir);
  let mounted = true;
  t.after(() => {
    if (mounted) spawnSync('umount', ['-l', cacheDir]);
  });
  mount('-o', 'remount,bind,ro', cacheDir);
  await new Promise((r) => setTimeout(r, 7000));
  const u = spawnSync('umount', [cacheDir], { encoding: 'utf8' });
  assert.equal(u.status, 0, u.stderr);
  mounted = false;
  const code = await exited;

  const last = stderr.trim().split('\n').at(-1) ?? '';
  t.diagnostic(`exit ${code}; last line: ${last}`);
  const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-run-1');
  const avail = await store.availableRanges(Date.now() - 3600_000, Date.now() + 3600_000);
  t.diagnostic(`ranges ${JSON.stringify(avail.ranges)} gaps ${JSON.stringify(avail.gaps)}`);
  // What could not be written is a gap with its reason, and no hole is left unexplained.
  assert.ok(
    avail.gaps.some((g) => g.reason === 'write-failed'),
    'a write-failed gap is recorded',
  );
  for (let i = 1; i < avail.ranges.length; i++) {
    const hole = { start: avail.ranges[i - 1]!.endMs, end: avail.ranges[i]!.startMs };
    if (hole.end - hole.start <= 1000) continue;
    assert.ok(
      avail.gaps.some((g) => g.startMs <= hole.start + 1000 && g.endMs >= hole.end - 1000),
      `the hole ${new Date(hole.start).toISOString()}–${new Date(hole.end).toISOString()} has a gap record`,
    );
  }
  // Everything written was uploaded: no media is left anywhere under the data or cache folders.
  const left = [...filesUnder(data), ...filesUnder(cachePath)].filter((f) => /\.(m4s|part)$/.test(f));
  assert.deepEqual(left, [], 'no segment left behind');
  // The last line does not claim cached segments that are not there, and names the lost ones.
  assert.doesNotMatch(last, /stay in the local cache/);
  assert.match(last, /could not be written to disk \(recorded as gaps\)/);
});
