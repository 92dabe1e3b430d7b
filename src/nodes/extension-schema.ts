// The configuration LVA's three extension processors share (HTTP, gRPC, Cognitive Services):
// where the inference server is, the image each frame becomes, and how often frames are sent.
// Each extension's node adds its own properties (gRPC: dataTransfer, extensionConfiguration).

/** JSON Schema properties common to every extension processor. */
export const EXTENSION_PROPERTIES = {
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
};
