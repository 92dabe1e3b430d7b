// Segmenter hot path, decided by measurement: pushes N minutes of real 1080p H.264 + AAC
// samples (h264-1080p-aac.mp4, looped) through SegmentCutter + segment file writing as fast as
// possible, and compares with mp4box.js writing the same samples (addSample + createFragment
// per GOP and track). Prints samples/s, MB/s, RSS growth, and the ratio.
//
//   node --expose-gc --import tsx bench/segmenter.ts [--minutes 5] [--streams 4] [--mp4box-minutes 2]
import { mkdtempSync, rmSync, readdirSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createFile, DataStream } from 'mp4box';
import { SegmentCutter } from '../src/media/segmenter/cutter.ts';
import { SegmentFiles } from '../src/nodes/fmp4-segmenter/segment-files.ts';
import { buildInitSegment } from '../src/media/mp4/init.ts';
import { describeTrack } from '../src/media/mp4/track-description.ts';
import type { MediaMessage, Sample, TrackInfo } from '../src/types/media.ts';
import { demuxFixture } from '../test/helpers/mp4-fixtures.ts';
import { findAll, parseBoxes } from '../test/helpers/mp4-read.ts';

const args = process.argv.slice(2);
const arg = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const MINUTES = arg('minutes', 5);
const STREAMS = arg('streams', 4);
const MP4BOX_MINUTES = arg('mp4box-minutes', Math.min(MINUTES, 2));

const fixture = demuxFixture('h264-1080p-aac.mp4');
const span = new Map<number, number>();
for (const t of fixture.tracks) {
  const own = fixture.samples.filter((s) => s.trackId === t.trackId);
  const last = own[own.length - 1]!;
  span.set(t.trackId, last.dts + (last.dts - own[own.length - 2]!.dts));
}
const LOOP_MS = 10_000;
const bytesOf = (s: Sample) => s.units.reduce((n, u) => n + u.length, 0);

/** Fixture samples looped for `minutes`, timestamps continuing, as live messages. */
function* messages(minutes: number): Generator<MediaMessage> {
  yield* fixture.tracks;
  const loops = Math.ceil((minutes * 60_000) / LOOP_MS);
  for (let k = 0; k < loops; k++) {
    for (const s of fixture.samples) {
      const off = k * span.get(s.trackId)!;
      yield { ...s, dts: s.dts + off, pts: s.pts + off, wallClockMs: s.wallClockMs + k * LOOP_MS };
    }
  }
  yield { kind: 'end' };
}

const gc = (globalThis as { gc?: () => void }).gc;
const rssMiB = () => {
  gc?.();
  return process.memoryUsage().rss / 2 ** 20;
};

interface Result {
  name: string;
  samples: number;
  bytes: number;
  ms: number;
  rssGrowthMiB: number;
  streams: number;
  outBytes: number;
}

function print(r: Result): void {
  const s = r.ms / 1000;
  console.log(
    `${r.name.padEnd(44)} ${String(r.streams).padStart(2)} stream(s)  ${(r.samples / s).toFixed(0).padStart(8)} samples/s  ` +
      `${(r.bytes / 2 ** 20 / s).toFixed(1).padStart(7)} MB/s in  ${(r.ms / 1000).toFixed(2).padStart(6)} s  ` +
      `RSS growth ${(r.rssGrowthMiB / r.streams).toFixed(1).padStart(6)} MiB/stream  out ${(r.outBytes / 2 ** 20).toFixed(0)} MiB`,
  );
}

const dirSize = (dir: string) => readdirSync(dir).reduce((n, f) => n + statSync(join(dir, f)).size, 0);

async function ours(name: string, minutes: number, streams: number, writeFiles: boolean, concatFragments = false): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), 'bench-seg-'));
  try {
    const rss0 = rssMiB();
    let samples = 0;
    let bytes = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: streams }, async (_, i) => {
        const cutter = new SegmentCutter({ segmentLengthMs: 30_000 });
        const files = writeFiles ? new SegmentFiles(join(root, `s${i}`)) : undefined;
        for (const m of messages(minutes)) {
          if (m.kind === 'sample') {
            samples++;
            bytes += bytesOf(m);
          }
          const actions = cutter.push(m);
          if (files) {
            for (const a of actions) {
              // The alternative to writev: copy each fragment into one buffer, then write.
              await files.perform(concatFragments && a.type === 'append' ? { ...a, chunks: [Buffer.concat(a.chunks)] } : a);
            }
          }
        }
      }),
    );
    const ms = performance.now() - t0;
    const outBytes = writeFiles ? readdirSync(root).reduce((n, d) => n + dirSize(join(root, d)), 0) : 0;
    return { name, samples, bytes, ms, rssGrowthMiB: rssMiB() - rss0, streams, outBytes };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** mp4box.js as a live muxer: addSample per sample, createFragment per GOP per track. */
