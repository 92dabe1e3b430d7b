// `#Microsoft.Media.MediaGraphCognitiveServicesVisionExtension`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';
import { EXTENSION_PROPERTIES } from '../extension-schema.ts';

export const cognitiveServicesVisionExtensionNode = defineNode({
  type: '#Microsoft.Media.MediaGraphCognitiveServicesVisionExtension',
  role: 'processor',
  description: 'Spatial Analysis extension (LVA 2.0).',
  configSchema: {
    'type': 'object',
    'required': ['endpoint', 'image'],
    'properties': {
      ...EXTENSION_PROPERTIES,
      'extensionConfiguration': { 'type': 'string' },
    },
  },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'Cognitive Services extensions are not implemented',
});
