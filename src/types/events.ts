// One typed event catalog, documented in docs/events.md. Names follow LVA's eventType suffixes; every event
// carries LVA's envelope fields (subject, eventTime) so an LVA consumer can read it.

export type EventClass = 'Operational' | 'Diagnostics' | 'Analytics';

export interface EventBodies {
  // Operational (LVA)
  RecordingStarted: { outputType: 'assetName' | 'filePath'; outputLocation: string };
  RecordingAvailable: { outputType: 'assetName' | 'filePath'; outputLocation: string };
  RecordingStopped: { outputType: 'assetName' | 'filePath'; outputLocation: string };
  GraphInstanceStateChanged: { state: string; previousState: string; error?: { code: string; message: string } };
  // Diagnostics (LVA)
  MediaSessionEstablished: { sdp: string };
  AuthenticationError: { errorCode: string; message: string };
  AuthorizationError: { errorCode: string; message: string };
  ProtocolError: { protocol: 'rtsp' | 'rtp' | 'http'; errorCode: string; message: string; target?: string };
  NetworkError: { errorCode: string; message: string };
  MediaFormatError: { code: string; message: string };
  DataDropped: { dataType: string; count: number; reason: string };
  StorageError: { storageAccountName: string; errorCode: string; message: string; willRetry: boolean };
  RuntimeError: { code: string; message: string };
  // Added by mediagraph: LVA had no events for these
  StreamDisconnected: { reason: string; retryInMs: number; attempt: number };
  StreamReconnected: { outageMs: number };
  SegmentWritten: { path: string; byteSize: number; startWallClock: string; endWallClock: string; mediaDurationMs: number };
  SegmentUploaded: { blobName: string; byteSize: number; uploadMs: number; lagMs: number };
  CacheEvicted: { gapStart: string; gapEnd: string; segments: number; bytes: number };
  CacheHighWaterMark: { usedBytes: number; maximumBytes: number };
  NodeNotSupported: { nodeType: string; reason: string };
  /** A node failed; the instance's pipeline is rebuilt after `retryInMs` (attempt 1, 2, … since the last stable run). */
  InstanceRestarting: { attempt: number; retryInMs: number; error: { code: string; message: string } };
  /** The pipeline was rebuilt and runs again; `downMs` since the failure that stopped it. */
  InstanceRestarted: { attempt: number; downMs: number };
}

export type EventType = keyof EventBodies;

export const EVENT_CLASSES: { readonly [K in EventType]: EventClass } = {
  RecordingStarted: 'Operational',
  RecordingAvailable: 'Operational',
  RecordingStopped: 'Operational',
  GraphInstanceStateChanged: 'Operational',
  MediaSessionEstablished: 'Diagnostics',
  AuthenticationError: 'Diagnostics',
  AuthorizationError: 'Diagnostics',
  ProtocolError: 'Diagnostics',
  NetworkError: 'Diagnostics',
  MediaFormatError: 'Diagnostics',
  DataDropped: 'Diagnostics',
  StorageError: 'Diagnostics',
  RuntimeError: 'Diagnostics',
  StreamDisconnected: 'Diagnostics',
  StreamReconnected: 'Diagnostics',
  SegmentWritten: 'Operational',
  SegmentUploaded: 'Operational',
  CacheEvicted: 'Diagnostics',
  CacheHighWaterMark: 'Diagnostics',
  NodeNotSupported: 'Diagnostics',
  InstanceRestarting: 'Diagnostics',
  InstanceRestarted: 'Diagnostics',
};

export interface GraphEvent<K extends EventType = EventType> {
  /** `Microsoft.Media.Graph.{class}.{type}` as LVA spelled it. */
  readonly eventType: string;
  readonly type: K;
  /** `/graphInstances/{instance}` or `/graphInstances/{instance}/{sources|processors|sinks}/{node}`. */
  readonly subject: string;
  /** ISO-8601 UTC. */
  readonly eventTime: string;
  readonly body: EventBodies[K];
}

/** What a node sees: publish an event; subject and time are filled in by the bus. */
export interface EventBus {
  emit<K extends EventType>(type: K, body: EventBodies[K]): void;
}
