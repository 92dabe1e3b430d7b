// A progressive (non-fragmented) MP4 header: ftyp + moov with full sample tables + the mdat
// header, written before the media so the file plays while it downloads ("faststart").
// The caller writes the mdat payload (the samples, chunk by chunk, in the order given)
// right after these bytes.
//
//   ftyp
//   moov
//   ├── mvhd (v1: creation time = the file's first presented instant)
//   ├── trak (one per track)
//   │   ├── tkhd
//   │   ├── edts/elst (where presentation starts and how long it lasts)
//   │   └── mdia: mdhd, hdlr, minf: vmhd|smhd, dinf, stbl: stsd stts ctts? stss? stsc stsz stco|co64
//   └── udta/meta/ilst/©day (the start time as ISO 8601 text)
//   mdat
import { BoxWriter } from './writer.ts';
import { dinf, smhd, vmhd } from './init.ts';

/** Seconds from 1904-01-01 (the MP4 epoch) to 1970-01-01. */
const MP4_UNIX_OFFSET_S = 2_082_844_800;
export const MOVIE_TIMESCALE = 1000;
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export interface ProgressiveSample {
  readonly duration: number;
  readonly size: number;
  /** pts − dts in ticks. */
  readonly cto: number;
  readonly sync: boolean;
}

export interface ProgressiveChunk {
  /** Offset of the chunk's first byte in the mdat payload. */
  readonly payloadOffset: number;
  readonly sampleCount: number;
}

/** One entry of the track's edit list, in the movie timescale (ms) and the track's media time. */
export interface Edit {
  readonly durationMs: number;
  /** Media time (ticks, composition timeline, 0 = first sample's decode time) shown first; -1: an empty edit. */
  readonly mediaTime: number;
}

export interface ProgressiveTrack {
  readonly trackId: number;
  readonly handler: 'vide' | 'soun';
  readonly timescale: number;
  /** Pixels (video only). */
  readonly width: number;
  readonly height: number;
  /** The stsd box as the init segment has it (sample entry with its decoder configuration). */
  readonly stsd: Uint8Array;
  readonly samples: readonly ProgressiveSample[];
  readonly chunks: readonly ProgressiveChunk[];
  readonly edits: readonly Edit[];
}

export interface ProgressiveOptions {
  /** Unix ms of the first presented instant: mvhd/tkhd/mdhd creation time and ©day. */
  readonly startMs: number;
  /** Bytes of the mdat payload that follows. */
  readonly payloadBytes: number;
}

/** ftyp + moov + mdat header; the payload follows it directly. */
export function buildProgressiveHeader(tracks: readonly ProgressiveTrack[], options: ProgressiveOptions): Uint8Array {
  if (tracks.length === 0) throw new RangeError('a progressive file needs at least one track');
  const largeMdat = options.payloadBytes + 8 > 0xffff_ffff;
  // 64-bit chunk offsets only when the payload could end past 4 GiB (the header is far smaller than 1 MiB).
  const co64 = options.payloadBytes + (1 << 20) > 0xffff_ffff;
  const mdatHeader = largeMdat ? 16 : 8;
  // Build once to learn the header's length, then again with the real chunk offsets: the
  // length does not change, as only the offsets' values do.
  const first = headerBytes(tracks, options, 0, co64);
  const base = first.length + mdatHeader;
  const head = headerBytes(tracks, options, base, co64);
  if (head.length !== first.length) throw new Error('progressive header changed length between passes');
  const w = new BoxWriter(head.length + mdatHeader);
  w.bytes(head);
  if (largeMdat)
    w.u32(1)
      .fourcc('mdat')
      .u64(options.payloadBytes + 16);
  else w.u32(options.payloadBytes + 8).fourcc('mdat');
  return w.finish();
}

function headerBytes(tracks: readonly ProgressiveTrack[], options: ProgressiveOptions, payloadStart: number, co64: boolean): Uint8Array {
  const w = new BoxWriter(64 * 1024);
  const created = Math.floor(options.startMs / 1000) + MP4_UNIX_OFFSET_S;
  const movieDuration = Math.max(...tracks.map(editsDuration));
  w.box('ftyp', (w) => {
    w.fourcc('isom').u32(0x200);
    for (const brand of ['isom', 'iso2', 'iso6', 'mp41']) w.fourcc(brand);
  });
  w.box('moov', (w) => {
    w.fullBox('mvhd', 1, 0, (w) => {
      w.u64(created).u64(created);
      w.u32(MOVIE_TIMESCALE).u64(movieDuration);
      w.u32(0x00010000)
        .u16(0x0100)
        .zeros(2 + 8); // rate, volume, reserved
      for (const v of UNITY_MATRIX) w.u32(v);
      w.zeros(24).u32(Math.max(...tracks.map((t) => t.trackId)) + 1);
    });
    for (const t of tracks) trak(w, t, created, payloadStart, co64);
    udta(w, new Date(options.startMs).toISOString());
  });
  return w.finish();
}

