// The cache's append-only journal: one record per line, `<crc32 hex> <json>\n`. A record is
// valid only if its line is complete and its checksum matches, so a torn last write (crash
// mid-append) is recognised and cut off on open. Every append is fsynced before the caller
// acts on it.
import { openSync, closeSync, readFileSync, fstatSync, write, fdatasync, ftruncate } from 'node:fs';
import { promisify } from 'node:util';
import type { SegmentTrackSummary } from '../../types/segment.ts';
import type { GapReason } from '../../types/gap.ts';
import { crc32 } from './crc32.ts';
import { PRIVATE_FILE_MODE } from '../private-modes.ts';

export interface SegmentMeta {
  readonly initId: string;
  readonly start: number;
  readonly end: number;
  readonly mediaDurationMs: number;
  readonly tracks: readonly SegmentTrackSummary[];
  readonly baseMediaDecodeTime: number;
  readonly afterDiscontinuity: boolean;
}

export type JournalRecord =
  | {
      readonly op: 'hdr';
      readonly v: 1;
      readonly nextSeq: number;
      readonly nextGapId: number;
      readonly nextRangeId?: number;
      readonly lastEnd?: number;
      readonly stoppedAt?: number;
    }
  | { readonly op: 'init'; readonly id: string; readonly file: string; readonly bytes: number }
  | { readonly op: 'initdel'; readonly id: string }
  | { readonly op: 'seg'; readonly seq: number; readonly file: string; readonly bytes: number; readonly at: number; readonly meta: SegmentMeta }
  | { readonly op: 'del'; readonly seq: number }
  | { readonly op: 'evict'; readonly seqs: readonly number[] }
  | { readonly op: 'gap'; readonly id: number; readonly start: number; readonly end: number; readonly reason: GapReason; readonly lastSeq: number }
  | { readonly op: 'gapack'; readonly ids: readonly number[] }
  | { readonly op: 'rng'; readonly id: number; readonly start: number; readonly end: number }
  | { readonly op: 'rngack'; readonly ids: readonly number[] }
  /** The recorder stopped cleanly (deactivation, host closed) at `at`: the next media follows a recorder-stopped gap, not a recorder-down one. */
  | { readonly op: 'stop'; readonly at: number };

export function encodeRecords(records: readonly JournalRecord[]): Buffer {
  const parts: Buffer[] = [];
  for (const r of records) {
    const json = Buffer.from(JSON.stringify(r), 'utf8');
    parts.push(Buffer.from(crc32(json).toString(16).padStart(8, '0') + ' ', 'latin1'), json, Buffer.from('\n'));
  }
  return Buffer.concat(parts);
}

export interface JournalContents {
  readonly records: JournalRecord[];
  /** Byte length of the prefix that holds only complete, valid records. */
  readonly validBytes: number;
  /** Records skipped for a bad checksum or shape (not counting a torn tail). */
  readonly badRecords: number;
  /** True when the file ended in an incomplete or corrupt record that was cut off. */
  readonly tornTail: boolean;
  readonly totalBytes: number;
}

const NL = 0x0a;

export function parseJournal(buf: Buffer): JournalContents {
  const records: JournalRecord[] = [];
  let pos = 0;
  let validBytes = 0;
  let badRecords = 0;
  let tornTail = false;
  while (pos < buf.length) {
    const nl = buf.indexOf(NL, pos);
    if (nl < 0) {
      tornTail = true;
      break;
    } // incomplete last line
    const record = decodeLine(buf, pos, nl);
    if (record) {
      records.push(record);
      validBytes = nl + 1;
    } else if (buf.indexOf(NL, nl + 1) < 0) {
      tornTail = true; // a corrupt last line is a torn write, not corruption in the middle
      break;
    } else {
      badRecords++;
      validBytes = nl + 1;
    }
    pos = nl + 1;
  }
  return { records, validBytes, badRecords, tornTail, totalBytes: buf.length };
}

function decodeLine(buf: Buffer, start: number, end: number): JournalRecord | undefined {
  if (end - start < 10 || buf[start + 8] !== 0x20) return undefined;
  const want = Number.parseInt(buf.toString('latin1', start, start + 8), 16);
  const json = buf.subarray(start + 9, end);
  if (!Number.isFinite(want) || crc32(json) !== want) return undefined;
  try {
    const r = JSON.parse(json.toString('utf8')) as { op?: unknown };
    return typeof r.op === 'string' ? (r as JournalRecord) : undefined;
  } catch {
    return undefined;
  }
}

export function readJournal(path: string): JournalContents {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { records: [], validBytes: 0, badRecords: 0, tornTail: false, totalBytes: 0 };
    throw e;
  }
  return parseJournal(buf);
}

const writeAsync = promisify(write);
const fdatasyncAsync = promisify(fdatasync);
const ftruncateAsync = promisify(ftruncate);

/**
 * Appends records with one write + fdatasync, off the event loop (a sync fsync would stall
 * every stream in the process while the disk is busy). Callers serialise appends. On failure
 * the file is cut back to its last good length.
 */
export class JournalWriter {
  readonly #fd: number;
  #size: number;
  readonly #sync: boolean;

  constructor(path: string, sync: boolean) {
    this.#fd = openSync(path, 'a', PRIVATE_FILE_MODE);
    this.#size = fstatSync(this.#fd).size;
    this.#sync = sync;
  }

  get size(): number {
    return this.#size;
  }

  async append(records: readonly JournalRecord[]): Promise<void> {
    const buf = encodeRecords(records);
    try {
      let off = 0;
      while (off < buf.length) off += (await writeAsync(this.#fd, buf, off, buf.length - off)).bytesWritten;
      if (this.#sync) await fdatasyncAsync(this.#fd);
    } catch (e) {
      // Never leave a torn record in the middle: the next append would glue onto it.
      try {
        await ftruncateAsync(this.#fd, this.#size);
      } catch {
        /* the open-time repair handles it */
      }
      throw e;
    }
    this.#size += buf.length;
  }

  close(): void {
    closeSync(this.#fd);
  }
}
