// Init segments are named by their content, so equal codec configurations share one file.
import { createHash } from 'node:crypto';

export function initSegmentId(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex').slice(0, 16);
}
