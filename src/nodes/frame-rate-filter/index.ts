// `#Microsoft.Media.MediaGraphFrameRateFilterProcessor`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const frameRateFilterNode = defineNode({
  type: '#Microsoft.Media.MediaGraphFrameRateFilterProcessor',
  role: 'processor',
  description: 'Drops frames above maximumFps (LVA 1.0; deprecated in 2.0).',
  configSchema: { 'type': 'object', 'required': ['maximumFps'], 'properties': { 'maximumFps': { 'type': ['string', 'number'] } } },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'frame rate filtering needs decoded frames, which mediagraph does not produce yet',
});
