// A camera's short form as LVA documents: the CVR topology (RTSP source → asset sink), one per
// camera so that changing one camera's options restarts that camera only, and an instance
// carrying the URL and credentials (the password a SecretString, masked wherever it is read).
import type { SiteCamera, SiteConfig } from './site-config.ts';

export const DEFAULT_CACHE_MIB = 2048;

export interface ExpandedCamera {
  readonly topology: Record<string, unknown>;
  readonly instance: Record<string, unknown>;
}

export function cameraTopologyName(camera: Pick<SiteCamera, 'name'>): string {
  return `site-camera-${camera.name}`;
}

/**
 * `password` is the resolved secret (from the environment, a file or inline); `cachePath` the
 * absolute cache folder of the site.
 */
export function expandCamera(
  camera: SiteCamera,
  site: Pick<SiteConfig, 'defaults' | 'cache'>,
  cachePath: string,
  password: string | undefined,
): ExpandedCamera {
  const segmentLength = camera.segmentLength ?? site.defaults?.segmentLength ?? 'PT30S';
  const transport = camera.transport ?? site.defaults?.transport;
  const audio = camera.audio ?? site.defaults?.audio ?? true;
  const retentionPeriod = camera.retention?.period ?? site.defaults?.retention?.period;
  const retentionMiB = camera.retention?.maximumSizeMiB ?? site.defaults?.retention?.maximumSizeMiB;
  const topologyName = cameraTopologyName(camera);
  const topology = {
    '@apiVersion': '2.0',
    name: topologyName,
    properties: {
      description: `camera ${camera.name}: continuous recording to an asset (from the site file)`,
      parameters: [
        { name: 'rtspUrl', type: 'String', description: 'camera stream URL' },
        { name: 'rtspUserName', type: 'String', description: 'camera user name', default: '' },
        { name: 'rtspPassword', type: 'SecretString', description: 'camera password', default: '' },
      ],
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 'rtspSource',
          ...(transport ? { transport: `${transport[0]!.toUpperCase()}${transport.slice(1)}` } : {}),
          endpoint: {
            '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint',
            url: '${rtspUrl}',
            credentials: { '@type': '#Microsoft.Media.MediaGraphUsernamePasswordCredentials', username: '${rtspUserName}', password: '${rtspPassword}' },
          },
        },
      ],
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphAssetSink',
          name: 'assetSink',
          // LVA wants a system variable in the pattern; the instance is named after the camera
          assetNamePattern: '${System.GraphInstanceName}',
          segmentLength,
          localMediaCacheMaximumSizeMiB: String(site.cache?.maximumSizeMiB ?? DEFAULT_CACHE_MIB),
          localMediaCachePath: cachePath,
          ...(retentionPeriod !== undefined ? { retentionPeriod } : {}),
          ...(retentionMiB !== undefined ? { retentionMaximumSizeMiB: String(retentionMiB) } : {}),
          inputs: [
            {
              nodeName: 'rtspSource',
              outputSelectors: [
                audio ? { property: 'mediaType', operator: 'isNot', value: 'application' } : { property: 'mediaType', operator: 'is', value: 'video' },
              ],
            },
          ],
        },
      ],
    },
  };
  const parameters = [
    { name: 'rtspUrl', value: camera.rtspUrl },
    ...(camera.username !== undefined ? [{ name: 'rtspUserName', value: camera.username }] : []),
    ...(password !== undefined ? [{ name: 'rtspPassword', value: password }] : []),
  ];
  const instance = {
    '@apiVersion': '2.0',
    name: camera.name,
    properties: { topologyName, description: camera.description ?? `camera ${camera.name} (site file)`, parameters },
  };
  return { topology, instance };
}
