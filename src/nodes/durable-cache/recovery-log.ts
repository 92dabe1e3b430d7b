// What the cache node says about its start-up: one info line always, a warning with counts
// whenever recovery had to rebuild from the media files, salvage a crashed run's open segment
// or delete something (nothing is ever removed without being counted here).
import type { Logger } from '../../types/logger.ts';
import type { SegmentWorkspace } from '../../types/cache.ts';
import type { DurableSegmentCache, RecoveryReport } from '../../storage/cache/index.ts';

export function logRecovery(logger: Logger, directory: string, r: RecoveryReport): void {
  logger.info('durable cache open', {
    directory,
    segments: r.segments,
    bytes: r.bytes,
    recoveryMs: Math.round(r.durationMs),
    entriesDropped: r.entriesDropped,
    tempFilesDiscarded: r.tempFilesDiscarded,
    tornTail: r.tornTail,
  });
  if (r.segmentsRebuilt || r.initsRebuilt || r.unreadableDeleted || r.badRecords) {
    logger.warn('cache journal did not explain every file: rebuilt from the media files', {
      directory,
      segmentsRebuilt: r.segmentsRebuilt,
      initsRebuilt: r.initsRebuilt,
      unreadableDeleted: r.unreadableDeleted,
      badRecords: r.badRecords,
      entriesDropped: r.entriesDropped,
      strayFilesDeleted: r.strayFilesDeleted,
    });
  }
  const s = r.salvage;
  if (s.segments || s.filesDeleted) {
    logger.warn('salvaged the segment a crashed run left open', {
      directory,
      segments: s.segments,
      mediaSeconds: Math.round(s.mediaMs) / 1000,
      tornBytesCut: s.cutBytes,
      filesDeleted: s.filesDeleted,
    });
  }
}

export function workspaceOf(c: DurableSegmentCache, afterIntake: SegmentWorkspace['afterIntake']): SegmentWorkspace {
  return {
    directory: c.workspaceDirectory,
    reserve: (bytes) => c.reserve(bytes),
    unreserve: (bytes) => c.unreserve(bytes),
    adopt: (dir) => c.adoptFolder(dir),
    afterIntake,
  };
}
