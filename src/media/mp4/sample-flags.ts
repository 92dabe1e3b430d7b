// sample_flags of trun/tfhd/trex (ISO/IEC 14496-12 §8.8.3.1):
// is_leading(2) sample_depends_on(2) sample_is_depended_on(2) sample_has_redundancy(2)
// sample_padding_value(3) sample_is_non_sync_sample(1) sample_degradation_priority(16).

/** A random-access point: depends on no other sample. */
export const SYNC_SAMPLE_FLAGS = 2 << 24;
/** A predicted frame: depends on others, not a sync sample. */
export const NON_SYNC_SAMPLE_FLAGS = (1 << 24) | (1 << 16);

export interface DecodedSampleFlags {
  readonly isLeading: number;
  readonly dependsOn: number;
  readonly isDependedOn: number;
  readonly hasRedundancy: number;
  readonly isNonSync: boolean;
  readonly degradationPriority: number;
}

export function sampleFlags(keyframe: boolean): number {
  return keyframe ? SYNC_SAMPLE_FLAGS : NON_SYNC_SAMPLE_FLAGS;
}

export function decodeSampleFlags(f: number): DecodedSampleFlags {
  return {
    isLeading: (f >>> 26) & 3,
    dependsOn: (f >>> 24) & 3,
    isDependedOn: (f >>> 22) & 3,
    hasRedundancy: (f >>> 20) & 3,
    isNonSync: ((f >>> 16) & 1) === 1,
    degradationPriority: f & 0xffff,
  };
}
