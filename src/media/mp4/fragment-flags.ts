// The flag bits of the fragment boxes (ISO/IEC 14496-12 tfhd and trun), shared by the
// writer (fragment.ts) and the reader that recovers our own files (read-fragments.ts), so
// the two can never disagree on a bit.

/** tf_flags */
export const TFHD_BASE_DATA_OFFSET_PRESENT = 0x000001;
export const TFHD_SAMPLE_DESCRIPTION_INDEX_PRESENT = 0x000002;
export const TFHD_DEFAULT_SAMPLE_DURATION_PRESENT = 0x000008;
export const TFHD_DEFAULT_SAMPLE_SIZE_PRESENT = 0x000010;
export const TFHD_DEFAULT_SAMPLE_FLAGS_PRESENT = 0x000020;
export const TFHD_DEFAULT_BASE_IS_MOOF = 0x020000;

/** tr_flags */
export const TRUN_DATA_OFFSET_PRESENT = 0x000001;
export const TRUN_FIRST_SAMPLE_FLAGS_PRESENT = 0x000004;
export const TRUN_SAMPLE_DURATION_PRESENT = 0x000100;
export const TRUN_SAMPLE_SIZE_PRESENT = 0x000200;
export const TRUN_SAMPLE_FLAGS_PRESENT = 0x000400;
export const TRUN_SAMPLE_COMPOSITION_TIME_OFFSETS_PRESENT = 0x000800;

/** Seconds between the NTP epoch (1900) and the Unix epoch (1970), for prft. */
export const NTP_UNIX_OFFSET_S = 2_208_988_800;
