// Bench: is the durable cache's cost per segment O(1) as it fills? For caches already
// holding 0, 1,000, 10,000 and 50,000 segments (prefilled through a journal, as after an
// outage), time adding segments (atomic move + journal + fsync), taking the oldest and
// marking it uploaded (delete + journal), and evicting at the size bound.
//   node --import tsx bench/cache-scaling.ts [--ops 300] [--sizes 0,1000,10000,50000] [--json <path>]
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DurableSegmentCache } from '../src/storage/cache/index.ts';
import { encodeRecords, type JournalRecord } from '../src/storage/cache/journal.ts';
import type { SegmentMessage } from '../src/types/segment.ts';

const arg = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? (process.argv[i + 1] ?? fallback) : fallback;
};
const OPS = Number(arg('ops', '300'));
const SIZES = arg('sizes', '0,1000,10000,50000').split(',').map(Number);
const T0 = Date.UTC(2026, 0, 1);
const BODY = Buffer.alloc(4096, 7);
const root = mkdtempSync(join(tmpdir(), 'bench-cache-scaling-'));

const meta = (seq: number) => ({
  initId: 'i',
  start: T0 + seq * 30_000,
  end: T0 + (seq + 1) * 30_000,
  mediaDurationMs: 30_000,
  tracks: [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 750, durationMs: 30_000 }],
  baseMediaDecodeTime: 0,
  afterDiscontinuity: false,
});

function prefill(dir: string, n: number): void {
  for (const s of ['seg', 'init', 'tmp']) mkdirSync(join(dir, s), { recursive: true });
  writeFileSync(join(dir, 'init', 'i.mp4'), Buffer.alloc(100));
  const records: JournalRecord[] = [{ op: 'init', id: 'i', file: 'i.mp4', bytes: 100 }];
  for (let seq = 1; seq <= n; seq++) {
    const file = `${String(seq).padStart(12, '0')}.m4s`;
    writeFileSync(join(dir, 'seg', file), BODY);
    records.push({ op: 'seg', seq, file, bytes: BODY.length, at: T0, meta: meta(seq) });
  }
  writeFileSync(join(dir, 'journal'), encodeRecords(records));
}

function incoming(dir: string, k: number, base: number): SegmentMessage {
  const path = join(dir, `in-${k}.m4s`);
  writeFileSync(path, BODY);
  const initPath = join(dir, 'in-init.mp4');
  writeFileSync(initPath, Buffer.alloc(100));
  const m = meta(base + k);
  return {
    kind: 'segment',
    path,
    byteSize: BODY.length,
    init: { id: 'i', path: initPath, byteSize: 100 },
    startWallClockMs: m.start,
    endWallClockMs: m.end,
    mediaDurationMs: 30_000,
    tracks: m.tracks,
    baseMediaDecodeTime: 0,
    afterDiscontinuity: false,
  };
}

interface Row {
  size: number;
  openMs: number;
  addUs: number;
  takeAndUploadUs: number;
  evictingAddUs: number;
}

async function measure(size: number): Promise<Row> {
  const dir = join(root, `cache-${size}`);
  const src = join(root, `src-${size}`);
  mkdirSync(src, { recursive: true });
  prefill(dir, size);
  let t = performance.now();
  const cache = await DurableSegmentCache.open(dir, { maxBytes: 2 ** 40 });
  const openMs = performance.now() - t;
  const msgs = Array.from({ length: OPS }, (_, k) => incoming(src, k, size + 1));
  t = performance.now();
  for (const m of msgs) await cache.add(m);
  const addUs = ((performance.now() - t) * 1000) / OPS;
  t = performance.now();
  for (let k = 0; k < OPS; k++) {
    const s = await cache.nextPending();
    if (!s) throw new Error('cache ran dry');
    await cache.markUploaded(s.id);
  }
  const takeAndUploadUs = ((performance.now() - t) * 1000) / OPS;
  const heldBytes = cache.stats().bytes;
  await cache.close();
  // at the bound: every add evicts the oldest (and records the gap)
  // exactly full (room for at least one segment): from here every add must evict the oldest
  const bound = Math.max(heldBytes, 2 * BODY.length + 100);
  let evicted = 0;
  const full = await DurableSegmentCache.open(dir, { maxBytes: bound, onEvicted: (e) => void (evicted += e.segments) });
  const more = Array.from({ length: OPS }, (_, k) => incoming(src, OPS + k, size + OPS + 1));
  t = performance.now();
  for (const m of more) await full.add(m);
  const evictingAddUs = ((performance.now() - t) * 1000) / OPS;
  await full.close();
  if (evicted < OPS - 2) throw new Error(`expected an eviction per add at the bound, saw ${evicted}`);
  rmSync(dir, { recursive: true, force: true });
  return { size, openMs, addUs, takeAndUploadUs, evictingAddUs };
}

try {
  const rows: Row[] = [];
  for (const size of SIZES) rows.push(await measure(size));
  const base = rows[0]!;
  console.log(`durable cache, cost per segment as it fills (${OPS} ops each, 4 KiB segments, fsync on):`);
  console.log('cached before | open (recovery) | add      | take + upload-confirm | add evicting oldest | add vs empty');
  for (const r of rows) {
    console.log(
      `${String(r.size).padStart(13)} | ${r.openMs.toFixed(0).padStart(12)} ms | ${r.addUs.toFixed(0).padStart(5)} µs | ${r.takeAndUploadUs.toFixed(0).padStart(18)} µs | ${r.evictingAddUs.toFixed(0).padStart(16)} µs | ${(r.addUs / base.addUs).toFixed(2)}×`,
    );
  }
  const jsonPath = arg('json', '');
  if (jsonPath) writeFileSync(jsonPath, JSON.stringify({ bench: 'cache-scaling', date: new Date().toISOString(), ops: OPS, rows }, null, 2));
} finally {
  rmSync(root, { recursive: true, force: true });
}
