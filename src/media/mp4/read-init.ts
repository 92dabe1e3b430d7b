// Reads back what an init segment says about its tracks (id, timescale, kind, codec string),
// so a segment file can be described again from disk alone (cache recovery, crash salvage).
import { FieldReader, readBoxHeader, readChildren, type BoxHeader } from './box-reader.ts';
import { h264CodecString } from '../h264/sps.ts';
import { h265CodecString } from '../h265/sps.ts';
import { aacCodecString } from '../aac/audio-specific-config.ts';
import type { InitTrack } from '../../types/cache.ts';

export type InitTrackInfo = InitTrack;

/** Visual sample entries carry 78 bytes of fields before their child boxes, audio ones 28. */
const VISUAL_ENTRY_FIELDS = 78;
const AUDIO_ENTRY_FIELDS = 28;

function child(bytes: Uint8Array, parent: BoxHeader, type: string, skip = 0): BoxHeader | undefined {
  return readChildren(bytes, parent.bodyStart + skip, parent.end)?.find((b) => b.type === type);
}

function path(bytes: Uint8Array, from: BoxHeader, types: readonly string[]): BoxHeader | undefined {
  let at: BoxHeader | undefined = from;
  for (const t of types) at = at && child(bytes, at, t);
  return at;
}

/** The tracks of an init segment; throws RangeError when it is not one we can read. */
export function readInitSegment(bytes: Uint8Array): InitTrackInfo[] {
  const top = readChildren(bytes, 0, bytes.length);
  const moov = top?.find((b) => b.type === 'moov');
  if (!moov) throw new RangeError('init segment without a readable moov box');
  const tracks: InitTrackInfo[] = [];
  for (const trak of readChildren(bytes, moov.bodyStart, moov.end)?.filter((b) => b.type === 'trak') ?? []) {
    const tkhd = child(bytes, trak, 'tkhd');
    const mdhd = path(bytes, trak, ['mdia', 'mdhd']);
    const hdlr = path(bytes, trak, ['mdia', 'hdlr']);
    const stsd = path(bytes, trak, ['mdia', 'minf', 'stbl', 'stsd']);
    if (!tkhd || !mdhd || !hdlr || !stsd) throw new RangeError('trak box without tkhd, mdhd, hdlr or stsd');
    const t = new FieldReader(bytes, tkhd.bodyStart, tkhd.end);
    const tv = t.fullHeader().version;
    t.skip(tv === 1 ? 16 : 8);
    const trackId = t.u32();
    const m = new FieldReader(bytes, mdhd.bodyStart, mdhd.end);
    m.skip(m.fullHeader().version === 1 ? 16 : 8);
    const timescale = m.u32();
    const h = new FieldReader(bytes, hdlr.bodyStart, hdlr.end);
    h.skip(8);
    const handler = h.u32();
    const entry = readBoxHeader(bytes, stsd.bodyStart + 8, stsd.end);
    if (!entry || timescale === 0) throw new RangeError(`track ${trackId}: no sample entry or a zero timescale`);
    if (handler === 0x76696465 /* vide */) tracks.push({ trackId, timescale, mediaType: 'video', codecString: videoCodecString(bytes, entry) });
    else if (handler === 0x736f756e /* soun */) tracks.push({ trackId, timescale, mediaType: 'audio', codecString: audioCodecString(bytes, entry) });
  }
  if (!tracks.some((t) => t.mediaType === 'video')) throw new RangeError('init segment without a video track');
  return tracks;
}

function videoCodecString(bytes: Uint8Array, entry: BoxHeader): string {
  if (entry.type === 'avc1' || entry.type === 'avc3') {
    const c = child(bytes, entry, 'avcC', VISUAL_ENTRY_FIELDS);
    if (!c) return entry.type;
    const r = new FieldReader(bytes, c.bodyStart, c.end);
    r.skip(1);
    return h264CodecString({ profileIdc: r.u8(), constraintFlags: r.u8(), levelIdc: r.u8() }, entry.type);
  }
  if (entry.type === 'hvc1' || entry.type === 'hev1') {
    const c = child(bytes, entry, 'hvcC', VISUAL_ENTRY_FIELDS);
    if (!c) return entry.type;
    const r = new FieldReader(bytes, c.bodyStart, c.end);
    r.skip(1);
    const b = r.u8();
    const generalProfileCompatibilityFlags = r.u32();
    const generalConstraintIndicatorFlags = bytes.slice(r.position, r.position + 6);
    r.skip(6);
    return h265CodecString(
      {
        generalProfileSpace: b >> 6,
        generalTierFlag: (b >> 5) & 1,
        generalProfileIdc: b & 0x1f,
        generalProfileCompatibilityFlags,
        generalConstraintIndicatorFlags,
        generalLevelIdc: r.u8(),
      },
      entry.type,
    );
  }
  return entry.type;
}

function audioCodecString(bytes: Uint8Array, entry: BoxHeader): string {
  if (entry.type !== 'mp4a') return entry.type;
  const esds = child(bytes, entry, 'esds', AUDIO_ENTRY_FIELDS);
  if (!esds) return 'mp4a';
  // ES_Descriptor (3) → DecoderConfigDescriptor (4) → DecoderSpecificInfo (5): the
  // AudioSpecificConfig, whose first 5 bits are the object type.
  const r = new FieldReader(bytes, esds.bodyStart, esds.end);
  try {
    r.skip(4);
    if (descriptorTag(r) !== 3) return 'mp4a';
    const esFlags = (r.u16(), r.u8());
    if (esFlags & 0x80) r.skip(2);
    if (esFlags & 0x40) r.skip(r.u8());
    if (esFlags & 0x20) r.skip(2);
    if (descriptorTag(r) !== 4) return 'mp4a';
    r.skip(13);
    if (descriptorTag(r) !== 5) return 'mp4a';
    return aacCodecString({ objectType: r.u8() >> 3 });
  } catch {
    return 'mp4a';
  }
  return 'mp4a';
}

/** Reads a descriptor's tag and its expandable size (1–4 bytes); returns the tag. */
function descriptorTag(r: FieldReader): number {
  const tag = r.u8();
  for (let n = 0; n < 4; n++) if (!(r.u8() & 0x80)) break;
  return tag;
}
