// The graph a user sets through LVA's API for continuous recording to an asset (LVA's
// cvr-asset sample: RTSP source → asset sink), and one instance of it per camera stream.
import { join } from 'node:path';

export const BENCH_TOPOLOGY = 'BenchCVR';
/** Asset (container) names start with this: `bench-cam000`, … */
export const ASSET_PREFIX = 'bench-';

export function cvrTopology(): unknown {
  return {
    '@apiVersion': '2.0',
    name: BENCH_TOPOLOGY,
    properties: {
      description: 'Continuous video recording to an asset (bench/serve-upload.ts)',
      parameters: [
        { name: 'rtspUrl', type: 'String' },
        { name: 'cachePath', type: 'String' },
        { name: 'cacheMaximumSizeMiB', type: 'Int', default: '256' },
        { name: 'segmentLength', type: 'String', default: 'PT30S' },
      ],
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 'rtspSource',
          transport: 'Tcp',
          endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: '${rtspUrl}' },
        },
      ],
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphAssetSink',
          name: 'assetSink',
          assetNamePattern: `${ASSET_PREFIX}\${System.GraphInstanceName}`,
          segmentLength: '${segmentLength}',
          localMediaCacheMaximumSizeMiB: '${cacheMaximumSizeMiB}',
          localMediaCachePath: '${cachePath}',
          inputs: [{ nodeName: 'rtspSource', outputSelectors: [{ property: 'mediaType', operator: 'isNot', value: 'application' }] }],
        },
      ],
    },
  };
}

export function instanceName(i: number): string {
  return `cam${String(i).padStart(3, '0')}`;
}

export function cvrInstance(i: number, rtspUrl: string, cacheRoot: string, segmentLength: string): unknown {
  const name = instanceName(i);
  return {
    '@apiVersion': '2.0',
    name,
    properties: {
      topologyName: BENCH_TOPOLOGY,
      parameters: [
        { name: 'rtspUrl', value: rtspUrl },
        { name: 'cachePath', value: join(cacheRoot, name) },
        { name: 'segmentLength', value: segmentLength },
      ],
    },
  };
}
