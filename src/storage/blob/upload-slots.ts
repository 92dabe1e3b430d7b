// How many segment uploads one process sends at once, across every asset store it holds.
// When many instances were activated together their segments close within milliseconds of
// each other; starting all their uploads at once stalls the event loop (100 files opened and
// read, 100 requests built, a burst of chunk buffers for the garbage collector) and delays
// every camera's packets. A few at a time moves the same bytes: on loopback or a LAN one
// upload already fills what the link and the storage service take, and the rest wait their
// turn, which is not counted against their request deadline.

/** A counting semaphore whose waits can be abandoned (stop, drain timeout). */
export class UploadSlots {
  readonly #limit: number;
  #inUse = 0;
  readonly #waiting: { grant: () => void }[] = [];

  constructor(limit: number) {
    this.#limit = Math.max(1, Math.floor(limit));
  }

  get limit(): number {
    return this.#limit;
  }

  /** Uploads running now (tests, diagnostics). */
  get inUse(): number {
    return this.#inUse;
  }

  /** Runs `work` once a slot is free; the slot is given back however `work` ends. */
  async run<T>(work: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.#acquire(signal);
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  #acquire(signal?: AbortSignal): Promise<void> {
    signal?.throwIfAborted();
    if (this.#inUse < this.#limit) {
      this.#inUse++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          this.#inUse++;
          resolve();
        },
      };
      const onAbort = (): void => {
        const i = this.#waiting.indexOf(entry);
        if (i >= 0) this.#waiting.splice(i, 1);
        reject(signal?.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#waiting.push(entry);
    });
  }

  #release(): void {
    this.#inUse--;
    this.#waiting.shift()?.grant();
  }
}

/**
 * The process's slots for segment uploads. Eight: enough for a high-latency link to carry
 * several requests at once, few enough that their chunk buffers come from the shared pool.
 */
export const SEGMENT_UPLOAD_SLOTS = 8;
export const segmentUploadSlots = new UploadSlots(SEGMENT_UPLOAD_SLOTS);
