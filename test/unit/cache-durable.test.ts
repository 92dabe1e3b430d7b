import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync, readFileSync, unlinkSync, mkdirSync, existsSync, statSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { DurableSegmentCache, CacheLockedError, type EvictionEvent } from '../../src/storage/cache/index.ts';
import { encodeRecords, type JournalRecord } from '../../src/storage/cache/journal.ts';
import { tempDir, writeSegment, bytesOnDisk, checkSegmentBytes } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);

test('add, evict oldest first, exact size and one merged gap per run of evictions', async (t) => {
  const root = tempDir(t, 'cache-evict-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'cache');
  const events: EvictionEvent[] = [];
  // init 100 B + 9 segments of 1000 B = 9100 ≤ 10000; the 10th needs an eviction.
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 10_000, onEvicted: (e) => events.push(e) });
  t.after(() => cache.close());
  for (let k = 0; k < 12; k++) {
    const r = await cache.add(writeSegment(src, k));
    assert.equal(r.accepted, true);
    assert.ok(cache.stats().bytes <= 10_000);
    assert.equal(cache.stats().bytes, bytesOnDisk(dir));
  }
  assert.deepEqual(cache.segmentIds(), [4, 5, 6, 7, 8, 9, 10, 11, 12]);
  assert.equal(cache.stats().bytes, 100 + 9 * 1000);
  // Segments moved, not copied: the segmenter's files are gone.
  assert.equal(existsSync(join(src, 'seg-0.m4s')), false);
  assert.deepEqual(
    cache.pendingGaps().map((g) => [g.startWallClockMs - T0, g.endWallClockMs - T0, g.reason]),
    [[0, 3000, 'evicted']],
  );
  assert.equal(events.length, 3);
  assert.deepEqual([events[2]!.gap.startWallClockMs - T0, events[2]!.gap.endWallClockMs - T0], [0, 3000]);

  // The oldest is in flight: it is still the one evicted (oldest first, always); its upload
  // is told through `evicted`, and a late markUploaded changes nothing.
  const inFlight = await cache.nextPending();
  assert.equal(inFlight?.id, 4);
  assert.equal(checkSegmentBytes(readFileSync(inFlight.path)), 3);
  assert.equal(inFlight.evicted?.aborted, false);
  await cache.add(writeSegment(src, 12));
  assert.equal(inFlight.evicted?.aborted, true);
  assert.deepEqual(cache.segmentIds(), [5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.deepEqual(
    cache.pendingGaps().map((g) => [g.startWallClockMs - T0, g.endWallClockMs - T0]),
    [[0, 4000]],
  );
  await cache.markUploaded(4);
  assert.deepEqual(cache.pendingRanges(), []);
  assert.equal(cache.stats().bytes, 100 + 9 * 1000);
  assert.equal(cache.stats().bytes, bytesOnDisk(dir));

  // A segment larger than the whole bound is dropped and becomes a gap, never half-kept.
  const big = await cache.add(writeSegment(src, 13, { size: 20_000 }));
  assert.equal(big.accepted, false);
  assert.equal(cache.stats().bytes, bytesOnDisk(dir));

  // Acknowledged gaps go away; the state survives a reopen.
  await cache.ackGaps(cache.pendingGaps().slice(0, 1));
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 10_000 });
  t.after(() => again.close());
  assert.deepEqual(again.segmentIds(), [5, 6, 7, 8, 9, 10, 11, 12, 13]);
  assert.equal(again.pendingGaps().length, 1);
  assert.equal(again.stats().bytes, bytesOnDisk(dir));
  assert.equal(again.recovery.entriesDropped, 0);
});

test('pull API: waits for a segment, release returns it, input end answers undefined', async (t) => {
  const root = tempDir(t, 'cache-pull-');
  const src = join(root, 'src');
  mkdirSync(src);
  const cache = await DurableSegmentCache.open(join(root, 'c'), { maxBytes: 1 << 20 });
  t.after(() => cache.close());
  const waiting = cache.nextPending();
  await cache.add(writeSegment(src, 0));
  const first = await waiting;
  assert.equal(first?.startWallClockMs, T0);
  await cache.add(writeSegment(src, 1));
  cache.release(first!.id);
  assert.equal((await cache.nextPending())?.id, first!.id); // oldest first again
  const ac = new AbortController();
  const second = await cache.nextPending(ac.signal);
  assert.equal(second?.id, 2);
  // peekPending answers at once and takes nothing: nothing else is pending now.
  assert.equal(cache.peekPending(), undefined);
  cache.release(second!.id);
  assert.equal(cache.peekPending()?.id, 2);
  assert.equal(cache.peekPending()?.id, 2, 'still pending');
  assert.equal((await cache.nextPending())?.id, 2);
  assert.equal(cache.peekPending(), undefined, 'in flight now');
  // AbortSignal.timeout's timer is unref'd: keep the loop alive with a plain one.
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(new Error('deadline')), 30);
  await assert.rejects(cache.nextPending(timeout.signal), /deadline/);
  clearTimeout(timer);
  cache.endInput();
  const last = cache.nextPending();
  await cache.markUploaded(1);
  await cache.markUploaded(2);
  assert.equal(await last, undefined);
  assert.equal(cache.stats().segments, 0);
});

