// Where the first fragment (moof + mdat) of an fMP4 segment ends, from the first bytes of the
// segment only: box sizes are read from their headers, bodies need not be there. With the init
// segment in front, those bytes play on their own from a keyframe (each fragment is one GOP),
// which is what a poster frame needs without reading the whole segment.

/** Offset just past the first mdat that follows a moof; undefined when `head` ends before its header. */
export function firstFragmentEnd(head: Uint8Array): number | undefined {
  const view = new DataView(head.buffer, head.byteOffset, head.byteLength);
  let at = 0;
  let sawMoof = false;
  while (at + 8 <= head.length) {
    let size = view.getUint32(at);
    const type = String.fromCharCode(head[at + 4]!, head[at + 5]!, head[at + 6]!, head[at + 7]!);
    if (size === 1) {
      if (at + 16 > head.length) return undefined;
      size = view.getUint32(at + 8) * 0x1_0000_0000 + view.getUint32(at + 12);
    }
    // size 0 runs to the end of the file: the fragment is the rest of the segment
    if (size === 0) return type === 'mdat' && sawMoof ? Number.POSITIVE_INFINITY : undefined;
    if (size < 8) return undefined;
    if (type === 'moof') sawMoof = true;
    else if (type === 'mdat' && sawMoof) return at + size;
    at += size;
  }
  return undefined;
}
