// A recorded asset in a real Azurite (or, with kind 'file', in a local folder store), for the
// playback-* and viewer-* tests: ffmpeg cuts the H.264/AAC fixture into an fMP4 init segment
// and 2 s media segments, which are stored with the asset layout (through the AssetStore
// interface) at wall-clock times with one known 10 s gap; the last two segments name a second
// init id, so the playlist must switch EXT-X-MAP there.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite, type AzuriteHandle } from '../../src/testing/azurite.ts';
import { openAssetStore } from '../../src/storage/open-store.ts';
import { openPlaybackSource, type StorePlaybackSource } from '../../src/control/http/playback/store-source.ts';
import type { AssetStore } from '../../src/types/asset-store.ts';
import { before, after } from 'node:test';
import { openTestHost, serve, type TestContextLike } from './http-support.ts';
import { fixturePath } from '../helpers/fixtures.ts';

export const ASSET = 'cvr-cam1';
export const SEGMENT_MS = 2000;
export const GAP_MS = 10_000;

export interface RecordedSegment {
  readonly file: string;
  readonly startMs: number;
  readonly endMs: number;
  readonly initId: string;
  readonly blobName: string;
}

/** The two stores every playback test runs against. */
export const STORE_KINDS = ['blob', 'file'] as const;
export type StoreKind = (typeof STORE_KINDS)[number];

export interface RecordedAsset {
  readonly kind: StoreKind;
  /** The Azurite of a 'blob' recording (a 'file' one has none). */
  readonly azurite?: AzuriteHandle;
  /** Where the asset is: a connection string or `file:<folder>`. */
  readonly location: string;
  readonly store: AssetStore;
  readonly playback: StorePlaybackSource;
  readonly dir: string;
  readonly initFile: string;
  readonly segments: readonly RecordedSegment[];
  /** The known gap: after segment 1, before segment 2. */
  readonly gap: { readonly startMs: number; readonly endMs: number };
  readonly baseMs: number;
}

export async function recordAsset(
  t: TestContextLike,
  baseMs = Math.floor((Date.now() - 30 * 60_000) / 1000) * 1000,
  kind: StoreKind = 'blob',
): Promise<RecordedAsset> {
  const dir = mkdtempSync(join(tmpdir(), 'mg-playback-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const ff = spawnSync(
    'ffmpeg',
    [
      '-v',
      'error',
      '-i',
      fixturePath('h264-360p-aac'),
      '-c',
      'copy',
      '-f',
      'hls',
      '-hls_segment_type',
      'fmp4',
      '-hls_time',
      '2',
      '-hls_playlist_type',
      'vod',
      '-hls_fmp4_init_filename',
      'init.mp4',
      '-hls_segment_filename',
      join(dir, 'seg%d.m4s'),
      join(dir, 'out.m3u8'),
    ],
    { timeout: 20_000 },
  );
  if (ff.status !== 0) throw new Error(`ffmpeg failed: ${ff.stderr.toString()}`);
  const initFile = join(dir, 'init.mp4');
  let azurite: AzuriteHandle | undefined;
  if (kind === 'blob') {
    const started = await startAzurite();
    t.after(() => started.close());
    azurite = started;
  }
  const location = azurite ? azurite.connectionString : `file:${join(dir, 'store')}`;
  const store = await openAssetStore(location, ASSET);
  const initIds = ['avc-a', 'avc-b'];
  for (const id of initIds) await store.uploadInit({ id, path: initFile });
  const segments: RecordedSegment[] = [];
  let at = baseMs;
  for (let i = 0; i < 5; i++) {
    if (i === 2) at += GAP_MS;
    const file = join(dir, `seg${i}.m4s`);
    const initId = i < 3 ? initIds[0]! : initIds[1]!;
    const { blobName } = await store.uploadSegment({
      path: file,
      startWallClockMs: at,
      endWallClockMs: at + SEGMENT_MS,
      mediaDurationMs: SEGMENT_MS,
      tracks: [
        { trackId: 1, mediaType: 'video', codecString: 'avc1.42c01e', sampleCount: 50, durationMs: SEGMENT_MS },
        { trackId: 2, mediaType: 'audio', codecString: 'mp4a.40.2', sampleCount: 94, durationMs: SEGMENT_MS },
      ],
      init: { id: initId, path: initFile, byteSize: readFileSync(initFile).length },
    });
    segments.push({ file, startMs: at, endMs: at + SEGMENT_MS, initId, blobName });
    at += SEGMENT_MS;
  }
  const gap = { startMs: baseMs + 2 * SEGMENT_MS, endMs: baseMs + 2 * SEGMENT_MS + GAP_MS };
  await store.recordInIndex({
    ranges: segments.map((s) => ({ startMs: s.startMs, endMs: s.endMs })),
    gaps: [{ ...gap, reason: 'camera-lost' }],
  });
  const playback = await openPlaybackSource(location);
  return { kind, ...(azurite ? { azurite } : {}), location, store, playback, dir, initFile, segments, gap, baseMs };
}

/**
 * A recorded asset served over HTTP for the tests of one describe block: recorded and served
 * before them, torn down after them (in reverse order of creation).
 */
export function useServedRecording(ready: (rec: RecordedAsset, url: string) => void, kind: StoreKind = 'blob'): void {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) };
  before(async () => {
    const rec = await recordAsset(t, undefined, kind);
    const host = await openTestHost(t);
    ready(rec, (await serve(t, host, { playback: rec.playback })).url);
  });
  after(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
}
