// A NodeContext for tests of the segmenter and file sink: mediagraph/testing's own test
// context (recorded events, log lines, metrics) with a temp data directory and, by default,
// the real clock.
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createTestContext, type TestNodeContext } from '../../src/testing/index.ts';

export interface RecordingContext extends TestNodeContext {
  /** The events the node emitted, oldest first (an alias of `recordedEvents`). */
  readonly recorded: TestNodeContext['recordedEvents'];
}

export function testContext(dataDirectory: string, scheduler: SchedulerLike = asyncScheduler, nodeName = 'segmenter'): RecordingContext {
  const ctx = createTestContext({ scheduler, nodeName, instanceName: 'inst', topologyName: 'topo', services: { dataDirectory } });
  return { ...ctx, recorded: ctx.recordedEvents };
}