async function mp4box(minutes: number): Promise<Result> {
  const root = mkdtempSync(join(tmpdir(), 'bench-mp4box-'));
  try {
    const rss0 = rssMiB();
    const t0 = performance.now();
    const file = createFile();
    const tracks = fixture.tracks as TrackInfo[];
    // Sample entries' config records: the avcC body of our own init (the same bytes either way).
    const init = buildInitSegment(tracks.map(describeTrack));
    const avcC = findAll(parseBoxes(init), 'avcC')[0]!.body;
    const video = tracks.find((t) => t.mediaType === 'video')!;
    const audio = tracks.find((t) => t.mediaType === 'audio')!;
    const vid = file.addTrack({ id: video.trackId, timescale: 90000, width: 1920, height: 1080, avcDecoderConfigRecord: avcC.slice().buffer } as never);
    const aid = file.addTrack({ id: audio.trackId, timescale: 48000, type: 'mp4a', hdlr: 'soun', channel_count: 2, samplerate: 48000 } as never);
    const out = await open(join(root, 'mp4box.mp4'), 'w');
    const firstInGop = new Map<number, number>([
      [vid, 0],
      [aid, 0],
    ]);
    const count = new Map<number, number>([
      [vid, 0],
      [aid, 0],
    ]);
    let samples = 0;
    let bytes = 0;
    let prev: Sample | undefined;
    const prevByTrack = new Map<number, Sample>();
    const flush = async (trackId: number) => {
      const start = firstInGop.get(trackId)!;
      const end = count.get(trackId)! - 1;
      if (end < start) return;
      const stream = file.createFragment(trackId, start, end, new DataStream()) as unknown as { buffer: ArrayBuffer; byteLength?: number; position: number };
      await out.write(new Uint8Array(stream.buffer, 0, stream.position));
      firstInGop.set(trackId, end + 1);
    };
    const add = (s: Sample, duration: number) => {
      // mp4box needs one buffer per sample: length-prefixed NAL units for video (a copy).
      let data: Uint8Array;
      if (s.trackId === vid) {
        data = new Uint8Array(s.units.reduce((n, u) => n + 4 + u.length, 0));
        const dv = new DataView(data.buffer);
        let p = 0;
        for (const u of s.units) {
          dv.setUint32(p, u.length);
          data.set(u, p + 4);
          p += 4 + u.length;
        }
      } else data = s.units[0]!.slice();
      file.addSample(s.trackId, data as Uint8Array<ArrayBuffer>, { dts: s.dts, cts: s.pts, duration, is_sync: s.keyframe });
      count.set(s.trackId, count.get(s.trackId)! + 1);
    };
    for (const m of messages(minutes)) {
      if (m.kind !== 'sample') continue;
      samples++;
      bytes += bytesOf(m);
      const p = prevByTrack.get(m.trackId);
      if (m.trackId === vid && m.keyframe && p) {
        add(p, m.dts - p.dts);
        prevByTrack.delete(m.trackId);
        await flush(vid);
        await flush(aid);
      }
      const q = prevByTrack.get(m.trackId);
      if (q) add(q, m.dts - q.dts);
      prevByTrack.set(m.trackId, m);
      prev = m;
    }
    void prev;
    for (const [, s] of prevByTrack) add(s, s.trackId === vid ? 3600 : 1024);
    await flush(vid);
    await flush(aid);
    await out.close();
    const ms = performance.now() - t0;
    return { name: 'mp4box.js addSample + createFragment (+ write)', samples, bytes, ms, rssGrowthMiB: rssMiB() - rss0, streams: 1, outBytes: dirSize(root) };
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

console.log(
  `segmenter bench: h264-1080p-aac.mp4 looped, ${MINUTES} min per stream (mp4box.js: ${MP4BOX_MINUTES} min), gc ${gc ? 'exposed' : 'NOT exposed (run with --expose-gc)'}`,
);
// warm-up (JIT), not reported
await ours('warm-up', 0.5, 1, true);
const cutOnly = await ours('SegmentCutter only (no I/O)', MINUTES, 1, false);
print(cutOnly);
const one = await ours('SegmentCutter + SegmentFiles (writev)', MINUTES, 1, true);
print(one);
print(await ours('SegmentCutter + concat fragment + write', MINUTES, 1, true, true));
const many = await ours('SegmentCutter + SegmentFiles (writev)', MINUTES, STREAMS, true);
print(many);
const oneShort = MP4BOX_MINUTES === MINUTES ? one : await ours('SegmentCutter + SegmentFiles (writev)', MP4BOX_MINUTES, 1, true);
if (oneShort !== one) print(oneShort);
const box = await mp4box(MP4BOX_MINUTES);
print(box);
const rate = (r: Result) => r.samples / r.ms;
console.log(
  `ratio ours/mp4box.js (same ${MP4BOX_MINUTES} min, with file writing): ${(rate(oneShort) / rate(box)).toFixed(2)}x samples/s; RSS growth ${oneShort.rssGrowthMiB.toFixed(1)} vs ${box.rssGrowthMiB.toFixed(1)} MiB`,
);
