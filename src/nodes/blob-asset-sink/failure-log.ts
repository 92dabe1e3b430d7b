// Log lines for storage failures during an outage: the first failure in full, then one summary
// every `summaryIntervalMs` while it lasts, and one line when storage answers again. A dead
// uplink for a weekend is then a handful of lines, not one per retry. (StorageError events
// still go out for every failure: they are structured, and consumers filter them.)
import type { Logger } from '../../types/logger.ts';

export interface StorageFailure {
  readonly code: string | undefined;
  readonly message: string;
  readonly willRetry: boolean;
}

export class StorageFailureLog {
  readonly #logger: Logger;
  readonly #now: () => number;
  readonly #summaryIntervalMs: number;
  #since: number | undefined;
  #failures = 0;
  #sinceLastLine = 0;
  #lastLineAt = 0;

  constructor(logger: Logger, now: () => number, summaryIntervalMs = 300_000) {
    this.#logger = logger;
    this.#now = now;
    this.#summaryIntervalMs = summaryIntervalMs;
  }

  failed(f: StorageFailure): void {
    const now = this.#now();
    this.#failures++;
    this.#sinceLastLine++;
    if (this.#since === undefined || !f.willRetry) {
      this.#since ??= now;
      this.#lastLineAt = now;
      this.#sinceLastLine = 0;
      this.#logger.warn('storage call failed', {
        code: f.code,
        message: f.message,
        willRetry: f.willRetry,
        ...(f.willRetry ? { note: `retrying; repeats are summarised every ${Math.round(this.#summaryIntervalMs / 1000)} s` } : {}),
      });
      return;
    }
    if (now - this.#lastLineAt >= this.#summaryIntervalMs) {
      this.#logger.warn('storage still failing', {
        failedForSeconds: Math.round((now - this.#since) / 1000),
        failures: this.#failures,
        failuresSinceLastLine: this.#sinceLastLine,
        code: f.code,
        message: f.message,
      });
      this.#lastLineAt = now;
      this.#sinceLastLine = 0;
    }
  }

  succeeded(): void {
    if (this.#since === undefined) return;
    this.#logger.info('storage reachable again', { failedForSeconds: Math.round((this.#now() - this.#since) / 1000), failures: this.#failures });
    this.#since = undefined;
    this.#failures = 0;
    this.#sinceLastLine = 0;
  }
}
