// `#Microsoft.Media.MediaGraphSignalGateProcessor`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const signalGateNode = defineNode({
  type: '#Microsoft.Media.MediaGraphSignalGateProcessor',
  role: 'processor',
  description: 'Lets media through for a while after a trigger event (event-based recording).',
  configSchema: {
    'type': 'object',
    'properties': {
      'activationEvaluationWindow': { 'type': 'string' },
      'activationSignalOffset': { 'type': 'string' },
      'minimumActivationTime': { 'type': 'string' },
      'maximumActivationTime': { 'type': 'string' },
    },
  },
  // LVA wires the gate to the media and to what triggers it, in either order; the trigger may be
  // another media stream (a motion detector passes its frames on) or a signal.
  inputs: { media: { kind: 'media' }, trigger: { kind: ['signal', 'media'] } },
  output: { kind: 'media' },
  notSupportedYet: 'the signal gate is not implemented yet',
});
