// Type-level tests of the node contract (docs/architecture.md, "The node contract"), checked by
// `npm run typecheck`: every `@ts-expect-error` line must fail to compile, so if the contract
// loosens (ports untyped again, a cast somewhere) the typecheck fails on an unused directive.
// Nothing here runs.
import { EMPTY, map, type Observable } from 'rxjs';
import { defineNode } from '../../src/nodes/define-node.ts';
import { fmp4SegmenterNode } from '../../src/nodes/fmp4-segmenter/index.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';
import { blobAssetSinkNode } from '../../src/nodes/blob-asset-sink/index.ts';
import { rtspSourceNode } from '../../src/nodes/rtsp-source/index.ts';
import { builtinNodes } from '../../src/nodes/index.ts';
import { NodeRegistry } from '../../src/runtime/registry.ts';
import { createTestContext, instantiateNode } from '../../src/testing/index.ts';
import type { NodeContext, NodeDefinition, NodeSpec, PortMessages } from '../../src/types/node.ts';
import type { MediaMessage } from '../../src/types/media.ts';
import type { SegmentMessage, SegmentStreamMessage } from '../../src/types/segment.ts';
import type { SegmentQueueMessage } from '../../src/types/cache.ts';
import type { SignalMessage } from '../../src/types/signal.ts';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const same = <A, B>(proof: Equal<A, B>): Equal<A, B> => proof;

// Each port kind names its message type.
same<PortMessages['media'], MediaMessage>(true);
same<PortMessages['segment'], SegmentStreamMessage>(true);
same<PortMessages['cached-segment'], SegmentQueueMessage>(true);
same<PortMessages['signal'], SignalMessage>(true);

declare const context: NodeContext;
declare const media$: Observable<MediaMessage>;
declare const segments$: Observable<SegmentStreamMessage>;
declare const queue$: Observable<SegmentQueueMessage>;

// The built-ins' operators are typed by their ports: the chain of the recorder compiles...
const segmenter = fmp4SegmenterNode.create!({ '@type': fmp4SegmenterNode.type, name: 's' }, context);
const cache = durableCacheNode.create!({ '@type': durableCacheNode.type, name: 'c', localMediaCacheMaximumSizeMiB: '8' }, context);
const sink = blobAssetSinkNode.create!({ '@type': blobAssetSinkNode.type, name: 'a', assetNamePattern: 'x' }, context);
const source = rtspSourceNode.create!(
  { '@type': rtspSourceNode.type, name: 'r', endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1/' } },
  context,
);
const recorded: Observable<unknown> = sink({ queue: cache({ segments: segmenter({ media: source({}) }) }) });
same<typeof segmenter extends (inputs: never) => Observable<infer M> ? M : never, SegmentStreamMessage>(true);
same<ReturnType<typeof cache>, Observable<SegmentQueueMessage>>(true);

// ...and a wrong wiring does not.
// @ts-expect-error a segmenter takes media, not segments
segmenter({ media: segments$ });
// @ts-expect-error the cache takes segments, not media
cache({ segments: media$ });
// @ts-expect-error the asset sink pulls from a cache's queue, not from a segmenter
sink({ queue: segments$ });
// @ts-expect-error ports are named: the cache's input is `segments`
cache({ media: segments$ });
// @ts-expect-error no positional inputs any more
segmenter([media$]);
sink({ queue: queue$ });

// defineNode types `create` from the ports it declares.
interface SamplerConfig extends NodeSpec {
  readonly every: string;
}
const sampler = defineNode({
  type: '#Test.Sampler',
  role: 'processor',
  description: 'test',
  configSchema: {},
  inputs: { media: { kind: 'media' } },
  output: { kind: 'media' },
  create: (config: SamplerConfig, ctx) => (inputs) => {
    const every: string = config.every;
    void every;
    void ctx;
    return inputs.media.pipe(map((m) => (m.kind === 'sample' ? { ...m, units: [] } : m)));
  },
});
const registry = new NodeRegistry().register(sampler); // no cast: a typed definition is a NodeDefinition
const plain: NodeDefinition = sampler;
const all: readonly NodeDefinition[] = builtinNodes;

defineNode({
  type: '#Test.WrongOutput',
  role: 'processor',
  description: 'test',
  configSchema: {},
  inputs: { media: { kind: 'media' } },
  output: { kind: 'media' },
  // @ts-expect-error a media port must emit media messages, not segments
  create: () => (inputs) => inputs.media.pipe(map((): SegmentMessage => ({}) as SegmentMessage)),
});

defineNode({
  type: '#Test.WrongPort',
  role: 'processor',
  description: 'test',
  configSchema: {},
  inputs: { media: { kind: 'media' } },
  output: { kind: 'media' },
  // @ts-expect-error there is no port named `video`
  create: () => (inputs) => inputs.video,
});

defineNode({
  type: '#Test.WrongKind',
  role: 'processor',
  description: 'test',
  configSchema: {},
  // @ts-expect-error an unknown port kind
  inputs: { media: { kind: 'video' } },
  output: null,
  create: () => () => EMPTY,
});

defineNode({
  type: '#Test.SegmentsAreNotMedia',
  role: 'sink',
  description: 'test',
  configSchema: {},
  inputs: { segments: { kind: 'segment' } },
  output: null,
  // @ts-expect-error a segment port carries segments and gaps: there is no track id
  create: () => (inputs) => inputs.segments.pipe(map((m) => m.trackId)),
});

// A port that accepts several kinds gets their union.
defineNode({
  type: '#Test.Gate',
  role: 'processor',
  description: 'test',
  configSchema: {},
  inputs: { media: { kind: 'media' }, trigger: { kind: ['signal', 'media'] } },
  output: { kind: 'media' },
  create: () => (inputs) => {
    const trigger: Observable<SignalMessage | MediaMessage> = inputs.trigger;
    void trigger;
    return inputs.media;
  },
});

// The marble-test helper hands back the same typed operator.
const tested = instantiateNode(sampler, { every: '1' }, createTestContext({ scheduler: context.scheduler }));
const out: Observable<MediaMessage> = tested({ media: media$ });
// @ts-expect-error the sampler takes media
tested({ media: queue$ });

void recorded;
void registry;
void plain;
void all;
void out;
