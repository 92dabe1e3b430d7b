// `#Microsoft.Media.MediaGraphIoTHubMessageSource`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const iotHubMessageSourceNode = defineNode({
  type: '#Microsoft.Media.MediaGraphIoTHubMessageSource',
  role: 'source',
  description: 'Receives trigger messages from an IoT Edge module input.',
  configSchema: { 'type': 'object', 'properties': { 'hubInputName': { 'type': 'string' } } },
  inputs: {},
  output: { kind: 'signal' },
  notSupportedYet: 'IoT Hub messaging needs a message bus binding, which mediagraph does not have yet',
});
