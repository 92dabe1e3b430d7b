// `#Microsoft.Media.MediaGraphHttpExtension`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';
import { EXTENSION_PROPERTIES } from '../extension-schema.ts';

export const httpExtensionNode = defineNode({
  type: '#Microsoft.Media.MediaGraphHttpExtension',
  role: 'processor',
  description: 'Sends images to an HTTP inference server.',
  configSchema: {
    'type': 'object',
    'required': ['endpoint', 'image'],
    'properties': {
      ...EXTENSION_PROPERTIES,
    },
  },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'HTTP extensions need decoded images, which mediagraph does not produce yet',
});
