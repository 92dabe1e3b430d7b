// Notices an uplink coming back. While storage calls fail, a cheap probe (one small request
// with a short deadline) runs every `intervalMs`; once it has seen the account unreachable and
// then reachable again, `backSignal` aborts. The uploader ties its backoff sleeps and the
// requests it sent during the outage to that signal: a request stuck on a connection that died
// with the line would otherwise hold the retry loop until its own (long) deadline, and the
// backoff, grown during the outage, would add up to half a minute more.
//
// A store that answers but fails (HTTP 500s) never looks "gone", so it keeps the normal backoff.
import { setTimeout as wait } from 'node:timers/promises';

export interface UplinkWatchOptions {
  /** True when storage answered (any HTTP status); must settle within about `intervalMs`. */
  readonly probe: (signal: AbortSignal) => Promise<boolean>;
  readonly intervalMs: number;
  /** Ends the watch for good (the uploader stopped). */
  readonly stop: AbortSignal;
}

export class UplinkWatch {
  readonly #opts: UplinkWatchOptions;
  #back: AbortController | undefined;
  #sawGone = false;

  constructor(opts: UplinkWatchOptions) {
    this.#opts = opts;
  }

  /** Aborts when the line is seen back after this outage; undefined when there is no outage. */
  get backSignal(): AbortSignal | undefined {
    return this.#back?.signal;
  }

  /** A storage call failed: watch for the line (if not already). */
  failed(): void {
    if (this.#back || this.#opts.stop.aborted) return;
    const back = new AbortController();
    this.#back = back;
    this.#sawGone = false;
    void this.#probeLoop(back);
  }

  /** A storage call succeeded: the outage, if the probe saw one, is over. */
  succeeded(): void {
    if (!this.#back) return;
    if (this.#sawGone) this.#end('storage answered again');
    else this.#back = undefined; // failures without an outage (e.g. HTTP 500s): nothing to cut short
  }

  #end(why: string): void {
    const b = this.#back;
    this.#back = undefined;
    b?.abort(new Error(why));
  }

  async #probeLoop(back: AbortController): Promise<void> {
    const { probe, intervalMs, stop } = this.#opts;
    while (this.#back === back && !stop.aborted) {
      if (!(await wait(intervalMs, true, { signal: AbortSignal.any([stop, back.signal]) }).catch(() => false))) return;
      const ok = await probe(AbortSignal.any([stop, back.signal])).catch(() => false);
      if (this.#back !== back) return;
      if (!ok) this.#sawGone = true;
      else if (this.#sawGone) {
        this.#end('storage reachable again');
        return;
      }
    }
  }
}
