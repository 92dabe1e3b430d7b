// A user-defined node type: keeps one video keyframe every `intervalSeconds` of media time
// and drops everything else, e.g. for a cheap time-lapse of a long recording. It is
// registered on a host beside the built-ins and wired into a topology like any of them.
import { filter } from 'rxjs';
import { defineNode, type MediaMessage, type NodeSpec } from 'mediagraph';

export interface KeyframeSamplerConfig extends NodeSpec {
  /** Seconds of media time between kept keyframes (a string, as LVA writes numbers). */
  readonly intervalSeconds: string;
}

export const keyframeSamplerNode = defineNode<KeyframeSamplerConfig>({
  type: '#Contoso.KeyframeSampler',
  role: 'processor',
  description: 'Keeps one video keyframe every intervalSeconds of media time; drops audio and other frames.',
  configSchema: {
    type: 'object',
    required: ['intervalSeconds'],
    properties: { intervalSeconds: { type: 'string', pattern: '^\\d+(\\.\\d+)?$' } },
  },
  inputs: ['media'],
  output: 'media',
  check: (config) =>
    Number(config.intervalSeconds) > 0
      ? []
      : [{ pointer: '/intervalSeconds', code: 'PropertyValueInvalid', message: 'intervalSeconds must be greater than 0' }],
  create: (config, context) => (inputs) => {
    const interval = Number(config.intervalSeconds);
    const timescales = new Map<number, { timescale: number; video: boolean }>();
    let nextKeptAt = -Infinity;
    let dropped = 0;
    return inputs[0]!.pipe(
      filter((input) => {
        const m = input as MediaMessage;
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
