// The init segment: ftyp + moov with one trak per track and mvex for fragments.
//
//   ftyp
//   moov
//   ├── mvhd
//   ├── trak (one per track)
//   │   ├── tkhd
//   │   └── mdia
//   │       ├── mdhd
//   │       ├── hdlr
//   │       └── minf
//   │           ├── vmhd | smhd
//   │           ├── dinf
//   │           │   └── dref
//   │           │       └── url
//   │           └── stbl
//   │               ├── stsd
//   │               │   └── avc1 | hvc1 | mp4a
//   │               ├── stts (empty)
//   │               ├── stsc (empty)
//   │               ├── stsz (empty)
//   │               └── stco (empty)
//   └── mvex
//       ├── mehd (optional: total duration, patched when a whole file is finished)
//       └── trex (one per track)
import { BoxWriter } from './writer.ts';
import { audioSampleEntry, videoSampleEntry } from './sample-entries.ts';
import type { TrackDescription } from './types.ts';

/** mvhd timescale: the movie header carries no sample timing in a fragmented file. */
const MOVIE_TIMESCALE = 1000;
const UNITY_MATRIX = [0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000];

export function ftyp(w: BoxWriter): void {
  w.box('ftyp', (w) => {
    w.fourcc('iso6'); // major_brand
    w.u32(0); // minor_version
    for (const brand of ['iso6', 'cmfc', 'mp41']) w.fourcc(brand); // compatible_brands
  });
}

function matrix(w: BoxWriter): void {
  for (const v of UNITY_MATRIX) w.u32(v);
}

export function mvhd(w: BoxWriter, nextTrackId: number): void {
  w.fullBox('mvhd', 0, 0, (w) => {
    w.u32(0).u32(0); // creation_time, modification_time
    w.u32(MOVIE_TIMESCALE);
    w.u32(0); // duration: unknown, fragments follow
    w.u32(0x00010000); // rate 1.0
    w.u16(0x0100); // volume 1.0
    w.zeros(2 + 8); // reserved
    matrix(w);
    w.zeros(24); // pre_defined[6]
    w.u32(nextTrackId); // next_track_ID
  });
}

export function tkhd(w: BoxWriter, t: TrackDescription): void {
  // flags: track_enabled | track_in_movie
  w.fullBox('tkhd', 0, 0x000003, (w) => {
    w.u32(0).u32(0); // creation_time, modification_time
    w.u32(t.trackId);
    w.u32(0); // reserved
    w.u32(0); // duration
    w.zeros(8); // reserved[2]
    w.u16(0).u16(0); // layer, alternate_group
    w.u16(t.kind === 'audio' ? 0x0100 : 0); // volume
    w.u16(0); // reserved
    matrix(w);
    w.u32(t.kind === 'video' ? t.width * 0x10000 : 0); // width 16.16
    w.u32(t.kind === 'video' ? t.height * 0x10000 : 0); // height 16.16
  });
}

export function mdhd(w: BoxWriter, t: TrackDescription): void {
  w.fullBox('mdhd', 0, 0, (w) => {
    w.u32(0).u32(0); // creation_time, modification_time
    w.u32(t.timescale);
    w.u32(0); // duration
    w.u16(0x55c4); // pad + language 'und' (ISO-639-2/T, 5 bits per letter minus 0x60)
    w.u16(0); // pre_defined
  });
}

export function hdlr(w: BoxWriter, t: TrackDescription): void {
  w.fullBox('hdlr', 0, 0, (w) => {
    w.u32(0); // pre_defined
    w.fourcc(t.kind === 'video' ? 'vide' : 'soun'); // handler_type
    w.zeros(12); // reserved[3]
    w.bytes(new TextEncoder().encode(t.kind === 'video' ? 'VideoHandler\0' : 'SoundHandler\0')); // name
  });
}

export function vmhd(w: BoxWriter): void {
  w.fullBox('vmhd', 0, 1, (w) => w.u16(0).zeros(6)); // graphicsmode, opcolor[3]
}

export function smhd(w: BoxWriter): void {
  w.fullBox('smhd', 0, 0, (w) => w.u16(0).u16(0)); // balance, reserved
}

export function dinf(w: BoxWriter): void {
  w.box('dinf', (w) =>
    w.fullBox('dref', 0, 0, (w) => {
      w.u32(1); // entry_count
      w.fullBox('url ', 0, 1, () => {}); // flags = 1: media is in this file
    }),
  );
}

