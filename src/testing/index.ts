// `mediagraph/testing`: helpers for users' tests of their own node types and graphs — marble
// helpers, a simulated RTSP camera, a fault-injecting TCP proxy and an in-process Azurite.
export { createTestContext, instantiateNode, marbleTest } from './marbles.ts';
export type { RecordedEvent, TestNodeContext, TestContextOptions } from './marbles.ts';
export { startSimulatedCamera } from './sim-camera/index.ts';
export { startTcpProxy } from './tcp-proxy.ts';
export { startAzurite, azuriteConnectionString } from './azurite.ts';
