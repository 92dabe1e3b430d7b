// `#Microsoft.Media.MediaGraphSignalGateProcessor`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const signalGateNode = defineNode({
  type: '#Microsoft.Media.MediaGraphSignalGateProcessor',
  role: 'processor',
  description: "Lets media through for a while after a trigger event (event-based recording).",
  configSchema: {"type": "object", "properties": {"activationEvaluationWindow": {"type": "string"}, "activationSignalOffset": {"type": "string"}, "minimumActivationTime": {"type": "string"}, "maximumActivationTime": {"type": "string"}}},
  inputs: ["media", "signal"],
  output: "media",
  inputCount: { min: 2, max: 2 },
  notSupportedYet: "the signal gate is not implemented yet",
});
