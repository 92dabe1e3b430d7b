// Self time of a V8 .cpuprofile (node --cpu-prof, or the bench's profile-start/stop), grouped
// into the stages of the media path, as percentages of the busy (non-idle) time. Used for the
// per-packet breakdown in docs/performance.md.
//
//   node --import tsx scripts/profile-summary.ts <file.cpuprofile> [--functions 25] [--stalls 10] [--from s] [--to s]
// --stalls N: the N longest stretches of busy samples (event-loop stalls), each with the
// functions of this repository that were on the stack most of the time; --from/--to (seconds
// from the profile's start) keep only the stalls of a window, e.g. the steady state.
import { readFileSync } from 'node:fs';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
  readonly lineNumber: number;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface CpuProfile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** First match wins: [stage, test on "url functionName"]. */
const STAGES: readonly (readonly [string, RegExp])[] = [
  ['idle', /^ \(idle\)$/],
  ['garbage collection', /^ \(garbage collector\)$/],
  ['interleaved TCP framing (socket read + $ parser)', /media\/rtsp\/(parser|io\/connection)\.ts/],
  ['RTSP client dispatch (onBytes, channel route)', /media\/rtsp\/io\/rtsp-client\.ts/],
  ['RTP parse', /media\/rtp\/rtp-packet\.ts/],
  ['reorderer', /media\/rtp\/sequence-reorderer\.ts/],
  ['receiver stats (RTCP)', /media\/rtp\/(receiver-stats|rtcp)\.ts/],
  ['depacketizer / FU-A assembly', /media\/(rtp\/(video-depacketizer|depacketizer|nal-slab)|h264\/|h265\/|aac\/)/],
  ['access-unit assembly (session, dts, clock)', /media\/(session\/|rtp\/(dts-deriver|wall-clock-anchor|timestamp-unwrapper|track-decoder))/],
  ['RxJS hop into the segmenter', /node_modules\/rxjs\//],
  ['segmenter + mp4 + cache (per segment)', /(nodes\/fmp4-segmenter|media\/segmenter\/|media\/mp4\/|storage\/|nodes\/durable-cache)/],
  ['timers', /node:internal\/timers|^ (listOnTimeout|processTimers)$/],
  ['socket / libuv / streams (node internals)', /node:internal\/(stream_base_commons|net|streams|fs)|node:net|node:fs/],
  ['other node internals', /^node:/],
  ['native / program', /^ \((program|root)\)$/],
];

function stageOf(f: CallFrame): string {
  const key = `${f.url} ${f.functionName}`;
  for (const [name, re] of STAGES) if (re.test(key)) return name;
  return f.url === '' ? 'native (builtins, C++)' : 'other JS';
}

function main(): void {
  const args = process.argv.slice(2);
  const file = args[0];
  if (!file) throw new Error('usage: profile-summary <file.cpuprofile> [--functions N]');
  const fi = args.indexOf('--functions');
  const topN = fi >= 0 ? Number(args[fi + 1]) : 25;
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  for (const n of p.nodes) byId.set(n.id, n);
  const selfUs = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    selfUs.set(id, (selfUs.get(id) ?? 0) + (p.timeDeltas[i] ?? 0));
  }
  const stage = new Map<string, number>();
  const fn = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const f = (byId.get(id) as ProfileNode).callFrame;
    const s = stageOf(f);
    total += us;
    if (s === 'idle') {
      idle += us;
      continue;
    }
    stage.set(s, (stage.get(s) ?? 0) + us);
    const short = f.url.replace(/^.*\/(src|node_modules)\//, '$1/');
    const key = `${f.functionName || '(anonymous)'} ${short}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + us);
  }
  const busy = total - idle;
  console.log(`${file}\nprofiled ${(total / 1e6).toFixed(1)} s, busy ${(busy / 1e6).toFixed(2)} s (${((100 * busy) / total).toFixed(1)}%)\n`);
  console.log('self time by stage (% of busy):');
  for (const [s, us] of [...stage].sort((a, b) => b[1] - a[1])) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${s}`);
  console.log(`\ntop ${topN} functions by self time (% of busy):`);
  for (const [k, us] of [...fn].sort((a, b) => b[1] - a[1]).slice(0, topN)) console.log(`  ${((100 * us) / busy).toFixed(1).padStart(5)}%  ${k}`);
  const si = args.indexOf('--stalls');
  const from = args.indexOf('--from');
  const to = args.indexOf('--to');
  if (si >= 0) printStalls(p, byId, Number(args[si + 1] ?? 10), from >= 0 ? Number(args[from + 1]) * 1e6 : 0, to >= 0 ? Number(args[to + 1]) * 1e6 : Infinity);
}

/** The longest runs of consecutive non-idle samples, with the repository frames on their stacks. */
function printStalls(p: CpuProfile, byId: Map<number, ProfileNode>, count: number, fromUs: number, toUs: number): void {
  const parent = new Map<number, number>();
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const isIdle = (id: number) => (byId.get(id) as ProfileNode).callFrame.functionName === '(idle)';
  const runs: { start: number; end: number; us: number }[] = [];
  let start = -1;
  let us = 0;
  let at = 0;
  for (let i = 0; i <= p.samples.length; i++) {
    at += p.timeDeltas[i] ?? 0;
    const idle = i === p.samples.length || isIdle(p.samples[i] as number) || at < fromUs || at > toUs;
    if (!idle) {
      if (start < 0) {
        start = i;
        us = 0;
      }
      us += p.timeDeltas[i] ?? 0;
    } else if (start >= 0) {
      runs.push({ start, end: i, us });
      start = -1;
    }
  }
  runs.sort((a, b) => b.us - a.us);
  console.log(`\n${count} longest busy stretches (event-loop stalls):`);
  for (const r of runs.slice(0, count)) {
    const onStack = new Map<string, number>();
    const self = new Map<string, number>();
    for (let i = r.start; i < r.end; i++) {
      const f0 = (byId.get(p.samples[i] as number) as ProfileNode).callFrame;
      const k0 = `${f0.functionName || '(anonymous)'} ${f0.url.replace(/^.*\/(src|node_modules)\//, '$1/')}`;
      self.set(k0, (self.get(k0) ?? 0) + (p.timeDeltas[i] ?? 0));
      const seen = new Set<string>();
      for (let id: number | undefined = p.samples[i]; id !== undefined; id = parent.get(id)) {
        const f = (byId.get(id) as ProfileNode).callFrame;
        if (!/\/src\//.test(f.url)) continue;
        const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/src\//, 'src/')}`;
        if (!seen.has(key)) {
          seen.add(key);
          onStack.set(key, (onStack.get(key) ?? 0) + (p.timeDeltas[i] ?? 0));
        }
      }
    }
    const top = [...onStack]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 6)
      .map(([k, t]) => `${k} ${((100 * t) / r.us).toFixed(0)}%`);
    const selfTop = [...self]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, t]) => `${k} ${((100 * t) / r.us).toFixed(0)}%`);
    console.log(`  ${(r.us / 1000).toFixed(1).padStart(6)} ms in ${r.end - r.start} samples; self: ${selfTop.join(' | ')}`);
    console.log(`      on stack: ${top.join(' | ') || '(no repository frames)'}`);
  }
}

main();
