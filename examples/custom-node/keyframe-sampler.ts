// A user-defined node type: keeps one video keyframe every `intervalSeconds` of media time
// and drops everything else, e.g. for a cheap time-lapse of a long recording. It is
// registered on a host beside the built-ins and wired into a topology like any of them.
// Its ports say what it takes and gives ('media' → MediaMessage), so `inputs.media` is typed
// and returning anything but media messages would not compile.
import { filter } from 'rxjs';
import { defineNode, type NodeSpec } from 'mediagraph';

export interface KeyframeSamplerConfig extends NodeSpec {
  /** Seconds of media time between kept keyframes (a string, as LVA writes numbers). */
  readonly intervalSeconds: string;
}

export const keyframeSamplerNode = defineNode({
  type: '#Contoso.KeyframeSampler',
  role: 'processor',
  description: 'Keeps one video keyframe every intervalSeconds of media time; drops audio and other frames.',
  configSchema: {
    type: 'object',
    required: ['intervalSeconds'],
    properties: { intervalSeconds: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' } },
  },
  inputs: { media: { kind: 'media' } },
  output: { kind: 'media' },
  check: (config: KeyframeSamplerConfig) =>
    Number(config.intervalSeconds) > 0
      ? []
      : [{ pointer: '/intervalSeconds', code: 'PropertyValueInvalid', message: 'intervalSeconds must be greater than 0' }],
  create: (config: KeyframeSamplerConfig, context) => (inputs) => {
    const interval = Number(config.intervalSeconds);
    const timescales = new Map<number, { timescale: number; video: boolean }>();
    let nextKeptAt = -Infinity;
    let dropped = 0;
    return inputs.media.pipe(
      filter((m) => {
        if (m.kind === 'track') {
          timescales.set(m.trackId, { timescale: m.timescale, video: m.mediaType === 'video' });
          return m.mediaType === 'video';
        }
        if (m.kind !== 'sample') return true;
        const track = timescales.get(m.trackId);
        if (!track?.video || !m.keyframe || m.dts / track.timescale < nextKeptAt) {
          dropped++;
          return false;
        }
        nextKeptAt = m.dts / track.timescale + interval;
        context.logger.debug('kept keyframe', { dts: m.dts, droppedSinceLast: dropped });
        dropped = 0;
        return true;
      }),
    );
  },
});
