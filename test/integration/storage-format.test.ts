// docs/storage-format.md is the asset's public format. This test records an asset with the
// project's store, then reads it back with nothing but @azure/storage-blob and the rules the
// document states (names, metadata, the day index, gap markers, merging a stale index with a
// listing): no project code reads. Every index blob must match schemas/asset-index.schema.json,
// and every segment must decode with the init segment its metadata names.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { Ajv } from 'ajv';
import { recordAsset, ASSET, SEGMENT_MS } from './playback-support.ts';
import { hasCommand, skipUnless } from '../helpers/tools.ts';

// ---- a reader written from the document alone ----
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
interface Span {
  startMs: number;
  endMs: number;
}
interface Gap extends Span {
  reason: string;
}
const ymd = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
const basic = (ms: number): string => new Date(ms).toISOString().replace(/[-:]/g, '');

async function names(c: ContainerClient, prefix: string): Promise<{ name: string; metadata: Record<string, string> }[]> {
  const out: { name: string; metadata: Record<string, string> }[] = [];
  for await (const b of c.listBlobsFlat({ prefix, includeMetadata: true })) out.push({ name: b.name, metadata: b.metadata ?? {} });
  return out;
}

async function download(c: ContainerClient, name: string): Promise<Buffer | undefined> {
  try {
    return await c.getBlobClient(name).downloadToBuffer();
  } catch (e) {
    if ((e as { statusCode?: number }).statusCode === 404) return undefined;
    throw e;
  }
}

function segmentSpan(b: { name: string; metadata: Record<string, string> }): Span | undefined {
  const m = /^segments\/(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})\.(\d{3})Z_(\d+)\.m4s$/.exec(b.name);
  if (!m) return undefined;
  const startMs = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, +m[7]!);
  return { startMs, endMs: b.metadata['end'] ? Date.parse(b.metadata['end']) : startMs + Number(m[8]) };
}

function merge<T extends Span>(list: T[]): T[] {
  const out: T[] = [];
  for (const r of [...list].sort((a, b) => a.startMs - b.startMs)) {
    const last = out.at(-1);
    if (last && r.startMs <= last.endMs + 1000) last.endMs = Math.max(last.endMs, r.endMs);
    else out.push({ ...r });
  }
  return out;
}

const clip = <T extends Span>(list: T[], from: number, to: number): T[] =>
  list.filter((r) => r.endMs > from && r.startMs < to).map((r) => ({ ...r, startMs: Math.max(r.startMs, from), endMs: Math.min(r.endMs, to) }));

/** "What is recorded between two instants", steps 1–4 of the document. */
async function recorded(c: ContainerClient, from: number, to: number, onIndex: (json: unknown) => void): Promise<{ ranges: Span[]; gaps: Gap[] }> {
  const ranges: Span[] = [];
  const gaps: Gap[] = [];
  for (let day = Date.parse(`${ymd(from - DAY)}T00:00:00.000Z`); day <= to; day += DAY) {
    const raw = await download(c, `index/${ymd(day)}.json`);
    const compact = ymd(day).replace(/-/g, '');
    if (!raw) {
      for (const b of await names(c, `segments/${compact}T`)) {
        const s = segmentSpan(b);
        if (s) ranges.push(s);
      }
      continue;
    }
    const index = JSON.parse(raw.toString('utf8')) as { ranges: { start: string; end: string }[]; gaps: { start: string; end: string; reason: string }[] };
    onIndex(index);
    for (const r of index.ranges) ranges.push({ startMs: Date.parse(r.start), endMs: Date.parse(r.end) });
    for (const g of index.gaps) gaps.push({ startMs: Date.parse(g.start), endMs: Date.parse(g.end), reason: g.reason });
    const last = Math.max(day, ...ranges.map((r) => r.endMs));
    for (let h = Math.floor((last - 60_000) / HOUR) * HOUR; h < Math.min(to, day + DAY); h += HOUR) {
      if (h < day) continue;
      for (const b of await names(c, `segments/${basic(h).slice(0, 11)}`)) {
        const s = segmentSpan(b);
        if (s) ranges.push(s);
      }
    }
  }
  for (const b of await names(c, 'gaps/')) {
    const m = /^gaps\/(\d{8}T\d{6}\.\d{3}Z)_(\d{8}T\d{6}\.\d{3}Z)_([a-z-]+)$/.exec(b.name);
    const at = (s: string): number => Date.parse(`${s.slice(0, 4)}-${s.slice(4, 6)}-${s.slice(6, 8)}T${s.slice(9, 11)}:${s.slice(11, 13)}:${s.slice(13)}`);
    if (m) gaps.push({ startMs: at(m[1]!), endMs: at(m[2]!), reason: m[3]! });
  }
  const byReason = new Map<string, Gap[]>();
  for (const g of gaps) byReason.set(g.reason, [...(byReason.get(g.reason) ?? []), g]);
  return { ranges: clip(merge(ranges), from, to), gaps: [...byReason.values()].flatMap((g) => clip(merge(g), from, to)) };
}

