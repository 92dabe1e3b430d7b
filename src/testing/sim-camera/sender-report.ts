// RTCP sender report (RFC 3550 §6.4.1) without report blocks: what a camera sends so that
// receivers can map RTP time to wall-clock (NTP) time.
const NTP_UNIX_OFFSET_SEC = 2208988800;

export function buildSenderReport(sr: { ssrc: number; unixMs: number; rtpTimestamp: number; packetCount: number; octetCount: number }): Uint8Array {
  const out = new Uint8Array(28);
  const v = new DataView(out.buffer);
  out[0] = 0x80; // V=2, P=0, RC=0
  out[1] = 200;
  v.setUint16(2, 6); // length in 32-bit words minus one
  v.setUint32(4, sr.ssrc >>> 0);
  const sec = Math.floor(sr.unixMs / 1000);
  const frac = Math.floor(((sr.unixMs - sec * 1000) / 1000) * 2 ** 32);
  v.setUint32(8, (sec + NTP_UNIX_OFFSET_SEC) >>> 0);
  v.setUint32(12, frac >>> 0);
  v.setUint32(16, sr.rtpTimestamp >>> 0);
  v.setUint32(20, sr.packetCount >>> 0);
  v.setUint32(24, sr.octetCount >>> 0);
  return out;
}
