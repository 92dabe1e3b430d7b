// Small node types for host tests: a source that ticks media until asked to stop, and a
// sink that records what reached it. Real RxJS, real host; only the media is synthetic.
import { Observable, interval, takeUntil, map, concat, of, tap, ignoreElements, timer, mergeMap, throwError } from 'rxjs';
import { defineNode } from '../../src/nodes/define-node.ts';
import type { MediaMessage } from '../../src/types/media.ts';

export const received = new Map<string, MediaMessage[]>();

export const tickerNode = defineNode({
  type: '#Test.Ticker',
  role: 'source',
  description: 'emits one video sample every periodMs until stop',
  configSchema: { type: 'object', properties: { periodMs: { type: ['string', 'integer'] }, secretEcho: { type: 'string' } } },
  inputs: {},
  output: { kind: 'media' },
  create: (config, ctx) => () => {
    const period = Number(config['periodMs'] ?? 5);
    if (typeof config['secretEcho'] === 'string') {
      ctx.logger.info(`connecting with ${config['secretEcho']}`);
      ctx.events.emit('NetworkError', { errorCode: 'test', message: `could not log in with ${config['secretEcho']}` });
    }
    const info: MediaMessage = {
      kind: 'track',
      trackId: 1,
      mediaType: 'video',
      timescale: 90000,
      config: { codec: 'h264', vps: [], sps: [], pps: [], width: 2, height: 2, codecString: 'avc1.42000a', profile: 'Baseline' },
    };
    const samples = interval(period, ctx.scheduler).pipe(
      takeUntil(ctx.stop$),
      map(
        (i): MediaMessage => ({
          kind: 'sample',
          trackId: 1,
          dts: i * 3600,
          pts: i * 3600,
          keyframe: i % 10 === 0,
          units: [new Uint8Array([0x65, i & 0xff])],
          wallClockMs: Date.now(),
        }),
      ),
    );
    return concat(of(info), samples, of<MediaMessage>({ kind: 'end' }));
  },
});

export const collectNode = defineNode({
  type: '#Test.Collect',
  role: 'sink',
  description: 'records messages under a bucket name; optional drain delay or failure',
  configSchema: {
    type: 'object',
    required: ['bucket'],
    properties: { bucket: { type: 'string' }, drainMs: { type: ['string', 'integer'] }, failAfter: { type: ['string', 'integer'] } },
  },
  inputs: { media: { kind: 'media' } },
  output: null,
  create: (config) => (inputs) => {
    const bucket = String(config['bucket']);
    const list: MediaMessage[] = [];
    received.set(bucket, list);
    const failAfter = config['failAfter'] !== undefined ? Number(config['failAfter']) : Infinity;
    const drain = Number(config['drainMs'] ?? 0);
    return concat(
      inputs.media.pipe(
        mergeMap((m) => {
          list.push(m);
          return list.length > failAfter ? throwError(() => new Error('disk on fire')) : of(m);
        }),
        ignoreElements(),
      ),
      timer(drain).pipe(
        tap(() => list.push({ kind: 'end' })),
        ignoreElements(),
      ),
    ) as Observable<never>;
  },
});

export function tickerTopology(name: string, sink: Record<string, unknown> = {}, extraParams: unknown[] = []): Record<string, unknown> {
  return {
    '@apiVersion': '2.0',
    name,
    properties: {
      parameters: [{ name: 'bucket', type: 'String' }, ...extraParams],
      sources: [{ '@type': '#Test.Ticker', name: 'ticker' }],
      sinks: [{ '@type': '#Test.Collect', name: 'collect', bucket: '${bucket}', inputs: [{ nodeName: 'ticker' }], ...sink }],
    },
  };
}
