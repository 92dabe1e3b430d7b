// Real fMP4 segments for cache tests that must parse media: the simulated camera (fast) over
// RTSP on loopback into the RTSP source and the segmenter, as the `record` command runs them.
import { Subject, lastValueFrom, filter, take, toArray, takeUntil, timer } from 'rxjs';
import { rtspSourceNode } from '../../src/nodes/rtsp-source/index.ts';
import { fmp4SegmenterNode } from '../../src/nodes/fmp4-segmenter/index.ts';
import { standaloneContext } from '../../src/runtime/standalone-context.ts';
import { Redactor } from '../../src/runtime/redact.ts';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { SegmentMessage } from '../../src/types/segment.ts';

/** `count` closed segments of `segmentLength` in `dir` (plus their init), from the repo's fixture at 10× speed. */
export async function recordRealSegments(dir: string, count: number, segmentLength = 'PT1S'): Promise<SegmentMessage[]> {
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  const stop$ = new Subject<void>();
  const redactor = new Redactor();
  const services = { dataDirectory: dir };
  try {
    const source = rtspSourceNode.create!(
      { '@type': rtspSourceNode.type, name: 'source', transport: 'Tcp', endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: camera.url } },
      standaloneContext({ nodeName: 'source', logLevel: 'silent', stop$, services, redactor }),
    );
    const segmenter = fmp4SegmenterNode.create!(
      { '@type': fmp4SegmenterNode.type, name: 'segmenter', segmentLength, outputDirectoryPath: dir },
      standaloneContext({ nodeName: 'segmenter', logLevel: 'silent', stop$, services, redactor }),
    );
    const segments = await lastValueFrom(segmenter({ media: source([]) }).pipe(
      filter((m): m is SegmentMessage => (m as SegmentMessage).kind === 'segment'),
      take(count),
      takeUntil(timer(30_000)),
      toArray(),
    ));
    if (segments.length < count) throw new Error(`only ${segments.length} of ${count} segments within 30 s`);
    return segments;
  } finally {
    stop$.next();
    await camera.close();
  }
}
