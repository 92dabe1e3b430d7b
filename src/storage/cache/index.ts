export {
  DurableSegmentCache,
  CacheClosedError,
  SegmentStrandedError,
  type CacheOptions,
  type EvictionEvent,
  type EvictionCause,
  type RecoveryReport,
  type SalvageReport,
  type AddResult,
} from './durable-cache.ts';
export { CacheLockedError } from './lock.ts';
