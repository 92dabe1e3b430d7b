// `#Microsoft.Media.MediaGraphFileSink`: records media into plain, self-contained MP4 files
// (init + fragments in one file), a new file per run of media (signal-gate activation,
// discontinuity, codec change), the folder bounded by `maximumSizeMiB`, oldest deleted first.
import { concatMap, defer, filter, finalize, from, ignoreElements, tap } from 'rxjs';
import { isAbsolute } from 'node:path';
import type { CheckContext, ConfigIssue, NodeSpec } from '../../types/node.ts';
import { mentionsSystemVariable, namePatternToJudge } from '../name-pattern-rule.ts';
import { defineNode } from '../define-node.ts';
import { cutSegments } from '../fmp4-segmenter/cut-segments.ts';
import { expandSystemVariables, ownFileMatcher, unsafeFileNameReason } from './file-name.ts';
import { Mp4Files, type FinishedFile } from './mp4-files.ts';

export const FILE_SINK_TYPE = '#Microsoft.Media.MediaGraphFileSink';
const MIB = 1024 * 1024;

export interface FileSinkConfig extends NodeSpec {
  readonly baseDirectoryPath: string;
  readonly fileNamePattern: string;
  readonly maximumSizeMiB: string | number;
}

function parseMaximumSizeMiB(v: string | number): number | undefined {
  const n = typeof v === 'number' ? v : /^\s*\d+(\.\d+)?\s*$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

function checkConfig(config: FileSinkConfig, context?: Partial<CheckContext>): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (typeof config.baseDirectoryPath !== 'string' || !isAbsolute(config.baseDirectoryPath)) {
    issues.push({ pointer: '/baseDirectoryPath', code: 'PropertyValueInvalid', message: 'baseDirectoryPath must be an absolute path' });
  }
  const pattern = context ? namePatternToJudge('fileNamePattern', context) : String(config.fileNamePattern ?? '');
  if (pattern !== undefined && !mentionsSystemVariable(pattern)) {
    issues.push({
      pointer: '/fileNamePattern',
      code: 'PropertyValueInvalidPattern',
      message: 'fileNamePattern must contain at least one system variable such as ${System.DateTime}',
    });
  }
  const sample = expandSystemVariables(String(config.fileNamePattern ?? ''), 0, { instanceName: 'i', topologyName: 't' });
  const unsafe = unsafeFileNameReason(sample);
  if (unsafe) issues.push({ pointer: '/fileNamePattern', code: 'PropertyValueInvalid', message: `fileNamePattern ${unsafe}` });
  if (parseMaximumSizeMiB(config.maximumSizeMiB) === undefined) {
    issues.push({
      pointer: '/maximumSizeMiB',
      code: 'PropertyValueInvalid',
      message: `maximumSizeMiB must be a positive number of MiB, got ${JSON.stringify(config.maximumSizeMiB)}`,
    });
  }
  return issues;
}

export const fileSinkNode = defineNode({
  type: FILE_SINK_TYPE,
  role: 'sink',
  description: 'Writes media to self-contained fragmented MP4 files, one per activation, deleting the oldest past maximumSizeMiB.',
  configSchema: {
    type: 'object',
    required: ['baseDirectoryPath', 'fileNamePattern', 'maximumSizeMiB'],
    properties: {
      baseDirectoryPath: { type: 'string', minLength: 1 },
      fileNamePattern: { type: 'string', minLength: 1 },
      maximumSizeMiB: { type: ['string', 'number'] },
    },
  },
  inputs: { media: { kind: 'media' } },
  output: null,
  check: (config: FileSinkConfig, context: CheckContext) => checkConfig(config, context),
  create: (config: FileSinkConfig, ctx) => (inputs) => {
    const issues = checkConfig(config);
    if (issues.some((i) => i.pointer !== '/fileNamePattern' || i.code !== 'PropertyValueInvalidPattern')) {
      throw new Error(`${FILE_SINK_TYPE} ${config.name}: ${issues.map((i) => `${i.pointer}: ${i.message}`).join('; ')}`);
    }
    const maximumBytes = parseMaximumSizeMiB(config.maximumSizeMiB)! * MIB;
    const own = ownFileMatcher(config.fileNamePattern, ctx);
    return defer(() => {
      const files = new Mp4Files({
        directory: config.baseDirectoryPath,
        nameAt: (ms) => expandSystemVariables(config.fileNamePattern, ms, ctx),
        maximumBytes,
        owns: (name) => own.test(name),
        onOpen: (path) => ctx.events.emit('RecordingStarted', { outputType: 'filePath', outputLocation: path }),
        onFirstFragment: (path) => ctx.events.emit('RecordingAvailable', { outputType: 'filePath', outputLocation: path }),
      });
      return inputs.media.pipe(
        // A file spans a whole run: only discontinuities, codec changes and the end close it.
        // Each file stands alone, so it keeps the source's media time (players show 0:00 at its start).
        cutSegments({ segmentLengthMs: Number.MAX_SAFE_INTEGER, initWithDuration: true, decodeTimeline: 'source' }),
        tap((a) => {
          if (a.type === 'track-rejected') ctx.events.emit('MediaFormatError', { code: 'TrackRejected', message: a.message });
        }),
        concatMap((a) => from(files.perform(a))),
        filter((f): f is FinishedFile => f !== undefined),
        tap((f) => {
          ctx.events.emit('RecordingStopped', { outputType: 'filePath', outputLocation: f.path });
          for (const d of f.deleted) ctx.logger.info('deleted oldest recording to stay under maximumSizeMiB', { path: d });
        }),
        ignoreElements(),
        finalize(() => void files.abort()),
      );
    });
  },
});
