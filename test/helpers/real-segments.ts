// Real fMP4 segments for cache tests that must parse media: the simulated camera (fast) over
// RTSP on loopback into the RTSP source and the segmenter, as the `record` command runs them.
import { Subject, lastValueFrom, filter, take, toArray, takeUntil, timer } from 'rxjs';
import { rtspSourceNode } from '../../src/nodes/rtsp-source/index.ts';
import { fmp4SegmenterNode } from '../../src/nodes/fmp4-segmenter/index.ts';
import { standaloneContext } from '../../src/runtime/standalone-context.ts';
import { Redactor } from '../../src/runtime/redact.ts';
import { startSimulatedCamera, type SimulatedCameraQuirks } from '../../src/testing/sim-camera/index.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';

/** What the simulated camera plays (default: the committed H.264 + AAC clip, at 10× speed). */
export interface RealSegmentSource {
  readonly file?: string;
  readonly speed?: number;
  readonly quirks?: SimulatedCameraQuirks;
}

/** `count` closed segments of `segmentLength` in `dir` (plus their init), from a fixture played by the simulated camera. */
export async function recordRealSegments(dir: string, count: number, segmentLength = 'PT1S', from: RealSegmentSource = {}): Promise<SegmentMessage[]> {
  const camera = await startSimulatedCamera({
    file: from.file ?? 'test/fixtures/media/h264-main-aac.mp4',
    speed: from.speed ?? 10,
    ...(from.quirks ? { quirks: from.quirks } : {}),
  });
  const stop$ = new Subject<void>();
  const redactor = new Redactor();
  const services = { dataDirectory: dir };
  try {
    const source = rtspSourceNode.create!(
      {
        '@type': rtspSourceNode.type,
        name: 'source',
        transport: 'Tcp',
        endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: camera.url },
      },
      standaloneContext({ nodeName: 'source', logLevel: 'silent', stop$, services, redactor }),
    );
    const segmenter = fmp4SegmenterNode.create!(
      { '@type': fmp4SegmenterNode.type, name: 'segmenter', segmentLength, outputDirectoryPath: dir },
      standaloneContext({ nodeName: 'segmenter', logLevel: 'silent', stop$, services, redactor }),
    );
    const segments = await lastValueFrom(
      segmenter({ media: source([]) }).pipe(
        filter((m): m is SegmentMessage => (m as SegmentMessage).kind === 'segment'),
        take(count),
        takeUntil(timer(30_000)),
        toArray(),
      ),
    );
    if (segments.length < count) throw new Error(`only ${segments.length} of ${count} segments within 30 s`);
    return segments;
  } finally {
    stop$.next();
    await camera.close();
  }
}
