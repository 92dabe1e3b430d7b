import { join } from 'node:path';
// Shared by the restart tests and the restart fault scenario: a recorder in a real child
// process (the CLI, `serve`, or a library host), its output collected, SIGKILL on demand,
// and the segments its asset holds in the blob store.
import { spawn, type ChildProcess } from 'node:child_process';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';

export interface Recorder {
  readonly child: ChildProcess;
  /** stdout and stderr so far. */
  output(): string;
  /** Exit code or signal once it ended, undefined while it runs. */
  ended(): string | undefined;
  readonly exited: Promise<string>;
  /** SIGKILL, then wait until the kernel has reaped it (its pid can no longer be found). */
  kill(): Promise<void>;
}

export function startRecorder(command: string, args: readonly string[], env: NodeJS.ProcessEnv = process.env): Recorder {
  const child = spawn(command, [...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let out = '';
  let end: string | undefined;
  child.stdout!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  child.stderr!.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => {
      end = String(code ?? signal);
      resolve(end);
    }),
  );
  return {
    child,
    output: () => out,
    ended: () => end,
    exited,
    kill: async () => {
      if (end === undefined) child.kill('SIGKILL');
      await exited;
    },
  };
}

/** Polls an async condition every 100 ms until it holds or the deadline passes (then throws). */
export async function eventually<T>(probe: () => Promise<T | undefined | false>, timeoutMs: number, what: string, alive?: Recorder): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe().catch(() => undefined);
    if (v !== undefined && v !== false) return v;
    if (alive?.ended() !== undefined) throw new Error(`${what}: the recorder exited (${alive.ended()}) first:\n${alive.output().slice(-1500)}`);
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${alive ? `:\n${alive.output().slice(-1500)}` : ''}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Names of the asset's segment blobs. */
export async function segmentBlobs(connection: string, asset: string): Promise<string[]> {
  const store = await BlobAssetStore.create(connection, asset);
  return (await store.listNames('segments/')).sort();
}

/** Waits until the asset holds more than `count` segments; returns the new count. */
export function moreSegmentsThan(connection: string, asset: string, count: number, timeoutMs: number, recorder: Recorder): Promise<number> {
  return eventually(
    async () => {
      const n = (await segmentBlobs(connection, asset)).length;
      return n > count ? n : undefined;
    },
    timeoutMs,
    `a segment beyond ${count} in ${asset}`,
    recorder,
  );
}

/**
 * `mediagraph run` of LVA's CVR example (after `bin/mediagraph.js`): instance `name`, recording
 * `cameraUrl` to `blob`, with its definitions and its cache under `data`.
 */
export function cvrRunArgs(o: { readonly cameraUrl: string; readonly blob: string; readonly data: string; readonly name?: string }): string[] {
  return [
    'run',
    'examples/cvr-asset/topology.json',
    '--name',
    o.name ?? 'run-1',
    '--param',
    `rtspUrl=${o.cameraUrl}`,
    '--param',
    `cachePath=${join(o.data, 'cache')}`,
    '--blob',
    o.blob,
    '--data',
    o.data,
  ];
}
