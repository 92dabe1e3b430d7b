// Which H.265 access units a decoder can start from: IRAP pictures (nal_unit_type 16..21).
// Cameras send CRA and BLA as well as IDR. After a CRA that starts a segment, RASL pictures
// (leading pictures that reference the previous GOP) are kept: a decoder that starts at that
// CRA discards them without output by rule (NoRaslOutputFlag, H.265 8.1.3), and a player that
// reads the segments in a row still has their references (docs/camera-quirks.md).
import { H265Nal, h265NalType } from './nal.ts';

export type H265RandomAccess = 'idr' | 'cra' | 'bla';

/** The random access kind of a NAL unit type, or undefined for non-IRAP types. */
export function h265RandomAccessOfType(type: number): H265RandomAccess | undefined {
  if (type === H265Nal.idrWRadl || type === H265Nal.idrNLp) return 'idr';
  if (type === H265Nal.cra) return 'cra';
  if (type >= H265Nal.blaWLp && type <= H265Nal.blaNLp) return 'bla';
  return undefined;
}

/** The random access kind of a whole access unit (NAL units without start codes or lengths). */
export function h265RandomAccess(units: readonly Uint8Array[]): H265RandomAccess | undefined {
  for (const u of units) {
    if (u.length < 2) continue;
    const type = h265NalType(u);
    if (type <= 31) return h265RandomAccessOfType(type);
  }
  return undefined;
}

/** RASL picture (nal_unit_type 8 or 9): a leading picture not decodable from its CRA alone. */
export function isH265Rasl(nal: Uint8Array): boolean {
  const type = h265NalType(nal);
  return type === H265Nal.rasl || type === H265Nal.rasl + 1;
}
