// How an application adds its own node type to a host: a registry with the built-ins plus
// the new type, then topologies use it by its `@type` like any other.
import { createBuiltinRegistry, MediaGraphHost, type HostOptions } from 'mediagraph';
import { keyframeSamplerNode } from './keyframe-sampler.ts';

export async function openHostWithCustomNodes(options: Omit<HostOptions, 'registry'>): Promise<MediaGraphHost> {
  const registry = createBuiltinRegistry().register(keyframeSamplerNode);
  return MediaGraphHost.open({ ...options, registry });
}
