// Scenario 1: SIGKILLs at random moments of a process that caches segments and uploads them
// to Azurite (disk-backed, in-process here). Reuses the harness behind faults/sigkill-cvr.ts
// and sorts its violations into corrupt / duplicate / lost, where lost = acknowledged by the
// cache and neither in the store, nor still cached, nor inside a recorded gap.
//   node --import tsx faults/sigkill.ts [--kills=100]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSigkillTrials } from '../test/integration/sigkill-cache-harness.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { argNumber, isMain, runAsMain, type ScenarioResult } from './lib.ts';

export async function runSigkillScenario(kills = 100): Promise<ScenarioResult> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-sigkill-'));
  const az = await startAzurite({ location: join(root, 'azurite') });
  try {
    // Kill windows from just after open to well into the upload loop.
    const r = await runSigkillTrials(join(root, 'run'), kills, { blobConnection: az.connectionString, killAfterMs: [20, 800] });
    const count = (re: RegExp): number => r.violations.filter((v) => re.test(v)).length;
    const corrupt = count(/corrupt|size account|above bound/);
    const duplicate = count(/twice|still cached|stored twice/);
    const lost = count(/lost|not in the store/);
    const other = r.violations.length - corrupt - duplicate - lost;
    return {
      scenario: 'sigkill record+upload',
      pass: r.violations.length === 0,
      trials: r.trials,
      figures: {
        kills: r.trials,
        acknowledged: r.acked,
        uploaded: r.uploaded,
        cachedAtEnd: r.cached,
        inRecordedGaps: r.inGaps,
        corrupt,
        duplicate,
        lost,
        other,
      },
      failures: r.violations.slice(0, 20),
      notes: ['child = DurableSegmentCache + BlobAssetStore uploader with synthetic segments (test/integration/sigkill-cache-child.ts), not the RTSP host'],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await az.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runSigkillScenario(argNumber('kills', 100)));
