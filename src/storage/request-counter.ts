// Storage requests by operation, counted where they are sent (one SDK call = one HTTP request:
// the stores make one try each, retrying is their callers' loop). Storage accounts bill per
// request, so this is the transaction bill as it accrues; `/metrics` exports it as
// `mediagraph_storage_requests_total{op}` (docs/performance.md, Storage transactions).

/** What a request does; writes and reads are billed at different prices. */
export type StorageOp =
  | 'create-container'
  | 'put-init'
  | 'put-segment'
  | 'put-gap'
  | 'put-index'
  | 'get-index'
  | 'get-blob'
  | 'list'
  | 'list-assets'
  | 'probe'
  | 'exists'
  | 'delete-segment'
  | 'delete-blob'
  | 'put-marker'
  | 'delete-index'
  | 'delete-container';

/** The operations that are billed as writes (PUT, DELETE, container creation). */
export const WRITE_OPS: ReadonlySet<StorageOp> = new Set<StorageOp>([
  'create-container',
  'put-init',
  'put-segment',
  'put-gap',
  'put-index',
  'delete-segment',
  'delete-blob',
  'put-marker',
  'delete-index',
  'delete-container',
]);

export class StorageRequestCounter {
  readonly #counts = new Map<StorageOp, number>();

  count(op: StorageOp, n = 1): void {
    this.#counts.set(op, (this.#counts.get(op) ?? 0) + n);
  }

  snapshot(): ReadonlyMap<StorageOp, number> {
    return new Map(this.#counts);
  }

  total(filter: (op: StorageOp) => boolean = () => true): number {
    let n = 0;
    for (const [op, v] of this.#counts) if (filter(op)) n += v;
    return n;
  }
}

/** The process's counter: every store counts here unless given its own. */
export const storageRequests = new StorageRequestCounter();
