// `mediagraph serve` as a user runs it: the real CLI (bin/mediagraph.js) in its own process,
// with the node flags bin/mediagraph.js starts with, driven over its HTTP API (LVA's direct
// methods, /metrics). The storage connection string goes through the environment, never argv.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
/** What bin/mediagraph.js's shebang passes to node. */
export const SERVE_NODE_FLAGS: readonly string[] = ['--initial-old-space-size=64'];

export interface ServeOptions {
  readonly dataDirectory: string;
  readonly blobConnection: string;
  /** Run src/ through tsx (MEDIAGRAPH_FROM_SOURCE=1) rather than the compiled dist/. */
  readonly fromSource: boolean;
  /** Extra node flags (e.g. --cpu-prof). */
  readonly nodeFlags?: readonly string[];
}

export interface ServeProcess {
  readonly url: string;
  readonly pid: number;
  /** POST /api/methods/{name}: the HTTP status and LVA's payload. */
  invoke(method: string, payload: unknown): Promise<{ status: number; payload: unknown }>;
  /** GET /metrics, parsed into `name{labels}` → value. */
  metrics(): Promise<Map<string, number>>;
  /** SIGTERM and wait for the exit (SIGKILL after graceMs). True if it exited by itself. */
  stop(graceMs: number): Promise<boolean>;
  /** What the process wrote to stderr (the last 4 kB). */
  stderr(): string;
}

/** True when dist/ holds a build at least as new as every file under src/. */
export function distIsFresh(): boolean {
  const main = join(root, 'dist', 'control', 'cli', 'main.js');
  if (!existsSync(main)) return false;
  const built = statSync(main).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((d) => {
      const p = join(dir, d.name);
      return d.isDirectory() ? newer(p) : statSync(p).mtimeMs > built;
    });
  return !newer(join(root, 'src'));
}

export async function startServe(o: ServeOptions): Promise<ServeProcess> {
  const env: NodeJS.ProcessEnv = { ...process.env, AZURE_STORAGE_CONNECTION_STRING: o.blobConnection };
  if (o.fromSource) env['MEDIAGRAPH_FROM_SOURCE'] = '1';
  else delete env['MEDIAGRAPH_FROM_SOURCE'];
  const child: ChildProcess = spawn(
    process.execPath,
    [...SERVE_NODE_FLAGS, ...(o.nodeFlags ?? []), join(root, 'bin', 'mediagraph.js'), 'serve', '--port', '0', '--data', o.dataDirectory],
    { stdio: ['ignore', 'pipe', 'pipe'], env, cwd: root },
  );
  let err = '';
  child.stderr?.on('data', (d: Buffer) => {
    err = (err + d.toString()).slice(-4096);
  });
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`serve did not listen within 60 s: ${err.trim()}`));
    }, 60_000);
    child.stdout?.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1] as string);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited (${code}) before listening: ${err.trim()}`));
    });
  });
  return {
    url,
    pid: child.pid as number,
    async invoke(method, payload) {
      const r = await fetch(`${url}/api/methods/${method}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(120_000),
      });
      const text = await r.text();
      return { status: r.status, payload: text ? (JSON.parse(text) as { payload?: unknown }).payload : undefined };
    },
    async metrics() {
      const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(30_000) });
      return parseMetrics(await r.text());
    },
    async stop(graceMs) {
      if (child.exitCode !== null || child.signalCode !== null) return true;
      child.kill('SIGTERM');
      let timer: NodeJS.Timeout | undefined;
      const inTime = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))]);
      clearTimeout(timer);
      if (!inTime) {
        child.kill('SIGKILL');
        await exited;
      }
      return inTime;
    },
    stderr: () => err,
  };
}

/** Prometheus text format → `name{labels}` → value (comments skipped). */
export function parseMetrics(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    samples.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return samples;
}

/** Sum of the samples of one metric (over its label sets). */
export function metricSum(samples: ReadonlyMap<string, number>, name: string): number {
  let s = 0;
  for (const [k, v] of samples) if (k === name || k.startsWith(`${name}{`)) s += v;
  return s;
}
