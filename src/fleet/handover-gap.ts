// The `handover` gap (docs/fleet.md, Fencing and handover): when a host takes over an instance
// another host recorded, the asset has no media from the previous owner's last stored segment
// to the new owner's first. The new owner writes that stretch into the asset's index once its
// own first segment is stored, so the gap ends exactly where its media begins.
import type { Subscription } from 'rxjs';
import type { GraphEvent } from '../types/events.ts';
import type { Logger } from '../types/logger.ts';
import { BlobAssetStore } from '../storage/blob/index.ts';
import { parseIsoBasic } from '../storage/blob/naming.ts';
import { recordHandoverGap } from '../storage/handover-gap.ts';
import type { MediaGraphHost } from '../runtime/host.ts';

/** How far back the previous owner's last segment is looked for. */
const LOOK_BACK_MS = 3600_000;
/** Shorter holes are not a handover (segment boundaries jitter by a frame or so). */
const MIN_GAP_MS = 1000;

interface Expected {
  readonly sinceWallMs: number;
  asset?: string;
}

export class HandoverGapWriter {
  readonly #connection: string;
  readonly #logger: Logger;
  readonly #expected = new Map<string, Expected>();
  readonly #subscription: Subscription;

  constructor(host: MediaGraphHost, connection: string, logger: Logger) {
    this.#connection = connection;
    this.#logger = logger;
    this.#subscription = host.events$.subscribe((e) => this.#onEvent(e));
  }

  /** This host took `instance` over from another one at `sinceWallMs`. */
  expect(instance: string, sinceWallMs: number): void {
    this.#expected.set(instance.toLowerCase(), { sinceWallMs });
  }

  forget(instance: string): void {
    this.#expected.delete(instance.toLowerCase());
  }

  close(): void {
    this.#subscription.unsubscribe();
    this.#expected.clear();
  }

  #onEvent(e: GraphEvent): void {
    const m = /^\/graphInstances\/([^/]+)/.exec(e.subject);
    const key = m?.[1]?.toLowerCase();
    const expected = key ? this.#expected.get(key) : undefined;
    if (!key || !expected) return;
    const body = e.body as Record<string, unknown>;
    if (e.type === 'RecordingStarted' && typeof body['outputLocation'] === 'string') expected.asset = body['outputLocation'];
    if (e.type !== 'SegmentUploaded' || !expected.asset) return;
    const start = segmentStart(String(body['blobName'] ?? ''));
    // a segment left in this host's cache from an earlier ownership is not the new media
    if (start === undefined || start < expected.sinceWallMs - MIN_GAP_MS) return;
    this.#expected.delete(key);
    const asset = expected.asset;
    void this.#write(asset, start).catch((err: unknown) =>
      this.#logger.warn('could not record the handover gap', { asset, error: err instanceof Error ? err.message : String(err) }),
    );
  }

  async #write(asset: string, firstNewStartMs: number): Promise<void> {
    const store = await BlobAssetStore.create(this.#connection, asset);
    const gap = await recordHandoverGap(store, firstNewStartMs, { signal: AbortSignal.timeout(15_000), maxGapMs: LOOK_BACK_MS });
    if (gap && gap.endMs - gap.startMs >= MIN_GAP_MS)
      this.#logger.info('handover gap recorded', { asset, seconds: Math.round((gap.endMs - gap.startMs) / 100) / 10 });
  }
}

function segmentStart(blobName: string): number | undefined {
  const m = /^segments\/(\d{8}T\d{6}(?:\.\d+)?Z)_\d+\.m4s$/.exec(blobName);
  if (!m) return undefined;
  const t = parseIsoBasic(m[1]!);
  return Number.isFinite(t) ? t : undefined;
}
