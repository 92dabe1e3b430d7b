// LVA's `#Microsoft.Media.MediaGraphAssetSink` as a chain of native nodes (docs/architecture.md, Nodes):
// Fmp4Segmenter → DurableCache → BlobAssetSink. The last node keeps the composite's name.
import type { NodeSpec, NodeInputSpec } from '../../types/node.ts';

export interface AssetSinkProperties {
  readonly name: string;
  readonly inputs?: readonly NodeInputSpec[];
  readonly assetNamePattern: string;
  readonly segmentLength?: string;
  readonly localMediaCachePath: string;
  readonly localMediaCacheMaximumSizeMiB: string | number;
  readonly retentionPeriod?: string;
  readonly retentionMaximumSizeMiB?: string | number;
}

export function assetSinkExpansion(config: AssetSinkProperties): readonly NodeSpec[] {
  const segmenter = `${config.name}.segmenter`;
  const cache = `${config.name}.cache`;
  return [
    { '@type': '#Mediagraph.Fmp4Segmenter', name: segmenter, inputs: config.inputs ?? [], segmentLength: config.segmentLength ?? 'PT30S' },
    {
      '@type': '#Mediagraph.DurableCache',
      name: cache,
      inputs: [{ nodeName: segmenter }],
      localMediaCachePath: config.localMediaCachePath,
      localMediaCacheMaximumSizeMiB: String(config.localMediaCacheMaximumSizeMiB),
    },
    {
      '@type': '#Mediagraph.BlobAssetSink',
      name: config.name,
      inputs: [{ nodeName: cache }],
      assetNamePattern: config.assetNamePattern,
      ...(config.retentionPeriod !== undefined ? { retentionPeriod: config.retentionPeriod } : {}),
      ...(config.retentionMaximumSizeMiB !== undefined ? { retentionMaximumSizeMiB: String(config.retentionMaximumSizeMiB) } : {}),
    },
  ];
}