test('an asset read with @azure/storage-blob and docs/storage-format.md alone: ranges, gaps, a stale index, segments that decode', {
  skip: skipUnless(hasCommand('ffmpeg'), 'ffmpeg'),
}, async (t) => {
  // written by the project: five 2 s segments with a 10 s camera-lost gap, two init ids, indexed
  const rec = await recordAsset(t);
  // one more segment after the index was written: the index is now stale
  const extraStart = rec.segments.at(-1)!.endMs + 20 * 60_000;
  await rec.store.uploadSegment({
    path: rec.segments[0]!.file,
    startWallClockMs: extraStart,
    endWallClockMs: extraStart + SEGMENT_MS,
    mediaDurationMs: SEGMENT_MS,
    tracks: [{ trackId: 1, mediaType: 'video', codecString: 'avc1.42c01e', sampleCount: 50, durationMs: SEGMENT_MS }],
    init: { id: 'avc-a', path: rec.initFile, byteSize: readFileSync(rec.initFile).length },
  });

  // ---- read back: the SDK and the document only ----
  const container = BlobServiceClient.fromConnectionString(rec.azurite!.connectionString).getContainerClient(ASSET.toLowerCase());
  const validate = new Ajv({ allErrors: true }).compile(JSON.parse(readFileSync('schemas/asset-index.schema.json', 'utf8')) as object);
  let indexes = 0;
  const { ranges, gaps } = await recorded(container, rec.baseMs - HOUR, extraStart + HOUR, (json) => {
    indexes++;
    assert.ok(validate(json), JSON.stringify(validate.errors));
  });
  assert.ok(indexes >= 1, 'an index was read');
  for (const b of await names(container, 'index/')) assert.ok(validate(JSON.parse((await download(container, b.name))!.toString('utf8'))), b.name);
  const segs = rec.segments;
  assert.deepEqual(ranges, [
    { startMs: segs[0]!.startMs, endMs: segs[1]!.endMs },
    { startMs: segs[2]!.startMs, endMs: segs[4]!.endMs },
    { startMs: extraStart, endMs: extraStart + SEGMENT_MS },
  ]);
  assert.deepEqual(gaps, [{ ...rec.gap, reason: 'camera-lost' }]);

  // every segment decodes with the init its metadata names, as the document says
  const scratch = join(rec.dir, 'format-check.mp4');
  const listed = await names(container, 'segments/');
  assert.equal(listed.length, 6);
  for (const b of listed) {
    assert.deepEqual(Object.keys(b.metadata).sort(), ['codecs', 'end', 'initid', 'mediadurationms', 'start']);
    assert.equal(Date.parse(b.metadata['start']!), segmentSpan(b)!.startMs);
    const init = await download(container, `init/${b.metadata['initid']}.mp4`);
    assert.ok(init, `init/${b.metadata['initid']}.mp4`);
    writeFileSync(scratch, Buffer.concat([init, (await download(container, b.name))!]));
    const ff = spawnSync('ffmpeg', ['-v', 'error', '-i', scratch, '-f', 'null', '-'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(ff.status, 0, `${b.name}: ${ff.stderr}`);
    assert.equal(ff.stderr.trim(), '', b.name);
  }
});
