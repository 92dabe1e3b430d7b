// Our side of the ingest benchmark, run as its own process (forked with IPC): N RTSP
// recordings in ONE process, each what `mediagraph record` does — RTSP client → media session
// → Fmp4Segmenter node → segment files on disk. The session is wrapped here (as the
// RtspSource node's connectOnce does) so its lostPackets can be read; `--source node` uses
// the RtspSource node itself (supervisor, metrics) instead, without the session counters.
// Parent → child: RecordStart, { cmd: 'stop' }, and around the measurement window optionally
// { cmd: 'profile-start' } / { cmd: 'profile-stop', path } (a CPU profile of the steady state
// only, without start-up). Child → parent: RecordReady, RecordStreaming, RecordDone, ProfileWritten.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { Observable, Subject, lastValueFrom, defaultIfEmpty, count, tap } from 'rxjs';
import type { MediaMessage } from '../../src/types/media.ts';
import { RtspMediaSession } from '../../src/media/session/rtsp-media-session.ts';
import { rtspSourceNode } from '../../src/nodes/rtsp-source/index.ts';
import { fmp4SegmenterNode } from '../../src/nodes/fmp4-segmenter/index.ts';
import { standaloneContext } from '../../src/runtime/standalone-context.ts';
import { Redactor } from '../../src/runtime/redact.ts';

export interface RecordStart {
  readonly cmd: 'start';
  readonly url: string;
  readonly streams: number;
  readonly outDir: string;
  readonly segmentLength: string;
  readonly source: 'session' | 'node';
}
export interface RecordReady {
  readonly type: 'ready';
}
/** Every stream has delivered its first sample. */
export interface RecordStreaming {
  readonly type: 'streaming';
}
export interface RecordDone {
  readonly type: 'done';
  readonly rtpPackets: number;
  readonly lostPackets: number;
  readonly videoFrames: number;
  readonly audioFrames: number;
  readonly droppedBeforeConfig: number;
  readonly depacketizeErrors: number;
  readonly segments: number;
  /** Streams that ended with an error (message per stream). */
  readonly errors: readonly string[];
}

interface Running {
  readonly done: Promise<number>;
  readonly session: () => RtspMediaSession | undefined;
}

const redactor = new Redactor();
const stop$ = new Subject<void>();
const streaming = new Set<number>();
const failures: string[] = [];
let expected = 0;

function sessionSource(url: string, onSession: (s: RtspMediaSession) => void): Observable<MediaMessage> {
  return new Observable<MediaMessage>((subscriber) => {
    const session = new RtspMediaSession(
      { url, transport: 'tcp' },
      {
        onMessage: (m) => (m.kind === 'end' ? subscriber.complete() : subscriber.next(m)),
        onError: (e) => subscriber.error(e),
      },
    );
    onSession(session);
    session.start().catch((e: unknown) => subscriber.error(e));
    const sub = stop$.subscribe(() => void session.stop());
    return () => {
      sub.unsubscribe();
      void session.stop().catch(() => undefined);
    };
  });
}

function record(i: number, o: RecordStart): Running {
  let session: RtspMediaSession | undefined;
  const services = { dataDirectory: o.outDir };
  const source: Observable<MediaMessage> =
    o.source === 'node'
      ? (rtspSourceNode.create!(
          { '@type': rtspSourceNode.type, name: 'source', transport: 'Tcp', endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: o.url } },
          standaloneContext({ nodeName: 'source', logLevel: 'error', stop$, services, redactor }),
        )([]) as Observable<MediaMessage>)
      : sessionSource(o.url, (s) => (session = s));
  const first = source.pipe(
    tap((m) => {
      if (m.kind === 'sample' && !streaming.has(i)) {
        streaming.add(i);
        if (streaming.size === expected) process.send?.({ type: 'streaming' } satisfies RecordStreaming);
      }
    }),
  );
  const segmenter = fmp4SegmenterNode.create!(
    {
      '@type': fmp4SegmenterNode.type,
      name: 'segmenter',
      segmentLength: o.segmentLength,
      outputDirectoryPath: join(o.outDir, `s${String(i).padStart(3, '0')}`),
    },
    standaloneContext({ nodeName: 'segmenter', stop$, services, redactor }),
  );
  // a stream that fails (e.g. media timeout on a saturated machine) is reported at stop, not a crash
  const done = lastValueFrom(segmenter({ media: first }).pipe(count(), defaultIfEmpty(0))).catch((e: unknown) => {
    failures.push(`stream ${i}: ${e instanceof Error ? e.message : String(e)}`);
    return 0;
  });
  return { done, session: () => session };
}

export interface ProfileWritten {
  readonly type: 'profile-written';
  readonly path: string;
}

// BENCH_PROFILE=heap samples allocations (collected ones included) instead of CPU time.
const heapMode = process.env.BENCH_PROFILE === 'heap';
let profiler: Session | undefined;
function profileStart(): void {
  profiler = new Session();
  profiler.connect();
  if (heapMode) {
    profiler.post('HeapProfiler.enable', () =>
      profiler?.post('HeapProfiler.startSampling', {
        samplingInterval: 16384,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      } as object),
    );
  } else profiler.post('Profiler.enable', () => profiler?.post('Profiler.start'));
}
function profileStop(path: string): void {
  const done = (profile: unknown) => {
    if (profile !== undefined) writeFileSync(path, JSON.stringify(profile));
    profiler?.disconnect();
    profiler = undefined;
    process.send?.({ type: 'profile-written', path } satisfies ProfileWritten);
  };
  if (heapMode) profiler?.post('HeapProfiler.stopSampling', (err, res) => done(err ? undefined : res.profile));
  else profiler?.post('Profiler.stop', (err, res) => done(err ? undefined : res.profile));
}

let running: Running[] = [];
process.send?.({ type: 'ready' } satisfies RecordReady);
process.on('message', (m: RecordStart | { cmd: 'stop' } | { cmd: 'profile-start' } | { cmd: 'profile-stop'; path: string }) => {
  if (m.cmd === 'profile-start') profileStart();
  else if (m.cmd === 'profile-stop') profileStop(m.path);
  else if (m.cmd === 'start') {
    expected = m.streams;
    running = Array.from({ length: m.streams }, (_, i) => record(i, m));
  } else if (m.cmd === 'stop') {
    stop$.next();
    void Promise.allSettled(running.map((r) => r.done)).then((results) => {
      const sessions = running.map((r) => r.session()).filter((s): s is RtspMediaSession => s !== undefined);
      const sum = (k: 'rtpPackets' | 'lostPackets' | 'videoFrames' | 'audioFrames' | 'droppedBeforeConfig' | 'depacketizeErrors') =>
        sessions.reduce((n, s) => n + s.stats[k], 0);
      const done: RecordDone = {
        type: 'done',
        rtpPackets: sum('rtpPackets'),
        lostPackets: sum('lostPackets'),
        videoFrames: sum('videoFrames'),
        audioFrames: sum('audioFrames'),
        droppedBeforeConfig: sum('droppedBeforeConfig'),
        depacketizeErrors: sum('depacketizeErrors'),
        segments: results.reduce((n, r) => n + (r.status === 'fulfilled' ? r.value : 0), 0),
        errors: failures,
      };
      process.send?.(done, () => process.exit(0));
    });
  }
});
process.on('disconnect', () => process.exit(0));
