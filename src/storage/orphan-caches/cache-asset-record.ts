// What a cache folder holds media for, written into the folder by the asset sink when it starts
// uploading from it: the instance, the asset and where the asset is stored. A host that finds the
// folder later without that instance running (a fleet moved it elsewhere, it was deleted) can then
// upload what is left without the topology (drain-orphan-caches.ts). A pointer to the folder is
// also kept in the instance's data folder, because a cache may live anywhere (localMediaCachePath).
// Never a secret: the store is `host` (the host's Blob connection) or a `file:` folder.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '../file/atomic-file.ts';
import { PRIVATE_DIR_MODE } from '../private-modes.ts';

export const CACHE_ASSET_RECORD = 'asset.json';
/** Folder of pointers in an instance's data folder (`<data>/instances/<name>/asset-caches/`). */
const POINTERS = 'asset-caches';
/** The store of a record whose uploads go to the host's Blob connection. */
export const HOST_STORE = 'host';

export interface CacheAssetRecord {
  readonly instance: string;
  readonly assetName: string;
  /** `host` or `file:<folder>` (a topology's `store`). */
  readonly store: string;
}

function pointerName(cacheDirectory: string): string {
  return `${createHash('sha256').update(cacheDirectory).digest('hex').slice(0, 24)}.json`;
}

/** Writes the record into the cache folder and a pointer to it into the instance's data folder. */
export async function writeCacheAssetRecord(cacheDirectory: string, instanceDataDirectory: string, record: CacheAssetRecord): Promise<void> {
  const body = JSON.stringify({ version: 1, ...record });
  let current: string | undefined;
  try {
    current = readFileSync(join(cacheDirectory, CACHE_ASSET_RECORD), 'utf8');
  } catch {
    current = undefined;
  }
  if (current !== body) await writeFileAtomic(join(cacheDirectory, CACHE_ASSET_RECORD), body);
  const pointers = join(instanceDataDirectory, POINTERS);
  mkdirSync(pointers, { recursive: true, mode: PRIVATE_DIR_MODE });
  const pointer = join(pointers, pointerName(cacheDirectory));
  const pointerBody = JSON.stringify({ version: 1, cacheDirectory });
  let old: string | undefined;
  try {
    old = readFileSync(pointer, 'utf8');
  } catch {
    old = undefined;
  }
  if (old !== pointerBody) await writeFileAtomic(pointer, pointerBody);
}

/** The record of a cache folder, or undefined when it has none (or it cannot be read). */
export function readCacheAssetRecord(cacheDirectory: string): CacheAssetRecord | undefined {
  try {
    const j = JSON.parse(readFileSync(join(cacheDirectory, CACHE_ASSET_RECORD), 'utf8')) as Partial<CacheAssetRecord> & { version?: number };
    if (j.version !== 1 || typeof j.instance !== 'string' || typeof j.assetName !== 'string' || typeof j.store !== 'string') return undefined;
    return { instance: j.instance, assetName: j.assetName, store: j.store };
  } catch {
    return undefined;
  }
}

export interface CachePointer {
  readonly cacheDirectory: string;
  /** The pointer file (removed once the cache is drained). */
  readonly file: string;
}

/** Every cache folder the instances under `<hostData>/instances/` have recorded into. */
export function listCachePointers(hostDataDirectory: string): CachePointer[] {
  const out: CachePointer[] = [];
  const instances = join(hostDataDirectory, 'instances');
  for (const instance of safeReaddir(instances)) {
    const dir = join(instances, instance, POINTERS);
    for (const name of safeReaddir(dir)) {
      if (!name.endsWith('.json')) continue;
      const file = join(dir, name);
      try {
        const j = JSON.parse(readFileSync(file, 'utf8')) as { version?: number; cacheDirectory?: unknown };
        if (j.version === 1 && typeof j.cacheDirectory === 'string') out.push({ cacheDirectory: j.cacheDirectory, file });
      } catch {
        // a torn or foreign file: not a pointer
      }
    }
  }
  return out;
}

export function removeCachePointer(pointer: CachePointer): void {
  rmSync(pointer.file, { force: true });
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}
