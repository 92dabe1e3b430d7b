// A live one-line status for `run` and `demo`: state, segments recorded and uploaded, cache
// fill, upload lag, reconnects. Rewritten in place on a terminal; in a log, a line when it changed
// (at most every 10 s), else one every 5 min. The camera's story is told in lines of their own,
// once each: connected, lost (why), authentication refused, back (after how long).
import type { Subscription } from 'rxjs';
import type { ConsoleLines } from './console-lines.ts';
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
  /** The current problem, if any: cleared when what it was about works again. */
  lastProblem?: string;
  /** Reconnects that succeeded (attempts are not counted). */
  reconnects?: number;
}

/** The rtsp-source's warning at every reconnect attempt: the CLI tells the outage in its own lines instead. */
export const RECONNECT_ATTEMPT_LOG = 'stream lost; reconnecting';

/** A JSON log line the CLI shows, or undefined for one it tells otherwise (reconnect attempts). */
export function cliLogLine(line: string): string | undefined {
  return line.includes(`"msg":"${RECONNECT_ATTEMPT_LOG}"`) ? undefined : line;
}

function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(1)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}

function mib(n: number): string {
  return `${(n / 1048576).toFixed(1)} MiB`;
}

export function formatStatus(state: string, c: StatusCounters): string {
  const cache = c.cacheBytes !== undefined ? `cache ${mib(c.cacheBytes)}${c.cacheMaxBytes ? ` of ${mib(c.cacheMaxBytes)}` : ''}` : 'cache –';
  const lag = c.lagMs !== undefined ? `lag ${(c.lagMs / 1000).toFixed(1)} s` : 'lag –';
  return [
    state,
    `recorded ${c.written} (${mib(c.writtenBytes)})`,
    `uploaded ${c.uploaded}`,
    cache,
    lag,
    `reconnects ${c.reconnects ?? 0}`,
    ...(c.evicted ? [`evicted ${c.evicted}`] : []),
    ...(c.lastProblem ? [`last: ${c.lastProblem}`] : []),
  ].join(' | ');
}

export interface StatusLine {
  readonly counters: StatusCounters;
  stop(): void;
}

export function startStatusLine(host: MediaGraphHost, instance: string, lines: ConsoleLines): StatusLine {
  const c: StatusCounters = { written: 0, writtenBytes: 0, uploaded: 0, evicted: 0, storageErrors: 0, reconnects: 0 };
  const tty = lines.tty;
  const write = (text: string, final: boolean) => lines.status(text, final);
  // what the camera lines have said, so each is said once per outage
  let connectedOnce = false;
  let outageReported = false;
  let authReported = false;
  let problemKind: 'camera' | 'storage' | 'runtime' | undefined;
  const problem = (kind: NonNullable<typeof problemKind>, text: string) => {
    problemKind = kind;
    c.lastProblem = text.slice(0, 120);
  };
  const solved = (kind: NonNullable<typeof problemKind>) => {
    if (problemKind === kind) {
      problemKind = undefined;
      c.lastProblem = undefined;
    }
  };
  const sub: Subscription = host.events$.subscribe((e) => {
    if (e.subject !== `/graphInstances/${instance}` && !e.subject.startsWith(`/graphInstances/${instance}/`)) return;
    const body = e.body as { message?: string; reason?: string; errorCode?: string; outageMs?: number };
    switch (e.type) {
      case 'MediaSessionEstablished':
        if (!connectedOnce) lines.line(`camera connected: recording ${instance}`);
        connectedOnce = true;
        solved('camera');
        break;
      case 'StreamReconnected':
        c.reconnects = (c.reconnects ?? 0) + 1;
        lines.line(`camera reconnected after ${seconds(body.outageMs ?? 0)}: recording again`);
        outageReported = false;
        authReported = false;
        solved('camera');
        break;
      case 'StreamDisconnected':
        // a refused password stays the problem shown: the disconnect it causes says less
        if (!authReported) problem('camera', `StreamDisconnected: ${String(body.reason ?? '')}`);
        if (!outageReported && !authReported)
          lines.line(`camera ${connectedOnce ? 'lost' : 'not reachable'}: ${String(body.reason ?? '')}; reconnecting (the status line counts the outage)`);
        outageReported = true;
        break;
      case 'AuthenticationError':
      case 'AuthorizationError':
        problem('camera', `${e.type}: ${String(body.errorCode ?? '')}`);
        // as probe says it; the server's answer is the same at every retry, so once
        if (!authReported)
          lines.line(
            `${e.type}: authentication failed for the camera (${String(body.errorCode ?? '')}): check the user name and password (rtspUserName, rtspPassword); retrying`,
          );
        authReported = true;
        outageReported = true;
        break;
      case 'SegmentWritten': {
        const b = e.body as { byteSize: number };
        c.written++;
        c.writtenBytes += b.byteSize;
        break;
      }
      case 'SegmentUploaded':
        c.uploaded++;
        solved('storage');
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
        problem('storage', `StorageError: ${String(body.message ?? '')}`);
        break;
      case 'ProtocolError':
      case 'NetworkError':
        problem('camera', `${e.type}: ${String(body.message ?? '')}`);
        break;
      case 'RuntimeError':
        problem('runtime', `${e.type}: ${String(body.message ?? '')}`);
        break;
      case 'InstanceRestarted':
        solved('runtime');
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
    if (m.some((x) => x.name === 'mediagraph_cache_segments' && x.labels['instance'] === instance))
      c.stillCached = metricTotal(m, 'mediagraph_cache_segments', { instance });
    const text = formatStatus(state, c);
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