function editsDuration(t: ProgressiveTrack): number {
  return t.edits.reduce((sum, e) => sum + e.durationMs, 0);
}

function trak(w: BoxWriter, t: ProgressiveTrack, created: number, payloadStart: number, co64: boolean): void {
  w.box('trak', (w) => {
    w.fullBox('tkhd', 1, 0x000003, (w) => {
      w.u64(created).u64(created).u32(t.trackId).u32(0).u64(editsDuration(t));
      w.zeros(8)
        .u16(0)
        .u16(0)
        .u16(t.handler === 'soun' ? 0x0100 : 0)
        .u16(0);
      for (const v of UNITY_MATRIX) w.u32(v);
      w.u32(t.width * 0x10000).u32(t.height * 0x10000);
    });
    w.box('edts', (w) =>
      w.fullBox('elst', 1, 0, (w) => {
        w.u32(t.edits.length);
        for (const e of t.edits) {
          w.u64(e.durationMs);
          if (e.mediaTime < 0) w.u32(0xffff_ffff).u32(0xffff_ffff);
          else w.u64(e.mediaTime);
          w.u16(1).u16(0); // media_rate 1.0
        }
      }),
    );
    w.box('mdia', (w) => {
      w.fullBox('mdhd', 1, 0, (w) => {
        w.u64(created)
          .u64(created)
          .u32(t.timescale)
          .u64(t.samples.reduce((s, x) => s + x.duration, 0));
        w.u16(0x55c4).u16(0); // language 'und', pre_defined
      });
      w.fullBox('hdlr', 0, 0, (w) => {
        w.u32(0).fourcc(t.handler).zeros(12);
        w.bytes(new TextEncoder().encode(t.handler === 'vide' ? 'VideoHandler\0' : 'SoundHandler\0'));
      });
      w.box('minf', (w) => {
        if (t.handler === 'vide') vmhd(w);
        else smhd(w);
        dinf(w);
        stbl(w, t, payloadStart, co64);
      });
    });
  });
}

function stbl(w: BoxWriter, t: ProgressiveTrack, payloadStart: number, co64: boolean): void {
  w.box('stbl', (w) => {
    w.bytes(t.stsd);
    const stts = runLength(t.samples.map((s) => s.duration));
    w.fullBox('stts', 0, 0, (w) => {
      w.u32(stts.length);
      for (const [count, delta] of stts) w.u32(count).u32(delta);
    });
    if (t.samples.some((s) => s.cto !== 0)) {
      const negative = t.samples.some((s) => s.cto < 0);
      const ctts = runLength(t.samples.map((s) => s.cto));
      w.fullBox('ctts', negative ? 1 : 0, 0, (w) => {
        w.u32(ctts.length);
        for (const [count, offset] of ctts) w.u32(count).i32(offset);
      });
    }
    if (!t.samples.every((s) => s.sync)) {
      const sync = t.samples.flatMap((s, i) => (s.sync ? [i + 1] : []));
      w.fullBox('stss', 0, 0, (w) => {
        w.u32(sync.length);
        for (const n of sync) w.u32(n);
      });
    }
    const stsc: [number, number][] = [];
    t.chunks.forEach((c, i) => {
      if (stsc[stsc.length - 1]?.[1] !== c.sampleCount) stsc.push([i + 1, c.sampleCount]);
    });
    w.fullBox('stsc', 0, 0, (w) => {
      w.u32(stsc.length);
      for (const [firstChunk, perChunk] of stsc) w.u32(firstChunk).u32(perChunk).u32(1);
    });
    w.fullBox('stsz', 0, 0, (w) => {
      w.u32(0).u32(t.samples.length);
      for (const s of t.samples) w.u32(s.size);
    });
    w.fullBox(co64 ? 'co64' : 'stco', 0, 0, (w) => {
      w.u32(t.chunks.length);
      for (const c of t.chunks) {
        if (co64) w.u64(payloadStart + c.payloadOffset);
        else w.u32(payloadStart + c.payloadOffset);
      }
    });
  });
}

/** [count, value] pairs of equal consecutive values. */
function runLength(values: readonly number[]): [number, number][] {
  const out: [number, number][] = [];
  for (const v of values) {
    const last = out[out.length - 1];
    if (last && last[1] === v) last[0]++;
    else out.push([1, v]);
  }
  return out;
}

/** iTunes-style metadata: ©day holds the start time with milliseconds (mvhd has whole seconds). */
function udta(w: BoxWriter, isoDate: string): void {
  w.box('udta', (w) =>
    w.fullBox('meta', 0, 0, (w) => {
      w.fullBox('hdlr', 0, 0, (w) => w.u32(0).fourcc('mdir').fourcc('appl').zeros(8).u8(0));
      w.box('ilst', (w) =>
        w.box('\u00a9day', (w) =>
          w.box('data', (w) => {
            w.u32(1).u32(0); // type UTF-8, locale
            w.bytes(new TextEncoder().encode(isoDate));
          }),
        ),
      );
    }),
  );
}
