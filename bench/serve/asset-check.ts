// What reached Blob Storage, read back with nothing of ours: the storage SDK lists each asset
// (docs/storage-format.md), mp4box.js counts the stored video samples.
//
// Frames lost, exactly and per asset: the camera sends a constant frame rate and the
// segments carry its RTP timeline as decode times, so the frames the stream carried over what
// an asset covers is (end of its last sample − start of its first) / frame duration; the
// frames stored are the samples mp4box.js finds. A lost frame, a missing segment or a hole
// between segments makes the count short of the span. Only what was uploaded counts: a
// segment still in a cache is as missing as a lost one.
//
// Upload delay: a segment's `end` metadata (its last instant, wall clock) against the blob's
// Last-Modified (when the store took it; whole seconds, so up to 1 s low).
import { BlobServiceClient, type ContainerClient } from '@azure/storage-blob';
import { createFile } from 'mp4box';

export interface AssetCheck {
  readonly asset: string;
  readonly segments: number;
  /** Video samples stored (mp4box.js), over all segments. */
  readonly videoFrames: number;
  /** Frames the stream carried over the span the segments cover. */
  readonly expectedFrames: number;
  readonly missingFrames: number;
  /** Largest Last-Modified − segment end, ms. */
  readonly maxUploadDelayMs: number;
  readonly problems: readonly string[];
}

export interface AssetsCheck {
  readonly assets: readonly AssetCheck[];
  readonly assetsWithSegments: number;
  readonly segments: number;
  readonly videoFrames: number;
  readonly missingFrames: number;
  readonly maxUploadDelayMs: number;
  /** Upload delays of every segment, ms (for percentiles). */
  readonly uploadDelaysMs: readonly number[];
  /** The 10 slowest segments: blob name (asset/segments/…) and delay, ms. */
  readonly slowest: readonly { readonly segment: string; readonly delayMs: number }[];
}

/** Checks every container whose name starts with `prefix`; counts frames when `countFrames`. */
export async function checkAssets(connection: string, prefix: string, fps: number, countFrames: boolean): Promise<AssetsCheck> {
  const service = BlobServiceClient.fromConnectionString(connection);
  const assets: AssetCheck[] = [];
  const delays: { segment: string; delayMs: number }[] = [];
  for await (const c of service.listContainers({ prefix })) {
    assets.push(await checkAsset(service.getContainerClient(c.name), fps, countFrames, delays));
  }
  assets.sort((a, b) => a.asset.localeCompare(b.asset));
  return {
    assets,
    assetsWithSegments: assets.filter((a) => a.segments > 0).length,
    segments: assets.reduce((s, a) => s + a.segments, 0),
    videoFrames: assets.reduce((s, a) => s + a.videoFrames, 0),
    missingFrames: assets.reduce((s, a) => s + a.missingFrames, 0),
    maxUploadDelayMs: Math.max(0, ...assets.map((a) => a.maxUploadDelayMs)),
    uploadDelaysMs: delays.map((d) => d.delayMs),
    slowest: delays.sort((a, b) => b.delayMs - a.delayMs).slice(0, 10),
  };
}

async function checkAsset(container: ContainerClient, fps: number, countFrames: boolean, delays: { segment: string; delayMs: number }[]): Promise<AssetCheck> {
  const segments: { name: string; initId: string; delayMs: number }[] = [];
  const problems: string[] = [];
  for await (const b of container.listBlobsFlat({ prefix: 'segments/', includeMetadata: true })) {
    if (!b.name.endsWith('.m4s')) continue;
    const end = Date.parse(b.metadata?.['end'] ?? '');
    const delayMs = (b.properties.lastModified?.getTime() ?? NaN) - end;
    if (!Number.isFinite(delayMs)) problems.push(`${b.name}: no end metadata or Last-Modified`);
    else delays.push({ segment: `${container.containerName}/${b.name}`, delayMs });
    segments.push({ name: b.name, initId: decodeURIComponent(b.metadata?.['initid'] ?? ''), delayMs });
  }
  for await (const b of container.listBlobsFlat({ prefix: 'gaps/' })) problems.push(`gap ${b.name}`);
  segments.sort((a, b) => a.name.localeCompare(b.name));
  let videoFrames = 0;
  let expectedFrames = 0;
  if (countFrames && segments.length > 0) {
    // segments under one init segment decode as one stream: init + segments in order
    const runs: { initId: string; names: string[] }[] = [];
    for (const s of segments) {
      const last = runs.at(-1);
      if (last && last.initId === s.initId) last.names.push(s.name);
      else runs.push({ initId: s.initId, names: [s.name] });
    }
    for (const run of runs) {
      const parts = [await download(container, `init/${encodeURIComponent(run.initId)}.mp4`)];
      for (const n of run.names) parts.push(await download(container, n));
      const v = videoSamples(Buffer.concat(parts));
      if (!v) {
        problems.push(`no video track under init ${run.initId}`);
        continue;
      }
      videoFrames += v.count;
      expectedFrames += Math.round((v.spanTicks / v.timescale) * fps);
    }
  }
  return {
    asset: container.containerName,
    segments: segments.length,
    videoFrames,
    expectedFrames,
    missingFrames: expectedFrames - videoFrames,
    maxUploadDelayMs: Math.max(0, ...segments.map((s) => s.delayMs).filter(Number.isFinite)),
    problems,
  };
}

async function download(container: ContainerClient, name: string): Promise<Buffer> {
  return container.getBlockBlobClient(name).downloadToBuffer();
}

/** Count and decode-time span (first DTS to last DTS + duration) of the video samples, by mp4box.js. */
export function videoSamples(bytes: Uint8Array): { count: number; spanTicks: number; timescale: number } | undefined {
  const ab = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length) as ArrayBuffer & { fileStart: number };
  ab.fileStart = 0;
  const file = createFile();
  let track: { id: number; timescale: number } | undefined;
  file.onReady = (info) => {
    track = info.videoTracks[0];
  };
  file.onError = (module: string, message: string) => {
    throw new Error(`mp4box: ${module}: ${message}`);
  };
  file.appendBuffer(ab as never, true);
  file.flush();
  if (!track) return undefined;
  const samples = file.getTrackSamplesInfo(track.id);
  const first = samples[0];
  const last = samples.at(-1);
  if (!first || !last) return { count: 0, spanTicks: 0, timescale: track.timescale };
  return { count: samples.length, spanTicks: last.dts + last.duration - first.dts, timescale: track.timescale };
}
