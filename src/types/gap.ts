// The one vocabulary for why an asset has no media over some stretch of wall-clock time.
// Every writer of gaps (cache, uploader, segment salvage, start-up recovery) uses these names;
// they appear as they are in journal records, gap marker blob names, day indexes, the HTTP API
// and the viewer. Kebab-case because they are part of blob names.

export const GAP_REASONS = [
  /** The camera stopped delivering media (connection lost, stream ended) until it came back. */
  'camera-lost',
  /** The instance was deactivated (or the host closed cleanly) and later activated again. */
  'recorder-stopped',
  /** The recorder was not running and did not stop cleanly (crash, SIGKILL, power loss): found at start-up. */
  'recorder-down',
  /** Recorded media was dropped from a full cache before it could be uploaded. */
  'evicted',
  /** Media that was received but could not be written (I/O error, or the unfinished tail of a segment lost in a crash). */
  'write-failed',
  /** Fleet: another host took the instance over (its owner died or was fenced); from the last stored media to the new owner's first. */
  'handover',
] as const;

export type GapReason = (typeof GAP_REASONS)[number];

/** Reads a stored reason; `stopped` is the name older versions wrote for `recorder-stopped`. */
export function parseGapReason(text: unknown): GapReason | undefined {
  if (text === 'stopped') return 'recorder-stopped';
  return (GAP_REASONS as readonly unknown[]).includes(text) ? (text as GapReason) : undefined;
}
