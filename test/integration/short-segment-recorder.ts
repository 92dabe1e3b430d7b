// A recording topology of native nodes with 2 s segments (LVA's AssetSink allows 30 s at least),
// so that tests at real-time camera speed see several segments in seconds; and a child process
// entry that runs it in a host until killed:
//   node --import tsx short-segment-recorder.ts <dataDir> <cachePath> <rtspUrl> <blobConnection>
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';

export const RECORDER_ASSET = 'short-segments-cam1';

export function shortSegmentTopology(): Record<string, unknown> {
  return {
    '@apiVersion': '2.0',
    name: 'ShortSegments',
    properties: {
      parameters: [
        { name: 'rtspUrl', type: 'String' },
        { name: 'cachePath', type: 'String' },
      ],
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 'rtspSource',
          endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: '${rtspUrl}' },
        },
      ],
      processors: [
        { '@type': '#Mediagraph.Fmp4Segmenter', name: 'segmenter', segmentLength: 'PT2S', inputs: [{ nodeName: 'rtspSource' }] },
        {
          '@type': '#Mediagraph.DurableCache',
          name: 'cache',
          localMediaCachePath: '${cachePath}',
          localMediaCacheMaximumSizeMiB: '64',
          inputs: [{ nodeName: 'segmenter' }],
        },
      ],
      sinks: [{ '@type': '#Mediagraph.BlobAssetSink', name: 'assetSink', assetNamePattern: RECORDER_ASSET, inputs: [{ nodeName: 'cache' }] }],
    },
  };
}

/** Opens a host over `dataDirectory`; sets up and activates `cam1` unless the host re-activated it. */
export async function openRecorder(dataDirectory: string, cachePath: string, rtspUrl: string, blobConnection: string): Promise<MediaGraphHost> {
  const host = await MediaGraphHost.open({
    dataDirectory,
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    deactivateTimeoutMs: 10_000,
    services: { blobConnection },
  });
  let exists = true;
  try {
    host.instanceStatus('cam1');
  } catch {
    exists = false;
  }
  if (!exists) {
    await host.topologySet(shortSegmentTopology());
    await host.instanceSet({
      name: 'cam1',
      properties: {
        topologyName: 'ShortSegments',
        parameters: [
          { name: 'rtspUrl', value: rtspUrl },
          { name: 'cachePath', value: cachePath },
        ],
      },
    });
  }
  if (host.instanceStatus('cam1').state === 'Inactive') await host.instanceActivate('cam1');
  return host;
}

if (process.argv[1] && import.meta.filename === (await import('node:path')).resolve(process.argv[1])) {
  const [dataDir, cachePath, rtspUrl, blobConnection] = process.argv.slice(2);
  if (!dataDir || !cachePath || !rtspUrl || !blobConnection) throw new Error('usage: <dataDir> <cachePath> <rtspUrl> <blobConnection>');
  const host = await openRecorder(dataDir, cachePath, rtspUrl, blobConnection);
  host.events$.subscribe((e) => {
    process.stdout.write(`EV ${e.type}\n`);
  });
  setInterval(() => {}, 60_000); // until killed
}
