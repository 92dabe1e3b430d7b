// `#Microsoft.Media.MediaGraphIoTHubMessageSink`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const iotHubMessageSinkNode = defineNode({
  type: '#Microsoft.Media.MediaGraphIoTHubMessageSink',
  role: 'sink',
  description: 'Publishes analytics events to an IoT Edge module output.',
  configSchema: { 'type': 'object', 'required': ['hubOutputName'], 'properties': { 'hubOutputName': { 'type': 'string' } } },
  inputs: { events: { kind: ['media', 'signal'], max: Infinity } },
  output: null,
  notSupportedYet: 'IoT Hub messaging needs a message bus binding, which mediagraph does not have yet',
});
