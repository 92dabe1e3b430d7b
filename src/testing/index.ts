// `mediagraph/testing`: helpers for users' tests of their own node types and graphs.
export { createTestContext, instantiateNode, marbleTest } from './marbles.ts';
export type { RecordedEvent, TestNodeContext, TestContextOptions } from './marbles.ts';
