// A real full disk: the cache folder on a 256 KiB tmpfs, with a size bound far above it.
// Needs root (mount); skipped elsewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableSegmentCache, type EvictionEvent } from '../../src/storage/cache/index.ts';
import { writeSegment, bytesOnDisk, checkSegmentBytes } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);

function canMount(): boolean {
  return process.getuid?.() === 0 && spawnSync('mount', ['--version'], { stdio: 'ignore' }).status === 0;
}

test('ENOSPC while writing: oldest evicted, event emitted, retried, no corrupt file', {
  skip: canMount() ? false : 'needs root to mount a small tmpfs',
}, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'cache-enospc-'));
  const src = join(root, 'src');
  mkdirSync(src);
  const mnt = join(root, 'small');
  mkdirSync(mnt);
  const m = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', mnt]);
  if (m.status !== 0) {
    t.skip(`mount failed: ${m.stderr.toString().trim()}`);
    return;
  }
  const closers: (() => Promise<void>)[] = [];
  t.after(async () => {
    for (const c of closers) await c();
    spawnSync('umount', ['-l', mnt]);
    rmSync(root, { recursive: true, force: true });
  });
  const dir = join(mnt, 'cache');
  const events: EvictionEvent[] = [];
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 100 << 20, onEvicted: (e) => events.push(e) });
  let accepted = 0;
  for (let k = 0; k < 40; k++) {
    const r = await cache.add(writeSegment(src, k, { size: 20_000 }));
    if (r.accepted) accepted++;
    assert.equal(cache.stats().bytes, bytesOnDisk(dir));
  }
  assert.ok(
    events.some((e) => e.cause === 'disk-full'),
    'the full disk caused evictions',
  );
  assert.ok(accepted >= 38, `only ${accepted} of 40 accepted`);
  // What is left is the newest data, intact, and the evicted range is one gap from the start.
  const ids = cache.segmentIds();
  assert.equal(ids.at(-1), 40);
  const gaps = cache.pendingGaps();
  assert.equal(gaps[0]?.startWallClockMs, T0);
  const firstKept = ids[0]!;
  assert.equal(gaps.at(-1)?.endWallClockMs, T0 + (firstKept - 1) * 1000);
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 100 << 20 });
  closers.push(() => again.close());
  assert.deepEqual(again.segmentIds(), ids);
  assert.equal(again.recovery.entriesDropped, 0);
  for (let s = await again.nextPending(); s; s = again.stats().segments > again.stats().inFlight ? await again.nextPending() : undefined) {
    assert.equal(checkSegmentBytes(readFileSync(s.path)), (s.startWallClockMs - T0) / 1000);
  }
});
