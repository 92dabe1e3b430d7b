// mediagraph's public API.
export { MediaGraphHost } from './runtime/host.ts';
export type { HostOptions, InstanceStatus, SetResult } from './runtime/host.ts';
export { NodeRegistry } from './runtime/registry.ts';
export { createBuiltinRegistry } from './runtime/builtin-registry.ts';
export { invokeMethod, LVA_METHOD_NAMES } from './runtime/lva-methods.ts';
export type { MethodResponse } from './runtime/lva-methods.ts';
export { MediaGraphError, ERROR_CATALOG } from './runtime/errors.ts';
export type { ErrorCode, ErrorDetail } from './runtime/errors.ts';
export { defineNode } from './nodes/define-node.ts';
export { builtinNodes } from './nodes/index.ts';
export { validateTopology } from './graph/validate.ts';
export type { ValidationResult, ValidateOptions } from './graph/validate.ts';
export { fullTopologySchema } from './graph/document-schemas.ts';
export type * from './types/media.ts';
export type * from './types/segment.ts';
export type * from './types/signal.ts';
export { GAP_REASONS, parseGapReason, type GapReason } from './types/gap.ts';
export type * from './types/node.ts';
export type * from './types/asset-store.ts';
export { RangeNotSatisfiableError } from './types/asset-store.ts';
export { openAssetStore, openStoreProvider } from './storage/open-store.ts';
export { FileAssetStore } from './storage/file/file-asset-store.ts';
export { FileStoreProvider } from './storage/file/file-store-provider.ts';
export { AssetStoreError, InvalidAssetNameError } from './storage/store-error.ts';
export type * from './types/events.ts';
export type * from './types/logger.ts';
export type * from './graph/model.ts';
// The HTTP control plane (LVA methods and REST, events, /metrics, playback, viewer) over a host
// an application opened itself, with its own node types: `createServer(host, options)`.
export { startHttpServer as createServer } from './control/http/server.ts';
export type { HttpServerOptions, HttpServerHandle } from './control/http/server.ts';
export { BlobPlaybackSource, type BlobPlaybackOptions } from './control/http/playback/blob-source.ts';
export type { PlaybackSource } from './control/http/playback/source.ts';
