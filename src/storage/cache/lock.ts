// One process per cache folder, and a lock that a crash never leaves behind for good.
//
// The lock is a folder of claims, `<cache>/lock/claim-<pid>-<random>`, each written whole
// (temp file, then rename) with the claimant's identity: pid, the process's start time
// (/proc/<pid>/stat field 22) and the boot id. A process holds the lock when, after writing
// its claim, it finds no other live claim; otherwise it withdraws its claim and retries a few
// times with jitter (two newcomers that see each other both withdraw), then gives up.
//
// The holder removes its claim, and the folder when it is empty, on release.
//
// Why this shape:
// - PID reuse: a claim names a process, not a pid. PID 1 of a restarted container, or a pid
//   recycled after a reboot, has another start time or boot id, so its claim is stale.
// - No takeover race: nobody ever replaces or unlinks the lock a live process holds. Stale
//   claims are unlinked by name, and names are never reused, so removing one can never remove
//   a fresh claim. Of two processes racing, the later one's scan always sees the earlier one's
//   claim (written before that scan began), so at most one of them holds the lock.
// Limit: liveness is checked in the reader's PID namespace. Two live containers sharing one
// cache folder through a volume cannot see each other's processes (do not do that).
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmdirSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { threadId } from 'node:worker_threads';
import { join } from 'node:path';

export class CacheLockedError extends Error {
  override readonly name = 'CacheLockedError';
  constructor(
    readonly directory: string,
    readonly ownerPid: number,
  ) {
    super(`cache folder ${directory} is in use by process ${ownerPid}${ownerPid === process.pid ? ' (this process)' : ''}`);
  }
}

/** Who holds a claim: pid, and where known the process's start time and the machine's boot. */
export interface ProcessIdentity {
  readonly pid: number;
  /** Clock ticks since boot when the process started (/proc/<pid>/stat field 22). */
  readonly start?: string;
  readonly boot?: string;
  /** The worker thread (0: the main thread): another thread of this process is a live holder. */
  readonly thread?: number;
}

const ATTEMPTS = 8;
/** A claim older than this belongs to an established holder, not to a racing newcomer. */
const NEWCOMER_MS = 2000;
const CLAIM_PREFIX = 'claim-';
const TEMP_PREFIX = '.tmp-';

/** Lock folders this process holds, so a second open inside the same process fails too. */
const heldHere = new Set<string>();

