// sprop-* fmtp values are base64 (RFC 4648), sometimes with whitespace or missing padding.

/** Decodes base64; undefined when the text is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const s = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/\-_]*={0,2}$/.test(s) || s.replace(/=+$/, '').length % 4 === 1) return undefined;
  const buf = Buffer.from(s, 'base64');
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

export function encodeBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * A comma-separated list of base64 parameter sets (`sprop-parameter-sets`, `sprop-sps`, …):
 * the decoded NAL units, and how many entries were not base64 or shorter than `minLength`.
 */
export function decodeParameterSetList(value: string, minLength: number): { sets: Uint8Array[]; bad: number } {
  const sets: Uint8Array[] = [];
  let bad = 0;
  for (const part of value.split(',')) {
    if (!part.trim()) continue;
    const nal = decodeBase64(part);
    if (nal && nal.length >= minLength) sets.push(nal);
    else bad++;
  }
  return { sets, bad };
}
