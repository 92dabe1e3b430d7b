// `#Microsoft.Media.MediaGraphGrpcExtension`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';
import { EXTENSION_PROPERTIES } from '../extension-schema.ts';

export const grpcExtensionNode = defineNode({
  type: '#Microsoft.Media.MediaGraphGrpcExtension',
  role: 'processor',
  description: 'Sends frames to a gRPC inference server.',
  configSchema: {
    'type': 'object',
    'required': ['endpoint', 'image', 'dataTransfer'],
    'properties': {
      ...EXTENSION_PROPERTIES,
      'dataTransfer': {
        'type': 'object',
        'required': ['mode'],
        'properties': { 'mode': { 'enum': ['Embedded', 'SharedMemory'] }, 'sharedMemorySizeMiB': { 'type': ['string', 'number'] } },
      },
      'extensionConfiguration': { 'type': 'string' },
    },
  },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'gRPC extensions need decoded frames, which mediagraph does not produce yet',
});
