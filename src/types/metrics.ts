// What a node may report for `/metrics` and the status line: named gauges and counters.
// The host labels them with the instance and node; names follow Prometheus conventions
// (`mediagraph_cache_bytes`, `mediagraph_uploads_total`).
export interface NodeMetrics {
  /** Sets a gauge to a value (cache bytes, upload lag). */
  set(name: string, value: number): void;
  /** Adds to a counter (uploads, retries, reconnects). */
  add(name: string, delta?: number): void;
}

export interface MetricSample {
  readonly name: string;
  readonly kind: 'gauge' | 'counter';
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Help texts of the metrics built-in nodes report; unknown names are exported without help. */
export const METRIC_HELP: Readonly<Record<string, string>> = {
  mediagraph_received_bytes_total: 'Bytes of media received from RTSP sources',
  mediagraph_samples_total: 'Access units received',
  mediagraph_lost_packets_total: 'RTP packets lost',
  mediagraph_reconnects_total: 'RTSP reconnect attempts',
  mediagraph_segments_written_total: 'Segments closed by the segmenter',
  mediagraph_segments_dropped_total: 'Segments dropped because the disk was full and nothing could be freed',
  mediagraph_cache_bytes: 'Bytes held by the durable cache',
  mediagraph_cache_maximum_bytes: 'Size bound of the durable cache',
  mediagraph_cache_segments: 'Segments waiting in the durable cache',
  mediagraph_cache_evicted_segments_total: 'Segments evicted before upload (recorded as gaps)',
  mediagraph_uploads_total: 'Segments uploaded to the asset store',
  mediagraph_upload_retries_total: 'Failed storage calls that were retried',
  mediagraph_upload_lag_seconds: "Time from a segment's end to its upload",
};
