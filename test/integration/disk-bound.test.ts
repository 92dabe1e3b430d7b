// Issue: localMediaCacheMaximumSizeMiB did not bound the media on disk: the open segment lived
// in the data folder, outside the cache, and media reached 4.40 MB against a 4.19 MB bound.
// Now the segmenter writes inside the cache's folder and reserves every fragment's bytes
// first (the cache evicts oldest-first to make room). Measured from outside a real child
// process: the bytes of every media file under the data and cache folders, every ~10 ms.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { filesUnder, startRecorder } from './salvage-harness.ts';

const MIB = 1024 * 1024;
const BOUND_MIB = 3;
/**
 * Slack for what is not media but lives in the cache folder: the journal (compacted past
 * ~1000 records, here a few dozen of ~400 bytes) and the lock file. Media itself gets none.
 */
const METADATA_SLACK = 64 * 1024;
const isMedia = (f: string): boolean => /\.(m4s|mp4|part)$/.test(f);

function sizes(dirs: readonly string[]): { media: number; all: number } {
  let media = 0;
  let all = 0;
  for (const d of dirs) {
    for (const f of filesUnder(d)) {
      if (f.includes('definitions') || f.endsWith('.json')) continue; // instance and topology documents
      let n = 0;
      try {
        n = statSync(join(d, f)).size;
      } catch {
        continue;
      } // renamed or deleted meanwhile
      all += n;
      if (isMedia(f)) media += n;
    }
  }
  return { media, all };
}

test('media on disk (open segment, inits, cache) never exceeds localMediaCacheMaximumSizeMiB while the uplink is down', { timeout: 90_000 }, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'disk-bound-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const azurite = await startAzurite();
  t.after(() => azurite.close());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(azurite.blobEndpoint).port) });
  t.after(() => proxy.close());
  proxy.mode('blackhole'); // nothing leaves: the cache fills and must evict
  // ~24 KB of media per second: a PT1M segment is ~1.4 MB, so the open one is half the bound.
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 20 });
  t.after(() => camera.close());
  const data = join(root, 'data');
  const cache = join(root, 'cache');
  const child = startRecorder([data, cache, camera.url, azuriteConnectionString(`http://127.0.0.1:${proxy.port}`), 'PT1M', String(BOUND_MIB)]);
  t.after(() => child.kill('SIGKILL'));
  await child.ready;
  let peak = { media: 0, all: 0 };
  const until = performance.now() + 14_000; // ~4.5 PT1M segments at 20×
  while (performance.now() < until) {
    const s = sizes([data, cache]);
    if (s.media > peak.media) peak = { ...peak, media: s.media };
    if (s.all > peak.all) peak = { ...peak, all: s.all };
    await new Promise((r) => setTimeout(r, 10));
  }
  child.kill('SIGKILL');
  await child.exited;
  const evictions = child.events.filter((e) => e.type === 'CacheEvicted').length;
  t.diagnostic(
    `peak media ${(peak.media / MIB).toFixed(3)} MiB, all files ${(peak.all / MIB).toFixed(3)} MiB, bound ${BOUND_MIB} MiB, ${evictions} eviction events`,
  );
  assert.ok(evictions > 0, 'the test filled the cache past its bound (else it proves nothing)');
  assert.ok(peak.media <= BOUND_MIB * MIB, `media peaked at ${peak.media} bytes, over the ${BOUND_MIB * MIB}-byte bound`);
  assert.ok(peak.all <= BOUND_MIB * MIB + METADATA_SLACK, `all files peaked at ${peak.all} bytes`);
});
