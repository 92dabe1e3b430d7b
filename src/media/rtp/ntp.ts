// NTP 64-bit timestamps (RFC 5905): seconds since 1900 + 32-bit fraction.

const NTP_UNIX_OFFSET_S = 2_208_988_800;

export function ntpToUnixMs(seconds: number, fraction: number): number {
  return (seconds - NTP_UNIX_OFFSET_S) * 1000 + (fraction / 4294967296) * 1000;
}

export function unixMsToNtp(ms: number): { seconds: number; fraction: number } {
  const totalS = ms / 1000 + NTP_UNIX_OFFSET_S;
  const seconds = Math.floor(totalS);
  return { seconds: seconds >>> 0, fraction: Math.floor((totalS - seconds) * 4294967296) >>> 0 };
}

/** The middle 32 bits of an NTP timestamp, as used by LSR (RFC 3550 6.4.1). */
export function ntpMiddle32(seconds: number, fraction: number): number {
  return (((seconds & 0xffff) << 16) | (fraction >>> 16)) >>> 0;
}
