// NAL unit payloads escape 0x000000..0x000003 as 0x000003xx (H.264 7.4.1, H.265 7.4.2);
// bit-level parsers need the raw byte sequence payload back.

/**
 * Returns the RBSP of `nal` (emulation prevention bytes removed). Returns `nal` itself when
 * it contains no emulation prevention byte, so the common case allocates nothing.
 */
export function removeEmulationPrevention(nal: Uint8Array): Uint8Array {
  const n = nal.length;
  let first = -1;
  for (let i = 2; i < n; i++) {
    if (nal[i] === 3 && nal[i - 1] === 0 && nal[i - 2] === 0) {
      first = i;
      break;
    }
  }
  if (first < 0) return nal;
  const out = new Uint8Array(n);
  out.set(nal.subarray(0, first), 0);
  let o = first;
  let zeros = 0;
  for (let i = first + 1; i < n; i++) {
    const b = nal[i] as number;
    if (b === 3 && zeros >= 2) {
      zeros = 0;
      continue;
    }
    out[o++] = b;
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return out.subarray(0, o);
}

/** Inverse of removeEmulationPrevention: escapes an RBSP so it can be sent as a NAL unit. */
export function addEmulationPrevention(rbsp: Uint8Array): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (const b of rbsp) {
    if (zeros >= 2 && b <= 3) {
      out.push(3);
      zeros = 0;
    }
    out.push(b);
    zeros = b === 0 ? zeros + 1 : 0;
  }
  return Uint8Array.from(out);
}