export function acquireLock(lockPath: string, directory: string): () => void {
  if (heldHere.has(lockPath)) throw new CacheLockedError(directory, process.pid);
  retireSingleFileLock(lockPath, directory);
  try {
    mkdirSync(lockPath, { mode: 0o700 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const me = selfIdentity();
  let lastOwner: ProcessIdentity | undefined;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    let claim: string;
    try {
      claim = writeClaim(lockPath, me);
    } catch (e) {
      // the last holder removed the emptied folder just now: make it again and retry
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      try {
        mkdirSync(lockPath, { mode: 0o700 });
      } catch (m) {
        if ((m as NodeJS.ErrnoException).code !== 'EEXIST') throw m;
      }
      continue;
    }
    const rivals = liveClaims(lockPath, claim);
    if (rivals.length === 0) {
      heldHere.add(lockPath);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        heldHere.delete(lockPath);
        try {
          unlinkSync(join(lockPath, claim));
        } catch {
          /* already gone */
        }
        // only succeeds when empty, so never under a newcomer's claim (it makes the folder again)
        try {
          rmdirSync(lockPath);
        } catch {
          /* a newcomer's claim, or gone */
        }
      };
    }
    try {
      unlinkSync(join(lockPath, claim));
    } catch {
      /* gone */
    }
    lastOwner = rivals[0]!.owner;
    // An established holder will not go away by waiting; only racing newcomers may.
    if (rivals.some((r) => r.ageMs > NEWCOMER_MS)) break;
    sleepMs(2 + Math.random() * 20 * (attempt + 1));
  }
  throw new CacheLockedError(directory, lastOwner?.pid ?? -1);
}

/** The live process holding the lock, if any, without taking it or removing stale claims. */
export function lockHolder(lockPath: string): ProcessIdentity | undefined {
  const held = heldHere.has(lockPath);
  let names: string[];
  try {
    if (!statSync(lockPath).isDirectory()) {
      const pid = Number.parseInt(readFileSync(lockPath, 'utf8').trim(), 10);
      return Number.isInteger(pid) && pid > 0 && pid !== process.pid && isClaimLive({ pid }, false) ? { pid } : undefined;
    }
    names = readdirSync(lockPath);
  } catch {
    return undefined;
  }
  for (const name of names) {
    if (!name.startsWith(CLAIM_PREFIX)) continue;
    const owner = readClaim(join(lockPath, name));
    if (owner !== undefined && owner !== 'gone' && isClaimLive(owner, held)) return owner;
  }
  return undefined;
}

/** This process as a claim names it. */
export function selfIdentity(): ProcessIdentity {
  return { ...(identityOf(process.pid) ?? { pid: process.pid }), thread: threadId };
}

/**
 * Whether the process a claim names still runs. Unknowable parts (no /proc) fall back to
 * "a process with that pid exists", except for our own pid, which a live other process
 * cannot have: a claim with it is from an earlier incarnation unless this process (or
 * another of its worker threads) holds it.
 */
export function isClaimLive(owner: ProcessIdentity, heldByThisProcess: boolean): boolean {
  const boot = bootId();
  if (owner.boot && boot && owner.boot !== boot) return false;
  if (owner.pid === process.pid) {
    const mine = selfIdentity();
    if (owner.start !== undefined && mine.start !== undefined && owner.start !== mine.start) return false;
    return heldByThisProcess || (owner.thread ?? 0) !== threadId;
  }
  const current = procStat(owner.pid);
  if (current === 'gone') return false;
  if (current !== undefined) return owner.start === undefined || owner.start === current.start;
  try {
    process.kill(owner.pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function writeClaim(lockPath: string, me: ProcessIdentity): string {
  const id = `${me.pid}-${randomBytes(6).toString('hex')}`;
  const temp = join(lockPath, `${TEMP_PREFIX}${id}`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, `${JSON.stringify(me)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  // whole or absent: a reader never sees a half-written claim
  renameSync(temp, join(lockPath, `${CLAIM_PREFIX}${id}`));
  return `${CLAIM_PREFIX}${id}`;
}

interface Rival {
  readonly owner: ProcessIdentity;
  readonly ageMs: number;
}

/** Claims other than `own` whose process still runs; stale claims and temp files are removed. */
function liveClaims(lockPath: string, own: string): Rival[] {
  const rivals: Rival[] = [];
  const held = heldHere.has(lockPath);
  for (const name of readdirSync(lockPath)) {
    if (name === own) continue;
    const path = join(lockPath, name);
    if (name.startsWith(TEMP_PREFIX)) {
      // a claim being written, or left by a crash between write and rename
      const pid = Number.parseInt(name.slice(TEMP_PREFIX.length), 10);
      if (!isClaimLive({ pid }, held) || ageOf(path) > 60_000) unlinkQuiet(path);
      continue;
    }
    if (!name.startsWith(CLAIM_PREFIX)) continue;
    const owner = readClaim(path);
    if (owner === 'gone') continue;
    if (owner === undefined || !isClaimLive(owner, held)) {
      unlinkQuiet(path);
      continue;
    }
    rivals.push({ owner, ageMs: ageOf(path) });
  }
  return rivals;
}

function readClaim(path: string): ProcessIdentity | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw e;
  }
  try {
    const v = JSON.parse(text) as Partial<ProcessIdentity>;
    if (!Number.isInteger(v.pid) || v.pid! <= 0) return undefined;
    return {
      pid: v.pid!,
      ...(typeof v.start === 'string' ? { start: v.start } : {}),
      ...(typeof v.boot === 'string' ? { boot: v.boot } : {}),
      ...(Number.isInteger(v.thread) ? { thread: v.thread! } : {}),
    };
  } catch {
    return undefined; // not a claim this code wrote whole: nobody can hold the lock through it
  }
}

/** Earlier versions kept one file `lock` holding a pid; it is replaced by the claims folder. */
function retireSingleFileLock(lockPath: string, directory: string): void {
  let text: string;
  try {
    if (statSync(lockPath).isDirectory()) return;
    text = readFileSync(lockPath, 'utf8');
  } catch {
    return;
  }
  const pid = Number.parseInt(text.trim(), 10);
  if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && isClaimLive({ pid }, false)) throw new CacheLockedError(directory, pid);
  try {
    unlinkSync(lockPath);
  } catch {
    /* another process retired it first */
  }
}

let cachedBoot: string | null | undefined;
function bootId(): string | undefined {
  if (cachedBoot === undefined) {
    try {
      cachedBoot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim() || null;
    } catch {
      cachedBoot = null;
    }
  }
  return cachedBoot ?? undefined;
}

function identityOf(pid: number): ProcessIdentity | undefined {
  const st = procStat(pid);
  if (st === undefined || st === 'gone') return undefined;
  const boot = bootId();
  return { pid, start: st.start, ...(boot ? { boot } : {}) };
}

/** `gone` when /proc says no such (live) process, undefined when /proc cannot tell. */
function procStat(pid: number): { start: string } | 'gone' | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ESRCH') return existsProc() ? 'gone' : undefined;
    return undefined;
  }
  // "pid (comm) state ppid …": comm may hold spaces and parentheses, so split after the last ')'
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = fields[0];
  // a zombie (killed, not yet reaped by its parent) no longer runs
  if (state === 'Z' || state === 'X') return 'gone';
  const start = fields[19]; // field 22 of the whole line
  return start ? { start } : undefined;
}

let procMounted: boolean | undefined;
function existsProc(): boolean {
  if (procMounted === undefined) {
    try {
      procMounted = statSync('/proc/self/stat').isFile();
    } catch {
      procMounted = false;
    }
  }
  return procMounted;
}

function ageOf(path: string): number {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
}

function unlinkQuiet(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    /* someone else removed it */
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
/** A few ms, only while two processes race for the same folder. */
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}
