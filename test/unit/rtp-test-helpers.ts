// Shared by the depacketizer tests: RTP packets in, access units out, through the real parser
// and unwrapper.
import { parseRtpPacket } from '../../src/media/rtp/rtp-packet.ts';
import { TimestampUnwrapper } from '../../src/media/rtp/timestamp-unwrapper.ts';
import type { AccessUnitOut, Depacketizer } from '../../src/media/rtp/depacketizer.ts';

export function depacketizeAll(d: Depacketizer, packets: readonly Uint8Array[], flush = true): AccessUnitOut[] {
  const u = new TimestampUnwrapper();
  const out: AccessUnitOut[] = [];
  for (const buf of packets) {
    const r = parseRtpPacket(buf);
    if (!r.ok) throw new Error(`test packet did not parse: ${r.error.message}`);
    out.push(...d.push(r.packet, u.unwrap(r.packet.timestamp)));
  }
  if (flush) out.push(...d.flush());
  return out;
}

export function hexOf(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Builds an RTP packet by hand (for quirk tests that need exact control). */
export function rtp(seq: number, ts: number, marker: boolean, payload: Uint8Array | readonly number[], pt = 96, ssrc = 0x1234): Uint8Array {
  const p = payload instanceof Uint8Array ? payload : Uint8Array.from(payload);
  const buf = new Uint8Array(12 + p.length);
  buf[0] = 0x80;
  buf[1] = (marker ? 0x80 : 0) | pt;
  buf[2] = (seq >> 8) & 0xff;
  buf[3] = seq & 0xff;
  new DataView(buf.buffer).setUint32(4, ts >>> 0);
  new DataView(buf.buffer).setUint32(8, ssrc);
  buf.set(p, 12);
  return buf;
}
