// Scenario 2b: how soon uploads resume after a long uplink outage. The line between the asset
// sink and Azurite is blackholed (TCP proxy) for `outageMs` while a segment is recorded every
// second, then restored; measured: the time from the line's return to the first upload. The
// sink runs with its production settings (per-call deadlines 10 s + size at 256 KiB/s, retry
// backoff 0.5 s doubling to 30 s, uplink probe every second). Goal: under 5 s every time.
//   node --import tsx faults/uplink-return.ts [--rounds=3] [--outage-ms=60000]
import { startUplinkRig } from '../test/integration/uplink-rig.ts';
import { argNumber, isMain, runAsMain, sleep, waitFor, type ScenarioResult } from './lib.ts';

export async function runUplinkReturn(o: { rounds: number; outageMs: number }): Promise<ScenarioResult> {
  const t0 = performance.now();
  const rig = await startUplinkRig({ cacheMiB: 256 });
  const failures: string[] = [];
  const returnToUploadMs: number[] = [];
  try {
    rig.push(256 * 1024);
    if (!(await waitFor(() => rig.uploadedKs().length === 1, 20_000))) failures.push('no upload before the first outage');
    for (let r = 0; r < o.rounds; r++) {
      rig.proxy.mode('blackhole');
      const cutEnd = Date.now() + o.outageMs;
      while (Date.now() < cutEnd) {
        rig.push(256 * 1024);
        await sleep(1000);
      }
      const before = rig.uploadedKs().length;
      rig.proxy.mode('pass');
      const backAt = Date.now();
      if (await waitFor(() => rig.uploadedKs().length > before, 60_000)) returnToUploadMs.push(Date.now() - backAt);
      else failures.push(`round ${r + 1}: no upload within 60 s of the line's return`);
      if (!(await waitFor(() => rig.queue()?.stats().segments === 0, 60_000))) failures.push(`round ${r + 1}: backlog not drained within 60 s`);
    }
    const slow = returnToUploadMs.filter((ms) => ms > 5000);
    if (slow.length) failures.push(`${slow.length} returns took more than 5 s to the first upload: ${slow.join(',')} ms`);
    const sorted = [...returnToUploadMs].sort((a, b) => a - b);
    return {
      scenario: 'uplink return after a long outage',
      pass: failures.length === 0,
      trials: o.rounds,
      figures: {
        rounds: o.rounds,
        outageS: o.outageMs / 1000,
        uploads: rig.uploadedKs().length,
        medianReturnToUploadMs: sorted[Math.floor(sorted.length / 2)] ?? 0,
        maxReturnToUploadMs: sorted.at(-1) ?? 0,
        storageErrors: rig.tc.of('StorageError').length,
      },
      failures: failures.slice(0, 20),
      notes: [
        'DurableCache + BlobAssetSink nodes (production timeouts and backoff) fed 256 KiB segments once a second; proxy blackhole between sink and Azurite',
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await rig.close();
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runUplinkReturn({ rounds: argNumber('rounds', 3), outageMs: argNumber('outage-ms', 60_000) }));
