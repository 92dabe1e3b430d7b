// One asset in a local folder (`--store file:/path`): `<root>/<asset>/` holds the same layout
// as a Blob container (docs/storage-format.md): init/, segments/, index/, gaps/. Every file is
// written whole and atomically (temporary file, fsync, rename, folder fsync). What a blob
// keeps as metadata (start, end, init id, codecs) is a sidecar `<segment>.json`, written before
// its segment, so a listed segment always has it. One writer per asset: the index is rewritten
// from what is on disk, under this store's own queue.
import { createReadStream } from 'node:fs';
import { access, readdir, readFile, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type {
  AssetStore,
  AvailableMedia,
  ByteRange,
  DayIndex,
  GapRange,
  MediaDeletion,
  SegmentBody,
  SegmentFile,
  SegmentToUpload,
  StoredBytes,
  StoredSegment,
  TimeRange,
} from '../../types/asset-store.ts';
import { RangeNotSatisfiableError } from '../../types/asset-store.ts';
import { AssetStoreError } from '../store-error.ts';
import { makeDirectory } from '../make-directory.ts';
import { PRIVATE_DIR_MODE } from '../private-modes.ts';
import {
  containerNameForAsset,
  gapBlobName,
  indexBlobName,
  initBlobName,
  parseGapBlobName,
  parseSegmentBlobName,
  segmentBlobName,
  utcDay,
} from '../blob/naming.ts';
import { applyToIndex, parseIndex, serializeIndex } from '../blob/asset-index.ts';
import { availableMedia, daysCovering, indexFromListing, listSegmentsBetween, recordedExtent, type AssetListingSource } from '../asset-view.ts';
import { deleteMediaBetween, type DeletionTarget } from '../media-deletion.ts';
import { copyFileAtomic, writeFileAtomic } from './atomic-file.ts';

/**
 * Index read-modify-writes, one at a time per asset folder in this process: the uploader's store
 * and a retention sweep's store are different objects over the same folder.
 */
const indexQueues = new Map<string, Promise<void>>();

function inIndexQueue<T>(directory: string, fn: () => Promise<T>): Promise<T> {
  const run = (indexQueues.get(directory) ?? Promise.resolve()).then(fn);
  const tail = run.then(
    () => {},
    () => {},
  );
  indexQueues.set(directory, tail);
  void tail.then(() => {
    if (indexQueues.get(directory) === tail) indexQueues.delete(directory);
  });
  return run;
}

const FOLDERS = ['init', 'segments', 'index', 'gaps'] as const;
const READABLE_NAME = /^(segments\/[0-9TZ.]+_\d+\.m4s|init\/[^/]+\.mp4)$/;

interface SegmentSidecar {
  readonly start: string;
  readonly end: string;
  readonly initid: string;
  readonly codecs: string;
  readonly mediadurationms: string;
}

export class FileAssetStore implements AssetStore, AssetListingSource, DeletionTarget {
  readonly assetName: string;
  readonly accountName = 'local';
  /** The asset's folder: `<root>/<asset name as a container name>`. */
  readonly directory: string;
  #ready = false;

  constructor(root: string, assetName: string) {
    this.assetName = assetName;
    // the same name rules as a container, so an asset keeps its name moving between stores
    this.directory = join(root, containerNameForAsset(assetName));
  }

  describe(): string {
    return `asset ${this.assetName} in folder ${this.directory}`;
  }

  #prepare(): void {
    if (this.#ready) return;
    for (const f of FOLDERS) makeDirectory(join(this.directory, f), PRIVATE_DIR_MODE);
    this.#ready = true;
  }

  async #io<T>(what: string, fn: () => Promise<T>): Promise<T> {
    try {
      this.#prepare();
      return await fn();
    } catch (e) {
      if (e instanceof AssetStoreError || e instanceof RangeNotSatisfiableError) throw e;
      const err = e as NodeJS.ErrnoException;
      throw new AssetStoreError(err.code ?? 'Error', `${what} failed: ${err.message ?? String(e)}`, undefined, { cause: e });
    }
  }

  async uploadInit(init: { id: string; path: string; byteSize?: number }, signal?: AbortSignal): Promise<string> {
    signal?.throwIfAborted();
    const name = initBlobName(init.id);
    await this.#io('write-init', () => copyFileAtomic(init.path, join(this.directory, name)));
    return name;
  }

  async readSegmentBody(seg: Pick<SegmentToUpload, 'path' | 'byteSize'>): Promise<SegmentBody> {
    const bytes = seg.byteSize ?? (await stat(seg.path)).size;
    return { path: seg.path, bytes, data: () => createReadStream(seg.path) };
  }

  async uploadSegment(seg: SegmentToUpload, signal?: AbortSignal, body?: SegmentBody): Promise<{ blobName: string; byteSize: number }> {
    signal?.throwIfAborted();
    if (body && body.path !== seg.path) throw new Error(`body read from ${body.path} handed to the upload of ${seg.path}`);
    const name = segmentBlobName(seg.startWallClockMs, seg.endWallClockMs - seg.startWallClockMs);
    const sidecar: SegmentSidecar = {
      start: new Date(seg.startWallClockMs).toISOString(),
      end: new Date(seg.endWallClockMs).toISOString(),
      initid: encodeURIComponent(seg.init.id),
      codecs: seg.tracks.map((t) => t.codecString).join(','),
      mediadurationms: String(Math.round(seg.mediaDurationMs)),
    };
    const target = join(this.directory, name);
    await this.#io('write-segment', async () => {
      await writeFileAtomic(`${target}.json`, JSON.stringify(sidecar));
      await copyFileAtomic(seg.path, target);
    });
    return { blobName: name, byteSize: seg.byteSize ?? (await stat(target)).size };
  }

  async deleteSegment(seg: Pick<SegmentToUpload, 'startWallClockMs' | 'endWallClockMs'>): Promise<void> {
    const target = join(this.directory, segmentBlobName(seg.startWallClockMs, seg.endWallClockMs - seg.startWallClockMs));
    await this.#io('delete-segment', async () => {
      await unlink(target).catch(ignoreMissing);
      await unlink(`${target}.json`).catch(ignoreMissing);
    });
  }

  recordInIndex(add: { ranges?: readonly TimeRange[]; gaps?: readonly GapRange[] }, signal?: AbortSignal): Promise<void> {
    // one read-modify-write at a time: local reads cost nothing, and this store is the writer
    return inIndexQueue(this.directory, () =>
      this.#io('write-index', async () => {
        signal?.throwIfAborted();
        for (const g of add.gaps ?? []) await writeFileAtomic(join(this.directory, gapBlobName(g.startMs, g.endMs, g.reason)), '');
        const perDay = new Map<string, { ranges: TimeRange[]; gaps: GapRange[] }>();
        const slot = (day: string) => perDay.get(day) ?? perDay.set(day, { ranges: [], gaps: [] }).get(day)!;
        for (const r of add.ranges ?? []) slot(utcDay(r.startMs)).ranges.push(r);
        for (const g of add.gaps ?? []) for (const day of daysCovering(g.startMs, g.endMs)) slot(day).gaps.push(g);
        for (const [day, update] of perDay) {
          const current = (await this.readIndex(day)) ?? (await indexFromListing(this, day));
          await writeFileAtomic(join(this.directory, indexBlobName(day)), serializeIndex(applyToIndex(current, update)));
        }
      }),
    );
  }

  async listSegmentInventory(): Promise<SegmentFile[]> {
    const out: SegmentFile[] = [];
    for (const s of await this.#segmentsUnder('segments/')) {
      const name = `segments/${s.name}`;
      let byteSize = 0;
      try {
        byteSize = (await stat(join(this.directory, name))).size;
      } catch (e) {
        ignoreMissing(e);
        continue;
      }
      out.push({ name, startMs: s.startMs, endMs: s.endMs, byteSize });
    }
    return out.sort((a, b) => a.startMs - b.startMs);
  }

  deleteMedia(fromMs: number, toMs: number, signal?: AbortSignal, inventory?: readonly SegmentFile[]): Promise<MediaDeletion> {
    return deleteMediaBetween(this, fromMs, toMs, signal, inventory);
  }

  /** The segment first, then its sidecar: a listed segment always has its metadata. */
  async removeSegment(name: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!parseSegmentBlobName(name)) throw new Error(`not a segment name: ${name}`);
    const target = join(this.directory, name);
    await this.#io('delete-segment', async () => {
      await unlink(target).catch(ignoreMissing);
      await unlink(`${target}.json`).catch(ignoreMissing);
    });
  }

  async removeMarker(name: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!/^(gaps|deleted)\/[^/]+$/.test(name)) throw new Error(`not a marker name: ${name}`);
    await this.#io('delete-marker', () => unlink(join(this.directory, name)).catch(ignoreMissing));
  }

  async putMarker(name: string, signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (!/^(gaps|deleted)\/[^/]+$/.test(name)) throw new Error(`not a marker name: ${name}`);
    await this.#io('write-marker', async () => {
      makeDirectory(join(this.directory, name.slice(0, name.indexOf('/'))), PRIVATE_DIR_MODE);
      await writeFileAtomic(join(this.directory, name), '');
    });
  }

  listDeletionMarkers(): Promise<string[]> {
    return this.listNames('deleted/');
  }

  rewriteDayIndex(day: string, make: (current: DayIndex) => DayIndex | null, signal?: AbortSignal): Promise<void> {
    return inIndexQueue(this.directory, () =>
      this.#io('write-index', async () => {
        signal?.throwIfAborted();
        const current = await this.readIndex(day);
        if (!current) return;
        const next = make(current);
        const path = join(this.directory, indexBlobName(day));
        if (next === null) await unlink(path).catch(ignoreMissing);
        else await writeFileAtomic(path, serializeIndex(next));
      }),
    );
  }

  async reachable(): Promise<boolean> {
    try {
      await access(this.directory);
      return true;
    } catch {
      return false;
    }
  }

  releaseReadBuffers(): void {}

  async readIndex(day: string): Promise<DayIndex | undefined> {
    let text: string;
    try {
      text = await readFile(join(this.directory, indexBlobName(day)), 'utf8');
    } catch (e) {
      ignoreMissing(e);
      return undefined;
    }
    return parseIndex(text, day) ?? (await indexFromListing(this, day));
  }

  availableRanges(fromMs: number, toMs: number, signal?: AbortSignal): Promise<AvailableMedia> {
    return availableMedia(this, fromMs, toMs, signal);
  }

  recordedExtent(signal?: AbortSignal): Promise<TimeRange | undefined> {
    return recordedExtent(this, signal);
  }

  listSegments(fromMs: number, toMs: number): Promise<StoredSegment[]> {
    return listSegmentsBetween(fromMs, toMs, (prefix) => this.#segmentsUnder(prefix));
  }

  async listSegmentSpans(prefix: string): Promise<TimeRange[]> {
    return (await this.#segmentsUnder(prefix)).map((s) => ({ startMs: s.startMs, endMs: s.endMs }));
  }

  async listGapMarkers(): Promise<GapRange[]> {
    return (await this.listNames('gaps/')).flatMap((n) => {
      const g = parseGapBlobName(n);
      return g ? [g] : [];
    });
  }

  async listIndexDays(): Promise<string[]> {
    return (await this.listNames('index/')).map((n) => /^index\/(\d{4}-\d{2}-\d{2})\.json$/.exec(n)?.[1]).filter((d): d is string => d !== undefined);
  }

  async readObject(name: string, range?: ByteRange): Promise<StoredBytes | undefined> {
    if (!READABLE_NAME.test(name)) return undefined;
    const path = join(this.directory, name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      ignoreMissing(e);
      return undefined;
    }
    if (range && range.start >= size) throw new RangeNotSatisfiableError(size);
    const start = range?.start ?? 0;
    const end = Math.min(range?.end ?? size - 1, size - 1);
    return {
      body: createReadStream(path, { start, end }),
      contentLength: end - start + 1,
      totalSize: size,
      contentType: name.endsWith('.mp4') ? 'video/mp4' : 'video/iso.segment',
      ...(range ? { range: { start, end } } : {}),
    };
  }

  /** Names under `prefix` (`<folder>/<name prefix>`), sorted; sidecars and temporary files are not listed. */
  async listNames(prefix: string): Promise<string[]> {
    const slash = prefix.indexOf('/');
    const folder = slash < 0 ? prefix : prefix.slice(0, slash);
    const rest = slash < 0 ? '' : prefix.slice(slash + 1);
    let names: string[];
    try {
      names = await readdir(join(this.directory, folder));
    } catch (e) {
      ignoreMissing(e);
      return [];
    }
    return names
      .filter((n) => n.startsWith(rest) && !n.startsWith('.tmp-') && !(folder === 'segments' && n.endsWith('.json')))
      .map((n) => `${folder}/${n}`)
      .sort();
  }

  async #segmentsUnder(prefix: string): Promise<StoredSegment[]> {
    const out: StoredSegment[] = [];
    for (const name of await this.listNames(prefix)) {
      const parsed = parseSegmentBlobName(name);
      if (!parsed) continue;
      const meta = await readSidecar(join(this.directory, `${name}.json`));
      const metaEnd = meta?.end ? Date.parse(meta.end) : Number.NaN;
      const endMs = Number.isNaN(metaEnd) ? parsed.startMs + parsed.durationMs : metaEnd;
      out.push({
        name: name.slice('segments/'.length),
        startMs: parsed.startMs,
        endMs,
        durationMs: endMs - parsed.startMs,
        initId: decodeURIComponent(meta?.initid ?? ''),
        ...(meta?.codecs ? { codecs: meta.codecs } : {}),
      });
    }
    return out;
  }
}

async function readSidecar(path: string): Promise<Partial<SegmentSidecar> | undefined> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as Partial<SegmentSidecar>;
  } catch {
    return undefined;
  }
}

function ignoreMissing(e: unknown): void {
  if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
}
