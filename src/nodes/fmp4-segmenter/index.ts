// `#Mediagraph.Fmp4Segmenter`: media in, finished fMP4 segment files out (docs/architecture.md, Messages
// and Pull contract).
// The cutter decides (pure), SegmentFiles writes (serialised), the node emits SegmentMessages.
import { concatMap, defer, filter, finalize, from, tap } from 'rxjs';
import { join } from 'node:path';
import type { ConfigIssue, NodeSpec } from '../../types/node.ts';
import { defineNode } from '../define-node.ts';
import type { Gap, SegmentMessage } from '../../types/segment.ts';
import type { SegmentWorkspace } from '../../types/cache.ts';
import { workspaceFor } from '../durable-cache/workspace-registry.ts';
import { parseIsoDuration } from '../../media/segmenter/iso-duration.ts';
import { cutSegments } from './cut-segments.ts';
import { releaseWorkspace, SegmentFiles } from './segment-files.ts';

export const FMP4_SEGMENTER_TYPE = '#Mediagraph.Fmp4Segmenter';
export const DEFAULT_SEGMENT_LENGTH = 'PT30S';
/** Shorter segments are allowed for local recording; LVA's asset sink still requires ≥ PT30S. */
export const MIN_SEGMENT_LENGTH_MS = 1000;

export interface Fmp4SegmenterConfig extends NodeSpec {
  readonly segmentLength?: string;
  readonly outputDirectoryPath?: string;
}

function checkConfig(config: Fmp4SegmenterConfig): ConfigIssue[] {
  const value = config.segmentLength ?? DEFAULT_SEGMENT_LENGTH;
  let ms: number;
  try {
    ms = parseIsoDuration(value);
  } catch {
    return [
      { pointer: '/segmentLength', code: 'PropertyValueInvalid', message: `segmentLength ${JSON.stringify(value)} is not an ISO-8601 duration such as PT30S` },
    ];
  }
  if (ms < MIN_SEGMENT_LENGTH_MS) {
    return [{ pointer: '/segmentLength', code: 'PropertyValueInvalid', message: `segmentLength ${value} is shorter than 1 second` }];
  }
  return [];
}

export const fmp4SegmenterNode = defineNode({
  type: FMP4_SEGMENTER_TYPE,
  role: 'processor',
  description: 'Cuts media into fMP4 segments on keyframes (one fragment per GOP) and writes them to disk.',
  configSchema: {
    type: 'object',
    properties: {
      segmentLength: { type: 'string', default: DEFAULT_SEGMENT_LENGTH, description: 'ISO-8601 duration of media per segment (cut on the next keyframe).' },
      outputDirectoryPath: {
        type: 'string',
        minLength: 1,
        description:
          'Folder for init and segment files when no durable cache takes them (a cache makes the segmenter write inside its own folder and bound); default <dataDirectory>/segments/<instance>/<node>.',
      },
    },
  },
  inputs: { media: { kind: 'media' } },
  output: { kind: 'segment' },
  check: (config: Fmp4SegmenterConfig) => checkConfig(config),
  create: (config: Fmp4SegmenterConfig, ctx) => (inputs) => {
    const segmentLengthMs = parseIsoDuration(config.segmentLength ?? DEFAULT_SEGMENT_LENGTH);
    const directory = config.outputDirectoryPath ?? join(ctx.services.dataDirectory, 'segments', ctx.instanceName, ctx.nodeName);
    return defer(() => {
      const broker = ctx.services.diskSpace;
      // What an older version left in this segmenter's own folder goes into the cache too.
      const adoptLeftovers = async (ws: SegmentWorkspace): Promise<SegmentWorkspace> => {
        try {
          const r = await ws.adopt(directory);
          if (r.segments || r.filesDeleted)
            ctx.logger.warn('segments left in the segmenter folder by an earlier run were salvaged into the cache', {
              directory,
              segments: r.segments,
              filesDeleted: r.filesDeleted,
            });
        } catch (e) {
          ctx.logger.warn('could not salvage the segmenter folder of an earlier run', { directory, error: e instanceof Error ? e.message : String(e) });
        }
        return ws;
      };
      const workspace = workspaceFor(ctx.services, ctx.nodeName)?.then((ws) => ws && adoptLeftovers(ws));
      const files = new SegmentFiles(directory, {
        ...(workspace ? { workspace } : {}),
        ...(broker ? { reclaimSpace: () => broker.reclaim() } : {}),
        onDropped: ({ path, reason }) => {
          ctx.metrics.add('mediagraph_segments_dropped_total');
          ctx.events.emit('DataDropped', { dataType: 'segment', count: 1, reason: `${reason} (${path})` });
          ctx.logger.warn('segment dropped: it could not be written', { path, reason });
        },
      });
      return inputs.media.pipe(
        cutSegments({ segmentLengthMs }),
        tap((a) => {
          if (a.type === 'track-rejected') {
            ctx.events.emit('MediaFormatError', { code: 'TrackRejected', message: a.message });
            ctx.logger.warn('track rejected', { trackId: a.trackId, reason: a.message });
          }
        }),
        // One action at a time, in order: a fragment is on disk before the next is written.
        concatMap((a) => from(files.perform(a))),
        filter((m): m is SegmentMessage | Gap => m !== undefined),
        tap((m) => {
          if (m.kind !== 'segment') return;
          ctx.metrics.add('mediagraph_segments_written_total');
          ctx.events.emit('SegmentWritten', {
            path: m.path,
            byteSize: m.byteSize,
            startWallClock: new Date(m.startWallClockMs).toISOString(),
            endWallClock: new Date(m.endWallClockMs).toISOString(),
            mediaDurationMs: m.mediaDurationMs,
          });
        }),
        finalize(() => void releaseWorkspace(files)),
      );
    });
  },
});