export function stbl(w: BoxWriter, t: TrackDescription): void {
  w.box('stbl', (w) => {
    w.fullBox('stsd', 0, 0, (w) => {
      w.u32(1); // entry_count
      if (t.kind === 'video') videoSampleEntry(w, t);
      else audioSampleEntry(w, t);
    });
    // Samples live in fragments: the moov sample tables stay empty.
    w.fullBox('stts', 0, 0, (w) => w.u32(0));
    w.fullBox('stsc', 0, 0, (w) => w.u32(0));
    w.fullBox('stsz', 0, 0, (w) => w.u32(0).u32(0)); // sample_size, sample_count
    w.fullBox('stco', 0, 0, (w) => w.u32(0));
  });
}

export function trak(w: BoxWriter, t: TrackDescription): void {
  w.box('trak', (w) => {
    tkhd(w, t);
    w.box('mdia', (w) => {
      mdhd(w, t);
      hdlr(w, t);
      w.box('minf', (w) => {
        if (t.kind === 'video') vmhd(w);
        else smhd(w);
        dinf(w);
        stbl(w, t);
      });
    });
  });
}

export function trex(w: BoxWriter, trackId: number): void {
  w.fullBox('trex', 0, 0, (w) => {
    w.u32(trackId);
    w.u32(1); // default_sample_description_index
    w.u32(0).u32(0).u32(0); // default_sample_duration, _size, _flags: every trun says
  });
}

/** Movie extends header: fragment_duration in the mvhd timescale (version 1: 64 bits). */
export function mehd(w: BoxWriter, fragmentDuration: number): void {
  w.fullBox('mehd', 1, 0, (w) => w.u64(fragmentDuration));
}

export interface InitOptions {
  /**
   * Write an mehd box (duration 0 until patched with `patchInitDuration`), for a single
   * self-contained file whose length is known when it is finished.
   */
  readonly withDuration?: boolean;
}

export function moov(w: BoxWriter, tracks: readonly TrackDescription[], options: InitOptions = {}): void {
  w.box('moov', (w) => {
    mvhd(w, Math.max(0, ...tracks.map((t) => t.trackId)) + 1);
    for (const t of tracks) trak(w, t);
    w.box('mvex', (w) => {
      if (options.withDuration) mehd(w, 0);
      for (const t of tracks) trex(w, t.trackId);
    });
  });
}

/** ftyp + moov for the given tracks (video first is conventional, not required). */
export function buildInitSegment(tracks: readonly TrackDescription[], options: InitOptions = {}): Uint8Array {
  if (tracks.length === 0) throw new RangeError('an init segment needs at least one track');
  const ids = new Set(tracks.map((t) => t.trackId));
  if (ids.size !== tracks.length) throw new RangeError('track ids must be unique');
  const w = new BoxWriter(1024);
  ftyp(w);
  moov(w, tracks, options);
  return w.finish();
}

/** Start and size of each top-level box in `bytes[from, to)` (32-bit sizes only, as we write them). */
function childBoxes(bytes: Uint8Array, from: number, to: number): { type: string; start: number; end: number }[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.length);
  const out: { type: string; start: number; end: number }[] = [];
  for (let p = from; p + 8 <= to; ) {
    const size = view.getUint32(p);
    if (size < 8 || p + size > to) throw new RangeError(`bad box size ${size} at ${p}`);
    out.push({ type: String.fromCharCode(...bytes.subarray(p + 4, p + 8)), start: p, end: p + size });
    p += size;
  }
  return out;
}

/**
 * A copy of an init segment (built with `withDuration`) whose mvhd duration and mehd
 * fragment_duration say `durationMs`, so players know a finished file's length up front.
 * Same size as the input: it can be written over the file's first bytes.
 */
export function patchInitDuration(init: Uint8Array, durationMs: number): Uint8Array {
  const out = Uint8Array.from(init);
  const view = new DataView(out.buffer);
  const moovBox = childBoxes(out, 0, out.length).find((b) => b.type === 'moov');
  if (!moovBox) throw new RangeError('no moov in init segment');
  const inMoov = childBoxes(out, moovBox.start + 8, moovBox.end);
  const mvhdBox = inMoov.find((b) => b.type === 'mvhd');
  const mvexBox = inMoov.find((b) => b.type === 'mvex');
  const mehdBox = mvexBox && childBoxes(out, mvexBox.start + 8, mvexBox.end).find((b) => b.type === 'mehd');
  if (!mvhdBox || !mehdBox) throw new RangeError('init segment has no mehd: build it with withDuration');
  const ms = Math.round(durationMs);
  // mvhd v0: header 8, version/flags 4, creation 4, modification 4, timescale 4, then duration
  view.setUint32(mvhdBox.start + 24, Math.min(ms, 0xffff_ffff));
  // mehd v1: header 8, version/flags 4, then 64-bit fragment_duration
  view.setUint32(mehdBox.start + 12, Math.floor(ms / 0x1_0000_0000));
  view.setUint32(mehdBox.start + 16, ms % 0x1_0000_0000);
  return out;
}
