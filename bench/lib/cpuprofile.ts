// V8's .cpuprofile (what `node --cpu-prof` writes): a call tree of nodes, and samples (the
// leaf node id) with the time since the previous sample. Timestamps are µs of the monotonic
// clock, the one process.hrtime reads, so another process can cut a profile to a window it
// timed itself (the steady state, without start-up and activation).

export interface CpuProfileNode {
  readonly id: number;
  readonly callFrame: {
    readonly functionName: string;
    readonly url: string;
    readonly lineNumber: number;
    readonly columnNumber: number;
  };
  readonly children?: readonly number[];
}

export interface CpuProfile {
  readonly nodes: readonly CpuProfileNode[];
  readonly startTime: number;
  readonly endTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

/** The monotonic clock in the profile's unit (µs). */
export function monotonicMicros(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

/** The samples taken between `fromUs` and `toUs` (monotonic µs), as a profile of its own. */
export function cutProfile(p: CpuProfile, fromUs: number, toUs: number): CpuProfile {
  const samples: number[] = [];
  const deltas: number[] = [];
  let t = p.startTime;
  let prev = fromUs;
  for (let i = 0; i < p.samples.length; i++) {
    t += p.timeDeltas[i] ?? 0;
    if (t < fromUs || t > toUs) continue;
    samples.push(p.samples[i] as number);
    deltas.push(t - prev);
    prev = t;
  }
  return { nodes: p.nodes, startTime: fromUs, endTime: Math.min(toUs, t), samples, timeDeltas: deltas };
}

/**
 * Self time per node (µs): each sample is charged the time until the next sample (V8's
 * timeDeltas[i + 1]), the way DevTools charges it.
 */
export function selfTimes(p: CpuProfile): Map<number, number> {
  const self = new Map<number, number>();
  for (let i = 0; i < p.samples.length; i++) {
    const id = p.samples[i] as number;
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + dt);
  }
  return self;
}
