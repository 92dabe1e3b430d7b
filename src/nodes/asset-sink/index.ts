// `#Microsoft.Media.MediaGraphAssetSink`: LVA's recording sink, a composite that expands into
// Fmp4Segmenter → DurableCache → BlobAssetSink (docs/architecture.md, Nodes), so LVA topologies run
// unchanged while the parts stay usable on their own.
import type { ConfigIssue, NodeSpec } from '../../types/node.ts';
import { defineNode } from '../define-node.ts';
import { parseIsoDuration } from '../../media/segmenter/iso-duration.ts';
import { checkAssetNamePattern, checkCacheSize } from './rules.ts';
import { namePatternToJudge } from '../name-pattern-rule.ts';
import { assetSinkExpansion } from '../blob-asset-sink/expansion.ts';
import { RETENTION_PROPERTIES, retentionIssues } from '../blob-asset-sink/retention-options.ts';

export interface AssetSinkConfig extends NodeSpec {
  readonly assetNamePattern: string;
  readonly segmentLength?: string;
  readonly localMediaCachePath: string;
  readonly localMediaCacheMaximumSizeMiB: string | number;
  /** Not LVA's: optional, absent keeps media forever (docs/site.md, Retention). */
  readonly retentionPeriod?: string;
  readonly retentionMaximumSizeMiB?: string | number;
}

export const ASSET_SINK_TYPE = '#Microsoft.Media.MediaGraphAssetSink';

export function checkSegmentLength(value: unknown): ConfigIssue[] {
  if (value === undefined) return [];
  let ms: number | undefined;
  try {
    ms = typeof value === 'string' ? parseIsoDuration(value) : undefined;
  } catch {
    ms = undefined;
  }
  if (ms === undefined)
    return [
      { pointer: '/segmentLength', code: 'PropertyValueInvalid', message: `segmentLength ${JSON.stringify(value)} is not an ISO-8601 duration such as PT30S` },
    ];
  if (ms < 30_000 || ms > 300_000 || ms % 30_000 !== 0) {
    return [
      {
        pointer: '/segmentLength',
        code: 'PropertyValueInvalid',
        message: `segmentLength ${String(value)} must be between PT30S and PT5M in steps of 30 seconds`,
      },
    ];
  }
  return [];
}

export const assetSinkNode = defineNode({
  type: ASSET_SINK_TYPE,
  role: 'sink',
  description: 'Records to an asset (a Blob Storage container): segments media, caches it on disk, uploads oldest first.',
  configSchema: {
    type: 'object',
    required: ['assetNamePattern', 'localMediaCachePath', 'localMediaCacheMaximumSizeMiB'],
    properties: {
      assetNamePattern: { type: 'string', minLength: 1 },
      segmentLength: { type: 'string', default: 'PT30S' },
      localMediaCachePath: { type: 'string', minLength: 1 },
      localMediaCacheMaximumSizeMiB: { type: ['string', 'integer'] },
      ...RETENTION_PROPERTIES,
    },
  },
  // as many as LVA allowed; the segmenter it expands into takes exactly one
  inputs: { media: { kind: 'media', max: Infinity } },
  output: null,
  check: (config: AssetSinkConfig, context) => [
    ...(context.unresolved.has('/assetNamePattern') ? [] : checkAssetNamePattern(config.assetNamePattern, namePatternToJudge('assetNamePattern', context))),
    ...(context.unresolved.has('/segmentLength') ? [] : checkSegmentLength(config.segmentLength)),
    ...(context.unresolved.has('/localMediaCacheMaximumSizeMiB') ? [] : checkCacheSize(config.localMediaCacheMaximumSizeMiB, '/localMediaCacheMaximumSizeMiB')),
    ...retentionIssues(config, context.unresolved),
  ],
  expand: (config: AssetSinkConfig) => assetSinkExpansion(config),
});
