// Recordings are private: with a permissive umask (0), the segmenter's files, the cache's
// folders, journal and media, and the embedded store's folder are readable by the owner only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { fmp4SegmenterNode } from '../../src/nodes/fmp4-segmenter/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';
import type { MediaMessage } from '../../src/types/media.ts';
import { demuxFixture } from '../helpers/mp4-fixtures.ts';
import { testContext } from '../helpers/segmenter-context.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';

/** Every path under `root` (itself included) whose mode grants anything to group or others. */
function notPrivate(root: string): string[] {
  const out: string[] = [];
  const walk = (p: string): void => {
    const s = statSync(p);
    if ((s.mode & 0o077) !== 0) out.push(`${p} ${(s.mode & 0o777).toString(8)}`);
    if (s.isDirectory()) for (const name of readdirSync(p)) walk(join(p, name));
  };
  walk(root);
  return out;
}

test('with umask 0, segments, cache and the embedded store folder are 0600 files in 0700 folders', async (t) => {
  const previous = process.umask(0);
  t.after(() => process.umask(previous));
  const dir = tempDir(t, 'mg-modes-');

  // the segmenter writing real media into its folder
  const segmentsDir = join(dir, 'data', 'segments', 'cam1', 'seg');
  const d = demuxFixture('h264-360p-aac.mp4');
  const op = fmp4SegmenterNode.create!(
    { '@type': fmp4SegmenterNode.type, name: 'seg', segmentLength: 'PT2S', outputDirectoryPath: segmentsDir },
    testContext(join(dir, 'data')),
  );
  const segments = await lastValueFrom(
    (op({ media: from<MediaMessage[]>([...d.tracks, ...d.samples, { kind: 'end' }]) }) as Observable<SegmentMessage>).pipe(toArray()),
  );
  assert.ok(segments.length > 0);

  // the cache taking a copy of segments from a folder with ordinary modes
  const src = join(dir, 'incoming');
  mkdirSync(src);
  const cacheDir = join(dir, 'data', 'cache', 'cam1', 'sink');
  const cache = await DurableSegmentCache.open(cacheDir, { maxBytes: 1_000_000, mode: 'copy' });
  for (let k = 0; k < 3; k++) await cache.add(writeSegment(src, k));
  await cache.close();

  const store = join(dir, 'data', 'blob');
  const azurite = await startAzurite({ location: store });
  await azurite.close();

  // Azurite creates its own files with its own modes: the folder is what keeps them private
  assert.equal(statSync(store).mode & 0o777, 0o700);
  assert.deepEqual(
    notPrivate(join(dir, 'data')).filter((p) => !p.startsWith(`${store}/`)),
    [],
  );
});