test('recovery: torn journal tail, leftover temp files, stray and missing files', async (t) => {
  const root = tempDir(t, 'cache-recover-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'c');
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  for (let k = 0; k < 5; k++) await cache.add(writeSegment(src, k));
  await cache.close();
  const journal = join(dir, 'journal');
  const sizeBefore = statSync(journal).size;
  appendFileSync(journal, '1234abcd {"op":"seg","seq":99,"fi'); // torn last record
  writeFileSync(join(dir, 'tmp', '6.part'), 'partial copy');
  writeFileSync(join(dir, 'seg', '000000000777.m4s'), 'no journal entry');
  unlinkSync(join(dir, 'seg', readdirSync(join(dir, 'seg')).find((f) => f.startsWith('000000000002'))!));
  const again = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => again.close());
  const r = again.recovery;
  assert.equal(r.tornTail, true);
  assert.equal(r.tempFilesDiscarded, 1);
  // A file no record explains is read as media first: these bytes are none, so it goes.
  assert.equal(r.unreadableDeleted, 1);
  assert.equal(r.strayFilesDeleted, 0);
  assert.equal(r.entriesDropped, 1);
  assert.deepEqual(again.segmentIds(), [1, 3, 4, 5]);
  assert.equal(again.stats().bytes, bytesOnDisk(dir));
  assert.equal(readdirSync(join(dir, 'tmp')).length, 0);
  assert.ok(statSync(journal).size <= sizeBefore, 'journal was rewritten without the torn record');
  // New records append cleanly after the repair.
  await again.add(writeSegment(src, 5));
  await again.close();
  const third = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => third.close());
  assert.deepEqual(third.segmentIds(), [1, 3, 4, 5, 6]);
  assert.equal(third.recovery.tornTail, false);
  for (const id of third.segmentIds()) {
    const s = await third.nextPending();
    assert.equal(s?.id, id);
    assert.equal(checkSegmentBytes(readFileSync(s.path)), (s.startWallClockMs - T0) / 1000);
  }
});

test('journal compaction keeps the journal small and the state intact', async (t) => {
  const root = tempDir(t, 'cache-compact-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'c');
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20, compactSlack: 20, fsync: false });
  for (let k = 0; k < 200; k++) {
    await cache.add(writeSegment(src, k, { size: 50 }));
    if (k % 4 !== 3) {
      const s = await cache.nextPending();
      await cache.markUploaded(s!.id);
    }
  }
  const live = cache.stats().segments;
  assert.equal(live, 50);
  const lines = readFileSync(join(dir, 'journal'), 'utf8').trim().split('\n').length;
  assert.ok(lines < 2 * live + 20 + 10, `journal has ${lines} records for ${live} live segments`);
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => again.close());
  assert.equal(again.stats().segments, 50);
  assert.equal(again.stats().bytes, bytesOnDisk(dir));
});

test('lock: a second opener fails, in this process and in another; a stale lock is taken over', async (t) => {
  const root = tempDir(t, 'cache-lock-');
  const dir = join(root, 'c');
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  await assert.rejects(DurableSegmentCache.open(dir, { maxBytes: 1 << 20 }), CacheLockedError);
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '-e',
      `
    import('${new URL('../../src/storage/cache/index.ts', import.meta.url).pathname}').then(async (m) => {
      try { await m.DurableSegmentCache.open(${JSON.stringify(dir)}, { maxBytes: 1024 }); console.log('opened'); }
      catch (e) { console.log(e.name); }
    });`,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  await new Promise((r) => child.once('exit', r));
  assert.equal(out.trim(), 'CacheLockedError');
  await cache.close();
  // A lock left by a process that no longer exists (the single-file lock of earlier versions).
  rmSync(join(dir, 'lock'), { recursive: true, force: true });
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  writeFileSync(join(dir, 'lock'), `${dead.pid}\n`);
  const taken = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  const claims = readdirSync(join(dir, 'lock'));
  assert.equal(claims.length, 1);
  assert.equal(JSON.parse(readFileSync(join(dir, 'lock', claims[0]!), 'utf8')).pid, process.pid);
  await taken.close();
  assert.equal(existsSync(join(dir, 'lock')), false);
});

