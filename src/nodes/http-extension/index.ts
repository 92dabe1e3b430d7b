// `#Microsoft.Media.MediaGraphHttpExtension`, one of LVA's node types. It validates like LVA's, and activation
// fails with NodeTypeNotSupported until it is implemented: never a silent no-op.
import { defineNode } from '../define-node.ts';

export const httpExtensionNode = defineNode({
  type: '#Microsoft.Media.MediaGraphHttpExtension',
  role: 'processor',
  description: 'Sends images to an HTTP inference server.',
  configSchema: {
    'type': 'object',
    'required': ['endpoint', 'image'],
    'properties': {
      'endpoint': {
        'type': 'object',
        'required': ['@type', 'url'],
        'properties': {
          '@type': { 'enum': ['#Microsoft.Media.MediaGraphUnsecuredEndpoint', '#Microsoft.Media.MediaGraphTlsEndpoint'] },
          'url': { 'type': 'string' },
          'credentials': { 'type': 'object' },
          'trustedCertificates': { 'type': 'object' },
          'validationOptions': { 'type': 'object' },
        },
      },
      'image': {
        'type': 'object',
        'properties': {
          'scale': {
            'type': 'object',
            'properties': {
              'mode': { 'enum': ['PreserveAspectRatio', 'Pad', 'Stretch'] },
              'width': { 'type': ['string', 'number'] },
              'height': { 'type': ['string', 'number'] },
            },
          },
          'format': {
            'type': 'object',
            'required': ['@type'],
            'properties': {
              '@type': {
                'enum': [
                  '#Microsoft.Media.MediaGraphImageFormatJpeg',
                  '#Microsoft.Media.MediaGraphImageFormatBmp',
                  '#Microsoft.Media.MediaGraphImageFormatPng',
                  '#Microsoft.Media.MediaGraphImageFormatRaw',
                  '#Microsoft.Media.MediaGraphImageFormatEncoded',
                ],
              },
              'quality': { 'type': ['string', 'number'] },
              'pixelFormat': { 'enum': ['Yuv420p', 'Rgb565be', 'Rgb565le', 'Rgb555be', 'Rgb555le', 'Rgb24', 'Bgr24', 'Argb', 'Rgba', 'Abgr', 'Bgra'] },
              'encoding': { 'enum': ['Jpeg', 'Bmp', 'Png'] },
            },
          },
        },
      },
      'samplingOptions': {
        'type': 'object',
        'properties': { 'skipSamplesWithoutAnnotation': { 'type': ['string', 'boolean'] }, 'maximumSamplesPerSecond': { 'type': ['string', 'number'] } },
      },
    },
  },
  inputs: { media: { kind: 'media', max: Infinity } },
  output: { kind: 'media' },
  notSupportedYet: 'HTTP extensions need decoded images, which mediagraph does not produce yet',
});
