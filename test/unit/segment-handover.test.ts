// Per segment with a durable cache (issue 17): the segmenter writes its .part in the cache's
// workspace and fsyncs it; the cache's rename into seg/ is the segment's only rename. A file
// outside a cache (no workspace) is still renamed to its final name before it is handed on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { SegmentFiles } from '../../src/nodes/fmp4-segmenter/segment-files.ts';
import { workspaceOf } from '../../src/nodes/durable-cache/recovery-log.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.640028', sampleCount: 60, durationMs: 2000 }];

async function writeOne(files: SegmentFiles, fragments: Buffer[]): Promise<SegmentMessage> {
  await files.perform({ type: 'init', id: 'abc123', bytes: Buffer.alloc(700, 3), codecs: ['avc1.640028'] });
  await files.perform({ type: 'open-segment', sequence: 1, initId: 'abc123', startWallClockMs: T0, baseMediaDecodeTime: 0, afterDiscontinuity: false });
  for (const f of fragments) await files.perform({ type: 'append', sequence: 1, chunks: [f], byteLength: f.length });
  const bytes = fragments.reduce((n, f) => n + f.length, 0);
  const closed = await files.perform({
    type: 'close-segment',
    summary: {
      sequence: 1,
      initId: 'abc123',
      startWallClockMs: T0,
      endWallClockMs: T0 + 4000,
      mediaDurationMs: 4000,
      baseMediaDecodeTime: 0,
      afterDiscontinuity: false,
      byteSize: bytes,
      fragments: fragments.length,
      tracks,
      reason: 'length',
    },
  });
  assert.equal(closed?.kind, 'segment');
  return closed as SegmentMessage;
}

test('with a cache, the closed segment is handed over as its fsynced .part and moved into seg/ by one rename', async (t) => {
  const root = tempDir(t, 'handover-');
  const cache = await DurableSegmentCache.open(join(root, 'cache'), { maxBytes: 10_000_000 });
  t.after(() => cache.close());
  const files = new SegmentFiles(join(root, 'unused'), { workspace: Promise.resolve(workspaceOf(cache, (w) => void w())) });
  const fragments = [Buffer.alloc(5000, 1), Buffer.alloc(7000, 2)];
  const msg = await writeOne(files, fragments);
  const open = join(root, 'cache', 'open');
  // no rename inside the workspace: the file the cache gets is the one that was written
  assert.match(msg.path, /_000001_abc123\.m4s\.part$/);
  assert.equal(msg.byteSize, 12_000);
  assert.deepEqual(
    readdirSync(open).filter((f) => f.endsWith('.m4s') || f.endsWith('.part')),
    [msg.path.split('/').pop()],
  );
  const r = await cache.add(msg);
  assert.equal(r.accepted, true);
  assert.deepEqual(
    readdirSync(open).filter((f) => f.includes('.m4s')),
    [],
    'the workspace holds no segment once the cache took it',
  );
  const cached = await cache.nextPending();
  assert.ok(cached);
  assert.ok(readFileSync(cached.path).equals(Buffer.concat(fragments)));
  assert.equal(cached.byteSize, 12_000);
  // the segment once, the cache's init and the segmenter's init still in the workspace
  assert.equal(cache.stats().bytes, 12_000 + 700 + 700, 'the reservation became cache bytes, nothing counted twice');
});

test('without a cache, the segment is renamed to its final name before it is handed on', async (t) => {
  const root = tempDir(t, 'handover-plain-');
  const files = new SegmentFiles(join(root, 'segments'));
  const msg = await writeOne(files, [Buffer.alloc(3000, 1)]);
  assert.match(msg.path, /_000001\.m4s$/);
  assert.deepEqual(
    readdirSync(join(root, 'segments')).filter((f) => f.includes('.m4s')),
    [msg.path.split('/').pop()],
  );
});
