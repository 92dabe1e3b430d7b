// `#Microsoft.Media.MediaGraphMotionDetectionProcessor`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const motionDetectionNode = defineNode({
  type: '#Microsoft.Media.MediaGraphMotionDetectionProcessor',
  role: 'processor',
  description: 'Detects motion in video and emits Inference events; frames with motion pass through.',
  configSchema: {
    'type': 'object',
    'properties': {
      'sensitivity': { 'enum': ['Low', 'Medium', 'High'] },
      'outputMotionRegion': { 'type': ['string', 'boolean'] },
      'eventAggregationWindow': { 'type': 'string' },
    },
  },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'motion detection needs a video decoder, which mediagraph does not have yet',
});