test('recovery of 10,000 cached segments takes < 2 s', async (t) => {
  const root = tempDir(t, 'cache-10k-');
  const dir = join(root, 'c');
  for (const s of ['seg', 'init', 'tmp']) mkdirSync(join(dir, s), { recursive: true });
  // Build the folder as a long-running cache would have left it: files plus journal records.
  const records: JournalRecord[] = [{ op: 'init', id: 'init-a', file: 'init-a.mp4', bytes: 100 }];
  writeFileSync(join(dir, 'init', 'init-a.mp4'), Buffer.alloc(100));
  const body = Buffer.alloc(64, 1);
  for (let seq = 1; seq <= 10_000; seq++) {
    const file = `${String(seq).padStart(12, '0')}.m4s`;
    writeFileSync(join(dir, 'seg', file), body);
    records.push({
      op: 'seg',
      seq,
      file,
      bytes: 64,
      at: T0,
      meta: {
        initId: 'init-a',
        start: T0 + seq * 30_000,
        end: T0 + (seq + 1) * 30_000,
        mediaDurationMs: 30_000,
        tracks: [
          { trackId: 1, mediaType: 'video', codecString: 'avc1.64001f', sampleCount: 750, durationMs: 30_000 },
          { trackId: 2, mediaType: 'audio', codecString: 'mp4a.40.2', sampleCount: 1406, durationMs: 30_000 },
        ],
        baseMediaDecodeTime: seq * 2_700_000,
        afterDiscontinuity: false,
      },
    });
  }
  writeFileSync(join(dir, 'journal'), encodeRecords(records));
  const t0 = performance.now();
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 30 });
  const ms = performance.now() - t0;
  t.after(() => cache.close());
  console.log(`# recovery of 10,000 segments: ${ms.toFixed(0)} ms (report says ${cache.recovery.durationMs.toFixed(0)} ms)`);
  assert.equal(cache.stats().segments, 10_000);
  assert.equal(cache.stats().bytes, 100 + 64 * 10_000);
  assert.equal((await cache.nextPending())?.id, 1);
  assert.ok(ms < 2000, `recovery took ${ms} ms`);
});

test('uploaded ranges stay pending (merged, durable) until the index acknowledges them', async (t) => {
  const root = tempDir(t, 'cache-ranges-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'c');
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  for (let k = 0; k < 6; k++) await cache.add(writeSegment(src, k));
  // Upload segments 0, 1, 2 and 5; 3 and 4 are held in flight meanwhile.
  for (let k = 0; k < 3; k++) {
    const s = await cache.nextPending();
    await cache.markUploaded(s!.id);
  }
  const held = [await cache.nextPending(), await cache.nextPending()];
  const s5 = await cache.nextPending();
  assert.equal(s5?.startWallClockMs, T0 + 5000);
  await cache.markUploaded(s5!.id);
  for (const h of held) cache.release(h!.id);
  assert.deepEqual(
    cache.pendingRanges().map((r) => [r.startWallClockMs - T0, r.endWallClockMs - T0]),
    [
      [0, 3000],
      [5000, 6000],
    ],
  );
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => again.close());
  assert.deepEqual(
    again.pendingRanges().map((r) => [r.startWallClockMs - T0, r.endWallClockMs - T0]),
    [
      [0, 3000],
      [5000, 6000],
    ],
  );
  await again.ackRanges(again.pendingRanges().slice(0, 1));
  assert.deepEqual(
    again.pendingRanges().map((r) => [r.startWallClockMs - T0, r.endWallClockMs - T0]),
    [[5000, 6000]],
  );
  await again.ackRanges(again.pendingRanges());
  assert.deepEqual(again.pendingRanges(), []);
  assert.deepEqual(again.segmentIds(), [4, 5]);
});

test('a range that grew while it was being indexed keeps only its new part pending, durably', async (t) => {
  const root = tempDir(t, 'cache-range-grew-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'c');
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  for (let k = 0; k < 4; k++) await cache.add(writeSegment(src, k));
  for (let k = 0; k < 2; k++) {
    const s = await cache.nextPending();
    await cache.markUploaded(s!.id);
  }
  const read = cache.pendingRanges(); // [0, 2000] goes into the index ...
  for (let k = 2; k < 4; k++) {
    const s = await cache.nextPending();
    await cache.markUploaded(s!.id);
  } // ... while [2000, 4000] lands
  await cache.ackRanges(read);
  assert.deepEqual(
    cache.pendingRanges().map((r) => [r.startWallClockMs - T0, r.endWallClockMs - T0]),
    [[2000, 4000]],
  );
  await cache.close();
  const again = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => again.close());
  assert.deepEqual(
    again.pendingRanges().map((r) => [r.startWallClockMs - T0, r.endWallClockMs - T0]),
    [[2000, 4000]],
  );
});
