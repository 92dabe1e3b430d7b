// Fault run: 100 SIGKILLs of a process that caches segments, then 30 more of one that also
// uploads them to a (disk-backed, in-process) Azurite. After every kill the next opener
// recovers the cache; checked each time: no corrupt file, no duplicate, no size drift, and
// every acknowledged segment is still cached, stored as an intact blob, or inside a recorded gap.
//   node --import tsx faults/sigkill-cvr.ts [cacheTrials=100] [uploadTrials=30]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSigkillTrials, type TrialSummary } from '../test/integration/sigkill-cache-harness.ts';
import { startAzurite } from '../src/testing/azurite.ts';

const cacheTrials = Number(process.argv[2] ?? 100);
const uploadTrials = Number(process.argv[3] ?? 30);
const root = mkdtempSync(join(tmpdir(), 'sigkill-cvr-'));
const report = (what: string, r: TrialSummary, ms: number): void => {
  console.log(
    `${what}: ${r.trials} kills in ${(ms / 1000).toFixed(1)} s; ${r.acked} segments acknowledged, ${r.uploaded} confirmed uploaded, ${r.cached} cached at the end, ${r.inGaps} inside recorded gaps; violations: ${r.violations.length}`,
  );
  for (const v of r.violations.slice(0, 20)) console.log(`  ${v}`);
};
let failed = false;
try {
  let t0 = performance.now();
  const a = await runSigkillTrials(join(root, 'cache-only'), cacheTrials);
  report('cache only', a, performance.now() - t0);
  failed ||= a.violations.length > 0;

  const az = await startAzurite({ location: join(root, 'azurite') });
  try {
    t0 = performance.now();
    const b = await runSigkillTrials(join(root, 'with-uploads'), uploadTrials, { blobConnection: az.connectionString, killAfterMs: [50, 600] });
    report('cache + uploads to Azurite', b, performance.now() - t0);
    failed ||= b.violations.length > 0;
  } finally {
    await az.close();
  }
} finally {
  rmSync(root, { recursive: true, force: true });
}
console.log(failed ? 'FAIL' : 'PASS');
process.exit(failed ? 1 : 0);
