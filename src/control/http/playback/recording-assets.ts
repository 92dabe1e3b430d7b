// Which assets this host has stopped recording into, learned from its own events
// (RecordingStarted / RecordingStopped with an asset name). A playlist for an asset whose
// recording stopped will not grow: it gets EXT-X-ENDLIST whatever end time was asked for.
// Only what was seen counts: an asset this host never reported (recorded by another process,
// or before this server started) is judged by its segments alone.
import type { Observable, Subscription } from 'rxjs';
import type { GraphEvent } from '../../../types/events.ts';

export class RecordingAssets {
  /** Asset name (lower case: blob container names are) → recording now. */
  readonly #recording = new Map<string, boolean>();
  readonly #subscription: Subscription;

  constructor(events$: Observable<GraphEvent>) {
    this.#subscription = events$.subscribe((e) => {
      if (e.type !== 'RecordingStarted' && e.type !== 'RecordingStopped') return;
      const body = e.body as { outputType?: string; outputLocation?: string };
      if (body.outputType !== 'assetName' || typeof body.outputLocation !== 'string') return;
      this.#recording.set(body.outputLocation.toLowerCase(), e.type === 'RecordingStarted');
    });
  }

  /** True when this host's recording into `asset` has stopped (and not started again). */
  stopped(asset: string): boolean {
    return this.#recording.get(asset.toLowerCase()) === false;
  }

  /** True while this host records into `asset`. */
  recording(asset: string): boolean {
    return this.#recording.get(asset.toLowerCase()) === true;
  }

  close(): void {
    this.#subscription.unsubscribe();
  }
}
