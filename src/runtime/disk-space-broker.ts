// The per-activation DiskSpaceBroker (see src/types/node.ts): reclaimers are asked in the
// order they registered, one at a time, so concurrent requests do not evict twice for one need.
import type { DiskSpaceBroker } from '../types/node.ts';

export function createDiskSpaceBroker(): DiskSpaceBroker {
  const reclaimers = new Set<() => Promise<boolean>>();
  let queue: Promise<unknown> = Promise.resolve();
  return {
    register(reclaim) {
      reclaimers.add(reclaim);
      return () => void reclaimers.delete(reclaim);
    },
    reclaim() {
      const attempt = queue.then(async () => {
        for (const r of reclaimers) {
          try {
            if (await r()) return true;
          } catch {
            /* a reclaimer that failed freed nothing */
          }
        }
        return false;
      });
      queue = attempt.catch(() => undefined);
      return attempt;
    },
  };
}
