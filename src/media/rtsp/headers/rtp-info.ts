// RTP-Info header (RFC 2326 §12.33): `url=rtsp://h/s/track1;seq=9810092;rtptime=3450012, url=…`.
// Values are advisory; the session layer prefers what RTP and RTCP say.
import { RtspParseError } from '../errors.ts';

export interface RtpInfoEntry {
  readonly url: string;
  readonly seq?: number;
  readonly rtptime?: number;
}

export function parseRtpInfo(value: string): RtpInfoEntry[] {
  const out: RtpInfoEntry[] = [];
  // URLs may contain commas in query strings; split only at commas before `url=`.
  for (const item of value.split(/,(?=\s*url=)/i)) {
    const t = item.trim();
    if (t.length === 0) continue;
    let url: string | undefined;
    let seq: number | undefined;
    let rtptime: number | undefined;
    for (const p of t.split(';')) {
      const eq = p.indexOf('=');
      if (eq < 0) continue;
      const k = p.slice(0, eq).trim().toLowerCase();
      const v = p.slice(eq + 1).trim();
      if (k === 'url') url = v.replace(/^"|"$/g, '');
      else if (k === 'seq' && /^\d{1,5}$/.test(v)) seq = Number(v) & 0xffff;
      else if (k === 'rtptime' && /^\d{1,10}$/.test(v)) rtptime = Number(v) >>> 0;
    }
    if (url === undefined) throw new RtspParseError('bad-rtp-info', 'RTP-Info entry without url');
    out.push({ url, ...(seq !== undefined ? { seq } : {}), ...(rtptime !== undefined ? { rtptime } : {}) });
  }
  return out;
}

export function formatRtpInfo(entries: readonly RtpInfoEntry[]): string {
  return entries
    .map((e) =>
      [`url=${e.url}`, e.seq !== undefined ? `seq=${e.seq}` : '', e.rtptime !== undefined ? `rtptime=${e.rtptime}` : ''].filter((s) => s.length > 0).join(';'),
    )
    .join(',');
}
