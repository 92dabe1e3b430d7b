// What a remux needs from an init segment to write a progressive file: per track its id,
// handler, timescale, picture size, the stsd box as it is, and the trex defaults fragments use.
import { FieldReader, readChildren, type BoxHeader } from './box-reader.ts';
import type { TrackDefaults } from './read-samples.ts';

export interface InitTrackForRemux {
  readonly trackId: number;
  readonly handler: 'vide' | 'soun';
  readonly timescale: number;
  readonly width: number;
  readonly height: number;
  readonly stsd: Uint8Array;
}

export interface InitForRemux {
  readonly tracks: readonly InitTrackForRemux[];
  readonly defaults: ReadonlyMap<number, TrackDefaults>;
}

function child(bytes: Uint8Array, parent: BoxHeader, type: string): BoxHeader | undefined {
  return readChildren(bytes, parent.bodyStart, parent.end)?.find((b) => b.type === type);
}

/** Video and audio tracks (others are skipped); throws RangeError when the init cannot be read. */
export function readInitForRemux(bytes: Uint8Array): InitForRemux {
  const moov = readChildren(bytes, 0, bytes.length)?.find((b) => b.type === 'moov');
  if (!moov) throw new RangeError('init segment without a readable moov box');
  const inMoov = readChildren(bytes, moov.bodyStart, moov.end) ?? [];
  const tracks: InitTrackForRemux[] = [];
  for (const trak of inMoov.filter((b) => b.type === 'trak')) {
    const tkhd = child(bytes, trak, 'tkhd');
    const mdia = child(bytes, trak, 'mdia');
    const mdhd = mdia && child(bytes, mdia, 'mdhd');
    const hdlr = mdia && child(bytes, mdia, 'hdlr');
    const minf = mdia && child(bytes, mdia, 'minf');
    const stbl = minf && child(bytes, minf, 'stbl');
    const stsd = stbl && child(bytes, stbl, 'stsd');
    if (!tkhd || !mdhd || !hdlr || !stsd) throw new RangeError('trak box without tkhd, mdhd, hdlr or stsd');
    const t = new FieldReader(bytes, tkhd.bodyStart, tkhd.end);
    const tv = t.fullHeader().version;
    t.skip(tv === 1 ? 16 : 8);
    const trackId = t.u32();
    t.skip(4 + (tv === 1 ? 8 : 4) + 8 + 8 + 36); // reserved, duration, reserved, layer..volume, matrix
    const width = Math.round(t.u32() / 0x10000);
    const height = Math.round(t.u32() / 0x10000);
    const m = new FieldReader(bytes, mdhd.bodyStart, mdhd.end);
    m.skip(m.fullHeader().version === 1 ? 16 : 8);
    const timescale = m.u32();
    const h = new FieldReader(bytes, hdlr.bodyStart, hdlr.end);
    h.skip(8);
    const handler = String.fromCharCode(h.u8(), h.u8(), h.u8(), h.u8());
    if (timescale === 0) throw new RangeError(`track ${trackId}: zero timescale`);
    if (handler === 'vide' || handler === 'soun') tracks.push({ trackId, handler, timescale, width, height, stsd: bytes.slice(stsd.start, stsd.end) });
  }
  const defaults = new Map<number, TrackDefaults>();
  const mvex = inMoov.find((b) => b.type === 'mvex');
  for (const trex of (mvex && readChildren(bytes, mvex.bodyStart, mvex.end)?.filter((b) => b.type === 'trex')) ?? []) {
    const r = new FieldReader(bytes, trex.bodyStart, trex.end);
    r.fullHeader();
    const trackId = r.u32();
    r.u32(); // default_sample_description_index
    defaults.set(trackId, { duration: r.u32(), size: r.u32(), flags: r.u32() });
  }
  if (!tracks.some((x) => x.handler === 'vide')) throw new RangeError('init segment without a video track');
  return { tracks, defaults };
}
