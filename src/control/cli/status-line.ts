// A live one-line status for `run` and `demo`: state, segments recorded and uploaded, cache
// fill, upload lag, reconnects. Rewritten in place on a terminal; in a log, a line when it changed
// (at most every 10 s), else one every 5 min.
import type { Subscription } from 'rxjs';
import type { MediaGraphHost } from '../../runtime/host.ts';
import { metricTotal } from '../../runtime/metric-store.ts';

const UNCHANGED_LINE_INTERVAL_MS = 300_000;

export interface StatusCounters {
  written: number;
  writtenBytes: number;
  uploaded: number;
  lagMs?: number;
  evicted: number;
  storageErrors: number;
  /** Segments the segmenter could not write (disk full, folder not writable): recorded as gaps. */
  notWritten?: number;
  /** Segments the cache itself reports holding at the last update (the truth for "still cached"). */
  stillCached?: number;
  cacheBytes?: number;
  cacheMaxBytes?: number;
  lastProblem?: string;
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export function formatStatus(state: string, c: StatusCounters, reconnects: number): string {
  const cache = c.cacheBytes !== undefined ? `cache ${mib(c.cacheBytes)}${c.cacheMaxBytes ? ` of ${mib(c.cacheMaxBytes)}` : ''}` : 'cache –';
  const lag = c.lagMs !== undefined ? `lag ${(c.lagMs / 1000).toFixed(1)} s` : 'lag –';
  return [
    state,
    `recorded ${c.written} (${mib(c.writtenBytes)})`,
    `uploaded ${c.uploaded}`,
    cache,
    lag,
    `reconnects ${reconnects}`,
    ...(c.evicted ? [`evicted ${c.evicted}`] : []),
    ...(c.lastProblem ? [`last: ${c.lastProblem}`] : []),
  ].join(' | ');
}

export interface StatusLine {
  readonly counters: StatusCounters;
  stop(): void;
}

export function startStatusLine(host: MediaGraphHost, instance: string, write: (text: string, final: boolean) => void, tty: boolean): StatusLine {
  const c: StatusCounters = { written: 0, writtenBytes: 0, uploaded: 0, evicted: 0, storageErrors: 0 };
  const sub: Subscription = host.events$.subscribe((e) => {
    if (!e.subject.startsWith(`/graphInstances/${instance}`)) return;
    switch (e.type) {
      case 'SegmentWritten': {
        const b = e.body as { byteSize: number };
        c.written++;
        c.writtenBytes += b.byteSize;
        break;
      }
      case 'SegmentUploaded':
        c.uploaded++;
        c.lagMs = (e.body as { lagMs: number }).lagMs;
        break;
      case 'CacheEvicted':
        c.evicted += (e.body as { segments: number }).segments;
        break;
      case 'CacheHighWaterMark': {
        const b = e.body as { usedBytes: number; maximumBytes: number };
        c.cacheBytes = b.usedBytes;
        c.cacheMaxBytes = b.maximumBytes;
        break;
      }
      case 'StorageError':
        c.storageErrors++;
        c.lastProblem = `StorageError: ${String((e.body as { message?: string }).message ?? '')}`.slice(0, 120);
        break;
      case 'StreamDisconnected':
      case 'AuthenticationError':
      case 'ProtocolError':
      case 'RuntimeError':
        c.lastProblem = `${e.type}: ${String((e.body as { message?: string; reason?: string }).message ?? (e.body as { reason?: string }).reason ?? '')}`.slice(0, 120);
        break;
      default:
    }
  });
  const render = (final: boolean) => {
    let state = 'Unknown';
    try {
      state = host.instanceStatus(instance).state;
    } catch {
      /* deleted */
    }
    const m = host.metrics();
    const bytes = metricTotal(m, 'mediagraph_cache_bytes', { instance });
    if (m.some((s) => s.name === 'mediagraph_cache_bytes' && s.labels['instance'] === instance)) c.cacheBytes = bytes;
    const max = metricTotal(m, 'mediagraph_cache_maximum_bytes', { instance });
    if (max) c.cacheMaxBytes = max;
    c.notWritten = metricTotal(m, 'mediagraph_segments_dropped_total', { instance });
    if (m.some((x) => x.name === 'mediagraph_cache_segments' && x.labels['instance'] === instance)) c.stillCached = metricTotal(m, 'mediagraph_cache_segments', { instance });
    const text = formatStatus(state, c, metricTotal(m, 'mediagraph_reconnects_total', { instance }));
    // In a log (not a terminal), a line when something changed, else one every 5 min.
    const now = Date.now();
    if (!tty && !final && text === lastText && now - lastWriteAt < UNCHANGED_LINE_INTERVAL_MS) return;
    lastText = text;
    lastWriteAt = now;
    write(text, final);
  };
  let lastText = '';
  let lastWriteAt = 0;
  const timer = setInterval(() => render(false), tty ? 1000 : 10_000);
  timer.unref();
  return {
    counters: c,
    stop: () => {
      clearInterval(timer);
      sub.unsubscribe();
      render(true);
    },
  };
}
