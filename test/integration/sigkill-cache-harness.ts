// SIGKILL trials against the durable cache: a child adds segments, gets killed at a random
// moment, the next opener recovers. After each trial: no corrupt file, no duplicate, and
// every acknowledged segment is still cached, was being uploaded, or lies inside a recorded gap.
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { parseIsoBasic } from '../../src/storage/blob/naming.ts';
import { bytesOnDisk, checkSegmentBytes } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const child = fileURLToPath(new URL('./sigkill-cache-child.ts', import.meta.url));

export interface TrialSummary {
  readonly trials: number;
  readonly acked: number;
  readonly cached: number;
  readonly uploaded: number;
  readonly inGaps: number;
  readonly violations: readonly string[];
}

export interface TrialOptions {
  readonly maxBytes?: number;
  readonly killAfterMs?: [number, number];
  /** Upload to this blob store (e.g. an Azurite started by the caller) instead of only deleting. */
  readonly blobConnection?: string;
  readonly onTrial?: (trial: number) => void;
}

export async function runSigkillTrials(root: string, trials: number, opts: TrialOptions = {}): Promise<TrialSummary> {
  const dir = join(root, 'cache');
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  const maxBytes = opts.maxBytes ?? 40_000;
  const [minKill, maxKill] = opts.killAfterMs ?? [5, 250];
  const acked = new Set<number>();
  const uploading = new Set<number>(); // k whose upload began (may or may not have finished)
  const uploadedDone = new Set<number>();
  const violations: string[] = [];
  let nextK = 0;
  let lastCheck = { cached: 0, inGaps: 0 };
  const store = opts.blobConnection ? await BlobAssetStore.create(opts.blobConnection, 'sigkill-asset') : undefined;
  for (let trial = 0; trial < trials; trial++) {
    opts.onTrial?.(trial);
    const lines = await runChild(dir, src, nextK, maxBytes, minKill + Math.random() * (maxKill - minKill), opts.blobConnection);
    for (const line of lines) {
      const [what, arg] = line.split(' ');
      const n = Number(arg);
      if (what === 'ack') {
        acked.add(n);
        nextK = Math.max(nextK, n + 1);
      }
      if (what === 'dropped') nextK = Math.max(nextK, n + 1);
      if (what === 'up-begin') uploading.add((n - T0) / 1000);
      if (what === 'up-done') uploadedDone.add((n - T0) / 1000);
    }
    // The child may have been adding k = nextK when it died: never reuse that number.
    nextK += 1;
    const inStore = store ? await blobKs(store, violations, trial) : undefined;
    lastCheck = await check(dir, maxBytes, acked, inStore ?? uploading, uploadedDone, violations, trial);
    if (inStore) for (const k of uploadedDone) if (!inStore.has(k)) violations.push(`trial ${trial}: segment ${k} confirmed uploaded but not in the store`);
  }
  return { trials, acked: acked.size, cached: lastCheck.cached, uploaded: uploadedDone.size, inGaps: lastCheck.inGaps, violations };
}

/** Segments in the store, each checked for intact content; a duplicate name would show as two blobs for one k. */
async function blobKs(store: BlobAssetStore, violations: string[], trial: number): Promise<Set<number>> {
  const names = await store.listNames('segments/');
  const ks = new Set<number>();
  for (const name of names) {
    const m = /^segments\/(\d{8}T\d{6}\.\d{3}Z)_(\d+)\.m4s$/.exec(name);
    const k = m ? (parseIsoBasic(m[1]!) - T0) / 1000 : Number.NaN;
    if (!Number.isInteger(k)) {
      violations.push(`trial ${trial}: unexpected blob ${name}`);
      continue;
    }
    if (ks.has(k)) violations.push(`trial ${trial}: segment ${k} stored twice`);
    ks.add(k);
    if (!verified.has(name)) {
      const body = await store.download(name);
      if (checkSegmentBytes(body) !== k) violations.push(`trial ${trial}: blob ${name} corrupt`);
      else verified.add(name);
    }
  }
  return ks;
}
const verified = new Set<string>();

async function check(
  dir: string,
  maxBytes: number,
  acked: Set<number>,
  uploading: Set<number>,
  uploadedDone: Set<number>,
  violations: string[],
  trial: number,
): Promise<{ cached: number; inGaps: number }> {
  const cache = await DurableSegmentCache.open(dir, { maxBytes });
  try {
    const seen = new Set<number>();
    const stats = cache.stats();
    if (stats.bytes !== bytesOnDisk(dir)) violations.push(`trial ${trial}: size account ${stats.bytes} ≠ files ${bytesOnDisk(dir)}`);
    if (stats.bytes > maxBytes) violations.push(`trial ${trial}: ${stats.bytes} bytes above bound ${maxBytes}`);
    for (let i = 0; i < stats.segments; i++) {
      const s = await cache.nextPending();
      if (!s) break;
      const k = (s.startWallClockMs - T0) / 1000;
      const body = readFileSync(s.path);
      if (body.length !== s.byteSize || checkSegmentBytes(body) !== k) violations.push(`trial ${trial}: segment ${k} corrupt`);
      if (seen.has(k)) violations.push(`trial ${trial}: segment ${k} twice`);
      if (uploadedDone.has(k)) violations.push(`trial ${trial}: segment ${k} uploaded yet still cached`);
      seen.add(k);
    }
    const gaps = cache.pendingGaps();
    const inGap = (k: number): boolean => gaps.some((g) => g.startWallClockMs <= T0 + k * 1000 && T0 + (k + 1) * 1000 <= g.endWallClockMs);
    let inGaps = 0;
    for (const k of acked) {
      if (seen.has(k) || uploading.has(k)) continue;
      if (inGap(k)) {
        inGaps++;
        continue;
      }
      violations.push(`trial ${trial}: acknowledged segment ${k} lost (not cached, not uploaded, not in a gap)`);
    }
    return { cached: seen.size, inGaps };
  } finally {
    await cache.close();
  }
}

function runChild(dir: string, src: string, firstK: number, maxBytes: number, killAfterMs: number, blobConnection?: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const args = [child, dir, src, String(firstK), String(maxBytes), ...(blobConnection ? [blobConnection] : [])];
    const p = spawn(process.execPath, ['--import', 'tsx', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let timer: NodeJS.Timeout | undefined;
    const deadline = setTimeout(() => p.kill('SIGKILL'), 20_000);
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (timer === undefined && out.includes('ready\n')) timer = setTimeout(() => p.kill('SIGKILL'), killAfterMs);
    });
    p.stderr.on('data', (d: Buffer) => {
      err += d.toString();
    });
    p.once('error', reject);
    p.once('exit', (code, signal) => {
      clearTimeout(deadline);
      if (timer) clearTimeout(timer);
      if (signal !== 'SIGKILL') {
        reject(new Error(`child exited ${code ?? signal}: ${err.slice(0, 500)}`));
        return;
      }
      // Only complete lines: a line cut by the kill was never fully reported.
      resolve(out.split('\n').slice(0, -1));
    });
  });
}
