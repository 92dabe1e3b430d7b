// Groups a .cpuprofile's self time into what a recording host does per packet, per access
// unit, per segment, per upload and per index update (issue 17's breakdown in
// docs/performance.md), so the breakdown can be regenerated from a new profile:
//
//   node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--stalls 50] [--json out.json]
//
// --stalls <ms> also lists the stretches of at least that long in which the JS thread never
// went idle (what delays the event loop), with where their time went.
//
// bench/serve-upload.ts --profile <dir> writes such a profile of `serve` over the steady window.
// Each sample's leaf frame is put in the first bucket whose pattern matches its script URL
// (or its name, for V8's pseudo-frames); the order below is the precedence. Files compiled to
// dist/ match as their src/ paths do.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { selfTimes, type CpuProfile, type CpuProfileNode } from './lib/cpuprofile.ts';

export interface Bucket {
  readonly name: string;
  readonly test: (url: string, fn: string) => boolean;
}

const path = (re: RegExp) => (url: string) => re.test(url);

/** First match wins. */
export const BUCKETS: readonly Bucket[] = [
  { name: 'idle', test: (_u, fn) => fn === '(idle)' },
  { name: 'GC', test: (_u, fn) => fn === '(garbage collector)' },
  { name: 'per packet: RTSP/RTP parse, depacketize', test: path(/\/(media\/(rtp|rtsp|session|h264|h265|aac|sdp|bits)|nodes\/rtsp-source)\//) },
  { name: 'per segment: segment file writes (per fragment), fsync, rename', test: path(/\/nodes\/fmp4-segmenter\/segment-files\./) },
  { name: 'per access unit: segmenter, fMP4 muxer', test: path(/\/(media\/(segmenter|mp4)|nodes\/fmp4-segmenter)\//) },
  { name: 'per index update: day index, asset view', test: path(/\/storage\/(blob\/asset-index|asset-view)\./) },
  { name: 'per segment: cache files, journal', test: path(/\/(storage\/cache|nodes\/durable-cache)\//) },
  { name: 'per upload: sink, blob store (ours)', test: path(/\/(nodes\/(blob-asset-sink|asset-sink)|storage\/blob|storage\/file)\/|\/storage\/[\w-]+\./) },
  { name: 'per upload: Azure SDK', test: path(/node_modules\/(@azure|@typespec|tslib)\//) },
  { name: 'per upload: HTTP client (node)', test: path(/node:(_http_|https|internal\/http|internal\/deps\/undici|tls|internal\/tls)/) },
  // in serve with Blob Storage, the uploader is the only fs.ReadStream (1 MiB reads of a segment file)
  { name: 'per upload: segment file reads (fs.ReadStream)', test: path(/node:internal\/fs\/streams/) },
  { name: 'file system (node fs)', test: path(/node:(fs|internal\/fs)/) },
  {
    name: 'socket reads, streams, events (node)',
    test: path(/node:(net|internal\/stream_base_commons|internal\/streams|stream|events|internal\/event_target|buffer|internal\/buffer)/),
  },
  { name: 'RxJS', test: path(/node_modules\/rxjs\//) },
  { name: 'runtime, graph, control (ours)', test: path(/\/(runtime|graph|control|site|types|nodes)\//) },
  { name: 'timers, promises, other node internals', test: path(/^node:/) },
  { name: 'other dependencies', test: path(/node_modules\//) },
  { name: 'native, program (V8/libuv outside JS)', test: (_u, fn) => fn === '(program)' || fn === '(root)' },
  { name: 'other', test: () => true },
];

export interface BucketTime {
  readonly name: string;
  readonly ms: number;
  readonly share: number;
}

export interface Summary {
  /** Window length, ms (profile start to end). */
  readonly wallMs: number;
  /** Sampled time not idle, ms. */
  readonly busyMs: number;
  /**
   * Self time by the code that ran: a native function (no script, e.g. a file write) is
   * charged to the script frame that called it.
   */
  readonly buckets: readonly BucketTime[];
  /**
   * Self time by cause: charged to the nearest frame of ours or of a dependency on the stack
   * (or a file read stream, or node's HTTP), so node's fs, socket and HTTP internals count
   * where they were called from (a file write from the cache is per segment); a frame with
   * none of those above it stays where it ran.
   */
  readonly byCause: readonly BucketTime[];
  readonly top: readonly { readonly fn: string; readonly where: string; readonly bucket: string; readonly ms: number }[];
}

const PSEUDO = new Set(['(idle)', '(garbage collector)', '(program)', '(root)']);
/** Frames that say why node's internals ran: ours, a dependency's, a file read stream, HTTP. */
const isCause = (url: string) => /\/(src|dist)\/|node_modules\/|^node:(internal\/fs\/streams|_http_)/.test(url);

export function summarize(p: CpuProfile, topN = 25): Summary {
  const byId = new Map<number, CpuProfileNode>(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const bucketOf = (url: string, fn: string) => (BUCKETS.find((b) => b.test(url, fn)) as Bucket).name;
  /** The frame that ran (a native function: its nearest caller with a script). */
  const ranIn = (id: number): CpuProfileNode => {
    let n = byId.get(id) as CpuProfileNode;
    if (PSEUDO.has(n.callFrame.functionName)) return n;
    for (let c: CpuProfileNode | undefined = n; c; c = byId.get(parent.get(c.id) ?? -1)) {
      if (c.callFrame.url) return c;
    }
    return n;
  };
  const causedBy = (id: number): CpuProfileNode => {
    const ran = ranIn(id);
    if (PSEUDO.has(ran.callFrame.functionName)) return ran;
    for (let c: CpuProfileNode | undefined = ran; c; c = byId.get(parent.get(c.id) ?? -1)) {
      if (isCause(c.callFrame.url)) return c;
    }
    return ran;
  };
  const perBucket = new Map<string, number>();
  const perCause = new Map<string, number>();
  const perFn = new Map<string, { fn: string; where: string; bucket: string; us: number }>();
  for (const [id, us] of selfTimes(p)) {
    const leaf = byId.get(id);
    if (!leaf) continue;
    const ran = ranIn(id);
    const bucket = bucketOf(ran.callFrame.url, ran.callFrame.functionName);
    perBucket.set(bucket, (perBucket.get(bucket) ?? 0) + us);
    const cause = causedBy(id);
    const causeBucket = bucketOf(cause.callFrame.url, cause.callFrame.functionName);
    perCause.set(causeBucket, (perCause.get(causeBucket) ?? 0) + us);
    const { url, functionName, lineNumber } = leaf.callFrame;
    const fn = (functionName || '(anonymous)') + (leaf !== ran ? ` ← ${ran.callFrame.functionName || '(anonymous)'}` : '');
    const at = leaf !== ran ? ran.callFrame : { url, lineNumber };
    const where = at.url ? `${shortUrl(at.url)}:${at.lineNumber + 1}` : '';
    const key = `${fn} ${where}`;
    const e = perFn.get(key) ?? { fn, where, bucket, us: 0 };
    e.us += us;
    perFn.set(key, e);
  }
  const busyUs = [...perBucket].filter(([b]) => b !== 'idle').reduce((s, [, us]) => s + us, 0);
  const list = (m: Map<string, number>): BucketTime[] =>
    BUCKETS.filter((b) => b.name !== 'idle' && (m.get(b.name) ?? 0) > 0).map((b) => ({
      name: b.name,
      ms: (m.get(b.name) ?? 0) / 1000,
      share: (m.get(b.name) ?? 0) / busyUs,
    }));
  return {
    wallMs: (p.endTime - p.startTime) / 1000,
    busyMs: busyUs / 1000,
    buckets: list(perBucket),
    byCause: list(perCause),
    top: [...perFn.values()]
      .filter((e) => e.bucket !== 'idle')
      .sort((a, b) => b.us - a.us)
      .slice(0, topN)
      .map((e) => ({ fn: e.fn, where: e.where, bucket: e.bucket, ms: e.us / 1000 })),
  };
}

export interface Stall {
  /** Since the profile's start, ms. */
  readonly atMs: number;
  readonly ms: number;
  /** Where the stretch's time went, largest first (by cause, as `byCause`). */
  readonly buckets: readonly { readonly name: string; readonly ms: number }[];
  readonly topFunctions: readonly { readonly fn: string; readonly ms: number }[];
}

/**
 * Stretches of at least `minMs` in which the JS thread never went idle: what delays the event
 * loop (every camera's packets wait behind them).
 */
export function stalls(p: CpuProfile, minMs: number): Stall[] {
  const byId = new Map<number, CpuProfileNode>(p.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const causeBucket = (id: number): string => {
    for (let c: CpuProfileNode | undefined = byId.get(id); c; c = byId.get(parent.get(c.id) ?? -1)) {
      const { url, functionName } = c.callFrame;
      if (PSEUDO.has(functionName) || isCause(url)) return (BUCKETS.find((b) => b.test(url, functionName)) as Bucket).name;
    }
    return 'other';
  };
  const out: Stall[] = [];
  let t = p.startTime;
  let start = -1;
  let busy: { id: number; us: number }[] = [];
  const close = () => {
    const us = busy.reduce((s, b) => s + b.us, 0);
    if (start >= 0 && us >= minMs * 1000) {
      const perBucket = new Map<string, number>();
      const perFn = new Map<string, number>();
      for (const b of busy) {
        const name = causeBucket(b.id);
        perBucket.set(name, (perBucket.get(name) ?? 0) + b.us);
        const cf = (byId.get(b.id) as CpuProfileNode).callFrame;
        const fn = `${cf.functionName || '(anonymous)'} ${cf.url ? shortUrl(cf.url) : ''}`.trim();
        perFn.set(fn, (perFn.get(fn) ?? 0) + b.us);
      }
      const sorted = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1]);
      out.push({
        atMs: (start - p.startTime) / 1000,
        ms: us / 1000,
        buckets: sorted(perBucket).map(([name, v]) => ({ name, ms: v / 1000 })),
        topFunctions: sorted(perFn)
          .slice(0, 5)
          .map(([fn, v]) => ({ fn, ms: v / 1000 })),
      });
    }
    start = -1;
    busy = [];
  };
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    const id = p.samples[i] as number;
    if ((byId.get(id) as CpuProfileNode).callFrame.functionName === '(idle)') {
      close();
      continue;
    }
    if (start < 0) start = t;
    busy.push({ id, us: p.timeDeltas[i + 1] ?? 0 });
  }
  close();
  return out;
}

/** `…/src/media/rtp/x.ts` → `src/media/rtp/x.ts`; `…/node_modules/@azure/core/x.js` → `@azure/core/x.js`. */
function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) return url.slice(nm + 'node_modules/'.length);
  const m = /\/((src|dist)\/.*)$/.exec(url);
  return m ? (m[1] as string) : url;
}

export function formatSummary(s: Summary): string {
  const lines = [
    `window ${(s.wallMs / 1000).toFixed(1)} s, JS thread busy ${(s.busyMs / 1000).toFixed(2)} s (${((s.busyMs / s.wallMs) * 100).toFixed(1)}% of the window)`,
    '',
  ];
  const cause = new Map(s.byCause.map((b) => [b.name, b]));
  lines.push('| bucket | self ms (code that ran) | share | self ms (by cause) | share |', '|---|---:|---:|---:|---:|');
  const names = new Set([...s.buckets.map((b) => b.name), ...s.byCause.map((b) => b.name)]);
  for (const name of BUCKETS.map((b) => b.name).filter((n) => names.has(n))) {
    const ran = s.buckets.find((b) => b.name === name);
    const by = cause.get(name);
    const cell = (b: BucketTime | undefined) => (b ? `${b.ms.toFixed(0)} | ${(b.share * 100).toFixed(1)}%` : '0 | 0%');
    lines.push(`| ${name} | ${cell(ran)} | ${cell(by)} |`);
  }
  lines.push('', '| function (← script frame that called a native one) | where | bucket | self ms |', '|---|---|---|---:|');
  for (const t of s.top) lines.push(`| ${t.fn} | ${t.where} | ${t.bucket} | ${t.ms.toFixed(0)} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const file = args.find((a, i) => !a.startsWith('--') && !['--top', '--json', '--stalls'].includes(args[i - 1] ?? ''));
  if (!file) {
    console.error('usage: node --import tsx bench/profile-summary.ts <file.cpuprofile> [--top 25] [--json out.json]');
    process.exitCode = 2;
    return;
  }
  const opt = (n: string) => {
    const i = args.indexOf(`--${n}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const s = summarize(profile, Number(opt('top') ?? 25));
  console.log(formatSummary(s));
  const minStall = opt('stalls');
  const found = minStall !== undefined ? stalls(profile, Number(minStall)) : undefined;
  if (found) {
    console.log(`\n${found.length} stretch(es) of ≥ ${minStall} ms without going idle:`);
    for (const st of found)
      console.log(
        `  at ${(st.atMs / 1000).toFixed(1)} s: ${st.ms.toFixed(0)} ms — ${st.buckets
          .slice(0, 4)
          .map((b) => `${b.name} ${b.ms.toFixed(0)}`)
          .join(', ')}; top: ${st.topFunctions.map((f) => `${f.fn} ${f.ms.toFixed(0)}`).join(', ')}`,
      );
  }
  const json = opt('json');
  if (json) writeFileSync(json, JSON.stringify({ ...s, ...(found ? { stalls: found } : {}) }, null, 2));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await main();
