// Shared plumbing for fault scenarios: each scenario file exports a function returning a
// ScenarioResult and, run directly, prints it as one `RESULT {json}` line so faults/run.ts can
// run every scenario in its own process under a hard deadline.
import { pathToFileURL } from 'node:url';

export interface ScenarioResult {
  readonly scenario: string;
  readonly pass: boolean;
  /** Trials, kills, outages, inputs... what was repeated and how many times. */
  readonly trials: number;
  /** Headline figures, printed as the table's "figures" column. */
  readonly figures: Readonly<Record<string, number | string | boolean>>;
  /** What went wrong, one line each (first few kept). */
  readonly failures: readonly string[];
  readonly notes?: readonly string[];
  readonly seconds: number;
}

/** True when `moduleUrl` is the script node was started with. */
export function isMain(moduleUrl: string): boolean {
  const entry = process.argv[1];
  return entry !== undefined && pathToFileURL(entry).href === moduleUrl;
}

/** Runs `fn`, prints its result as `RESULT <json>`, exits 0 on pass, 1 on fail, 2 on a crash. */
export async function runAsMain(fn: () => Promise<ScenarioResult>): Promise<void> {
  try {
    const r = await fn();
    process.stdout.write(`RESULT ${JSON.stringify(r)}\n`);
    process.exit(r.pass ? 0 : 1);
  } catch (e) {
    process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `cond` until true; false once `timeoutMs` passed. */
export async function waitFor(cond: () => boolean, timeoutMs: number, stepMs = 20): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > end) return false;
    await sleep(stepMs);
  }
  return true;
}

/** Number argument `--name=value` from argv, else `fallback`. */
export function argNumber(name: string, fallback: number): number {
  const a = process.argv.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : fallback;
}

/** Resolves after `ms` without keeping the process alive: for Promise.race deadlines. */
export const deadline = (ms: number): Promise<void> =>
  new Promise((r) => {
    setTimeout(r, ms).unref();
  });
