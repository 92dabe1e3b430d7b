export {
  BlobAssetStore,
  BlobStoreError,
  redact,
  type BlobStoreOptions,
  type SegmentToUpload,
  type SegmentBody,
  type AvailableMedia,
} from './blob-asset-store.ts';
export { parseBlobConnection, BlobConnectionError, type BlobConnection, type BlobConnectionKind } from './connection.ts';
export {
  containerNameForAsset,
  InvalidContainerNameError,
  segmentBlobName,
  initBlobName,
  indexBlobName,
  gapBlobName,
  utcDay,
  isoBasic,
  type GapReason,
} from './naming.ts';
export { mergeRanges, mergeGaps, type DayIndex, type TimeRange, type GapRange } from './asset-index.ts';
