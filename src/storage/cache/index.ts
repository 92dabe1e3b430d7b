export { DurableSegmentCache, CacheClosedError, type CacheOptions, type EvictionEvent, type EvictionCause, type RecoveryReport, type AddResult } from './durable-cache.ts';
export { CacheLockedError } from './lock.ts';
