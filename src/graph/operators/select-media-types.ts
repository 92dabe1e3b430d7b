// LVA's outputSelectors on an input: keep or drop tracks by media type. Track ids are learnt
// from TrackInfo messages; messages that are not about one track pass unchanged.
import { filter, type MonoTypeOperatorFunction } from 'rxjs';
import type { MediaMessage } from '../../types/media.ts';
import type { OutputSelector } from '../../types/node.ts';

export function matchesSelectors(mediaType: string, selectors: readonly OutputSelector[]): boolean {
  return selectors.every((s) => (s.operator === 'is' ? mediaType === s.value : mediaType !== s.value));
}

export function selectMediaTypes(selectors: readonly OutputSelector[]): MonoTypeOperatorFunction<MediaMessage> {
  return (source) => {
    const trackTypes = new Map<number, string>();
    return source.pipe(
      filter((msg) => {
        if (msg.kind === 'track') {
          trackTypes.set(msg.trackId, msg.mediaType);
          return matchesSelectors(msg.mediaType, selectors);
        }
        if (msg.kind === 'sample') {
          const t = trackTypes.get(msg.trackId);
          return t !== undefined && matchesSelectors(t, selectors);
        }
        return true;
      }),
    );
  };
}
