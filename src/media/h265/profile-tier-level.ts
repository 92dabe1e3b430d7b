// profile_tier_level() (ITU-T H.265 7.3.3), shared by VPS and SPS.
import type { BitReader } from '../bits/bit-reader.ts';

export interface H265ProfileTierLevel {
  generalProfileSpace: number;
  generalTierFlag: number;
  generalProfileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag j in bit 31−j (as read). */
  generalProfileCompatibilityFlags: number;
  /** The 48 bits from general_progressive_source_flag on, as 6 bytes. */
  generalConstraintIndicatorFlags: Uint8Array;
  generalLevelIdc: number;
}

export function readProfileTierLevel(r: BitReader, maxSubLayersMinus1: number): H265ProfileTierLevel {
  const generalProfileSpace = r.u(2);
  const generalTierFlag = r.u1();
  const generalProfileIdc = r.u(5);
  const generalProfileCompatibilityFlags = r.u(32);
  const generalConstraintIndicatorFlags = r.bytes(6);
  const generalLevelIdc = r.u(8);
  const profilePresent: boolean[] = [];
  const levelPresent: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profilePresent.push(r.flag());
    levelPresent.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) for (let i = maxSubLayersMinus1; i < 8; i++) r.skip(2);
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profilePresent[i]) r.skip(88);
    if (levelPresent[i]) r.skip(8);
  }
  return {
    generalProfileSpace,
    generalTierFlag,
    generalProfileIdc,
    generalProfileCompatibilityFlags,
    generalConstraintIndicatorFlags,
    generalLevelIdc,
  };
}
