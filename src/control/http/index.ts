// The HTTP control plane's public surface (the CLI's `serve` wires these).
export { startHttpServer, routeTable, ROUTES, isLoopback, type HttpServerOptions, type HttpServerHandle } from './server.ts';
export type { Route, RouteContext, HttpMethod } from './router.ts';
export type { MetricsContributor } from './metrics.ts';
export { BlobPlaybackSource, type BlobPlaybackOptions } from './playback/blob-source.ts';
export {
  AssetNotFoundError,
  RangeNotSatisfiableError,
  type PlaybackSource,
  type PlaybackSegment,
  type AvailableMediaResult,
  type RecordedRange,
  type RecordedGap,
  type BlobBytes,
  type ByteRange,
} from './playback/source.ts';
export { MAX_SPAN, PLAYLIST_DEFAULT_WINDOW_MS, PLAYLIST_MAX_WINDOW_MS } from './playback/time-query.ts';
