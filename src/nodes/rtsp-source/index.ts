// `#Microsoft.Media.MediaGraphRtspSource`: a real RTSP/RTP client under a supervisor that
// reconnects with capped exponential backoff and jitter.
import { defineNode } from '../define-node.ts';
import { checkRtspSource, rtspSourceSchema, type RtspSourceConfig } from './schema.ts';

export const rtspSourceNode = defineNode<RtspSourceConfig>({
  type: '#Microsoft.Media.MediaGraphRtspSource',
  role: 'source',
  description: 'Receives H.264/H.265 video and AAC audio from an RTSP camera (RTP over TCP, UDP or HTTP tunnelling).',
  configSchema: rtspSourceSchema,
  inputs: [],
  output: 'media',
  check: (config, { unresolved }) => checkRtspSource(config, unresolved),
  notSupportedYet: 'wiring in progress',
});
