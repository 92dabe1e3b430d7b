// Fleet scenario (issue 18, docs/fleet.md): three `serve --fleet` hosts on one Azurite, each
// with its own data folder, and 12 CVR instances of the simulated camera created through one
// host's API. Checks: every instance recorded by exactly one host, balanced within one; SIGKILL
// of a host: its instances record on the others within lease + 10 s, each with a `handover` gap
// no longer than that; optionally the killed host restarts on its folder and takes work again,
// and a host paused with SIGSTOP past its lease records nothing for the instances it lost.
// At the end (clean stop): no segment stored twice (hash), none overlapping another in its
// asset (two hosts recording at once), every segment decodes (ffmpeg).
//   node --import tsx faults/fleet-failover.ts [--lease=15] [--instances=12] [--restart=1] [--sigstop=1]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { ffmpegDecodeErrors } from '../test/helpers/recording-check.ts';
import {
  allGaps,
  assetOf,
  createCvrInstances,
  fleetView,
  handoverGaps,
  instanceNames,
  recordingHosts,
  startFleetHost,
  stopHost,
  storedSegments,
  undecodableSegments,
  type FleetHost,
} from '../test/helpers/fleet-harness.ts';
import { argNumber, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';

export interface FleetFailoverOptions {
  readonly leaseSeconds: number;
  readonly instances: number;
  readonly restart: boolean;
  readonly sigstop: boolean;
}

interface Placement {
  readonly owners: Map<string, string[]>;
  readonly perHost: Map<string, number>;
}

async function placement(hosts: readonly FleetHost[], names: readonly string[]): Promise<Placement> {
  const owners = await recordingHosts(hosts, names);
  const perHost = new Map<string, number>(hosts.filter((h) => h.ended === undefined).map((h) => [h.id, 0]));
  for (const o of owners.values()) for (const h of o) perHost.set(h, (perHost.get(h) ?? 0) + 1);
  return { owners, perHost };
}

const exactlyOnce = (p: Placement): boolean => [...p.owners.values()].every((o) => o.length === 1);
const spread = (p: Placement): number => Math.max(...p.perHost.values()) - Math.min(...p.perHost.values());

/** Polls until `ok(placement)`; the time it took (s), or undefined at the deadline. Records every double ownership seen. */
async function waitPlacement(
  hosts: readonly FleetHost[],
  names: readonly string[],
  ok: (p: Placement) => boolean,
  timeoutMs: number,
  doubles: Set<string>,
): Promise<{ seconds?: number; last: Placement }> {
  const t0 = Date.now();
  let last = await placement(hosts, names);
  while (Date.now() - t0 < timeoutMs) {
    last = await placement(hosts, names);
    for (const [n, o] of last.owners) if (o.length > 1) doubles.add(`${n} on ${o.join('+')}`);
    if (ok(last)) return { seconds: (Date.now() - t0) / 1000, last };
    await sleep(500);
  }
  return { last };
}

const describe = (p: Placement): string => [...p.perHost].map(([h, n]) => `${h}:${n}`).join(' ');

export async function runFleetFailover(opts: FleetFailoverOptions): Promise<ScenarioResult> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-fleet-'));
  const azurite = await startAzurite({ location: join(root, 'azurite') });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4' });
  const failures: string[] = [];
  const figures: Record<string, number | string | boolean> = { hosts: 3, instances: opts.instances, leaseSeconds: opts.leaseSeconds };
  const notes: string[] = [];
  const doubles = new Set<string>();
  const marks: string[] = [];
  const phases = (): string => marks.join(', ');
  const hostOpts = { connection: azurite.connectionString, leaseSeconds: opts.leaseSeconds };
  const limitS = opts.leaseSeconds + 10;
  const hosts: FleetHost[] = [];
  const names = instanceNames(opts.instances);
  try {
    hosts.push(...(await Promise.all(['h1', 'h2', 'h3'].map((id) => startFleetHost(id, join(root, id), hostOpts)))));
    notes.push(`3 hosts listening after ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const created = Date.now();
    await createCvrInstances(hosts[0]!, names, camera.url);
    const balanced = await waitPlacement(hosts, names, (p) => exactlyOnce(p) && spread(p) <= 1, 90_000, doubles);
    figures['balancedAfterS'] = balanced.seconds ?? -1;
    figures['placement'] = describe(balanced.last);
    if (balanced.seconds === undefined) failures.push(`not balanced within 90 s of creating the instances: ${describe(balanced.last)}`);
    notes.push(`instances created in ${((Date.now() - created) / 1000).toFixed(1)} s through h1's API`);
    const view = await fleetView(hosts[1]!);
    if (view.hosts.length !== 3 || view.unowned.length !== 0) failures.push(`GET /api/fleet on h2: ${view.hosts.length} hosts, ${view.unowned.length} unowned`);

    // SIGKILL the host with the most instances
    await sleep(4000); // some media stored by every owner first
    const victim = [...balanced.last.perHost].sort((a, b) => b[1] - a[1])[0]![0];
    const victimHost = hosts.find((h) => h.id === victim)!;
    const lostInstances = [...balanced.last.owners].filter(([, o]) => o.includes(victim)).map(([n]) => n);
    const killedAt = Date.now();
    marks.push(`SIGKILL ${new Date(killedAt).toISOString().slice(11, 19)}`);
    await stopHost(victimHost, 'SIGKILL');
    const failover = await waitPlacement(hosts, names, exactlyOnce, (limitS + 30) * 1000, doubles);
    const failoverS = failover.seconds === undefined ? -1 : (Date.now() - killedAt) / 1000;
    figures['killed'] = `${victim} (${lostInstances.length} instances)`;
    figures['failoverS'] = Math.round(failoverS * 10) / 10;
    if (failover.seconds === undefined || failoverS > limitS)
      failures.push(`instances of ${victim} not recording elsewhere within ${limitS} s (${failoverS} s): ${describe(failover.last)}`);
    // each taken-over asset gets its handover gap once the new owner's first segment is stored
    let maxGapS = 0;
    let withGap = 0;
    const gapDeadline = Date.now() + 30_000;
    for (const n of lostInstances) {
      let gaps: { startMs: number; endMs: number }[] = [];
      while (Date.now() < gapDeadline) {
        gaps = await handoverGaps(azurite.connectionString, assetOf(n)).catch(() => []);
        if (gaps.length) break;
        await sleep(500);
      }
      if (gaps.length) withGap++;
      for (const g of gaps) maxGapS = Math.max(maxGapS, (g.endMs - g.startMs) / 1000);
    }
    figures['handoverGaps'] = `${withGap}/${lostInstances.length}`;
    figures['longestHandoverGapS'] = Math.round(maxGapS * 10) / 10;
    if (withGap !== lostInstances.length) failures.push(`${lostInstances.length - withGap} taken-over asset(s) without a handover gap`);
    if (maxGapS > limitS) failures.push(`a handover gap of ${maxGapS} s (limit ${limitS} s)`);

    if (opts.restart) {
      const idx = hosts.indexOf(victimHost);
      marks.push(`restart ${new Date().toISOString().slice(11, 19)}`);
      hosts[idx] = await startFleetHost(victim, victimHost.folder, hostOpts);
      const back = await waitPlacement(hosts, names, (p) => exactlyOnce(p) && spread(p) <= 1 && (p.perHost.get(victim) ?? 0) > 0, 90_000, doubles);
      figures['restartedTakesWorkAfterS'] = back.seconds ?? -1;
      figures['placementAfterRestart'] = describe(back.last);
      if (back.seconds === undefined) failures.push(`restarted ${victim} did not take work again within 90 s: ${describe(back.last)}`);
    }

    if (opts.sigstop) {
      const now = await placement(hosts, names);
      const paused = [...now.perHost].sort((a, b) => b[1] - a[1])[0]![0];
      const pausedHost = hosts.find((h) => h.id === paused)!;
      const itsInstances = [...now.owners].filter(([, o]) => o.includes(paused)).map(([n]) => n);
      const before = new Map<string, number>();
      for (const n of itsInstances) before.set(n, (await storedSegments(azurite.connectionString, assetOf(n))).length);
      pausedHost.child.kill('SIGSTOP');
      const pausedAt = Date.now();
      marks.push(`SIGSTOP ${new Date(pausedAt).toISOString().slice(11, 19)}`);
      // the others take its instances over while it sleeps
      const others = hosts.filter((h) => h !== pausedHost);
      const takeover = await waitPlacement(others, names, exactlyOnce, (limitS + 30) * 1000, doubles);
      figures['sigstopTakeoverS'] = takeover.seconds === undefined ? -1 : Math.round((Date.now() - pausedAt) / 100) / 10;
      if (takeover.seconds === undefined) failures.push(`instances of paused ${paused} not recording elsewhere: ${describe(takeover.last)}`);
      await sleep(5000);
      pausedHost.child.kill('SIGCONT');
      marks.push(`SIGCONT ${new Date().toISOString().slice(11, 19)}`);
      await sleep(opts.leaseSeconds * 1000);
      // what the resumed host recorded for the instances it lost: nothing new
      const resumed = await placement(hosts, names);
      figures['placementAfterSigcont'] = describe(resumed);
      for (const [n, o] of resumed.owners) if (o.length > 1) failures.push(`${n} recorded by ${o.join('+')} after SIGCONT`);
      notes.push(`SIGSTOP ${paused} (${itsInstances.length} instances) for ${((Date.now() - pausedAt) / 1000).toFixed(0)} s`);
    }

    await Promise.all(hosts.map((h) => stopHost(h)));
    figures['doubleOwnershipSeen'] = doubles.size;
    for (const d of doubles) failures.push(`recorded twice at once: ${d}`);

    // the store: no duplicate, no overlap, everything decodes
    const checkStarted = performance.now();
    let segments = 0;
    let duplicate = 0;
    let overlapping = 0;
    let corrupt = 0;
    const gapsOverMedia: string[] = [];
    const scratch = join(root, 'check.mp4');
    for (const n of names) {
      const segs = await storedSegments(azurite.connectionString, assetOf(n));
      segments += segs.length;
      const seen = new Map<string, string>();
      for (const s of segs) {
        if (seen.has(s.sha256)) {
          duplicate++;
          failures.push(`${assetOf(n)}: ${s.name} has the same bytes as ${seen.get(s.sha256)}`);
        }
        seen.set(s.sha256, s.name);
      }
      for (const name of await undecodableSegments(azurite.connectionString, assetOf(n), scratch, ffmpegDecodeErrors)) {
        corrupt++;
        failures.push(`${assetOf(n)}: ${name} does not decode`);
      }
      // a gap over stored media: some writer thought nothing was recorded while another host recorded
      for (const g of await allGaps(azurite.connectionString, assetOf(n))) {
        const covered = segs.reduce((sum, s) => sum + Math.max(0, Math.min(g.endMs, s.endMs) - Math.max(g.startMs, s.startMs)), 0);
        if (covered > 1000)
          gapsOverMedia.push(`${n}: ${g.reason} ${((g.endMs - g.startMs) / 1000).toFixed(1)} s over ${(covered / 1000).toFixed(1)} s of media`);
      }
      const sorted = [...segs].sort((a, b) => a.startMs - b.startMs);
      // more than a frame of overlap: two hosts recorded the same moments
      for (let i = 1; i < sorted.length; i++) {
        if (sorted[i]!.startMs >= sorted[i - 1]!.endMs - 100) continue;
        overlapping++;
        if (overlapping <= 6) failures.push(`${n}: ${sorted[i - 1]!.name} and ${sorted[i]!.name} overlap (${phases()})`);
      }
    }
    notes.push(`store check (hash, overlap, ffmpeg decode of every segment) took ${((performance.now() - checkStarted) / 1000).toFixed(1)} s`);
    figures['segments'] = segments;
    figures['duplicate'] = duplicate;
    figures['overlapping'] = overlapping;
    figures['corrupt'] = corrupt;
    figures['gapsOverMedia'] = gapsOverMedia.length;
    if (gapsOverMedia.length) notes.push(`gaps over stored media (not failed: see docs/reliability.md): ${gapsOverMedia.slice(0, 6).join('; ')}`);
    if (overlapping) failures.push(`${overlapping} segment(s) overlap another of the same asset`);
    return {
      scenario: 'fleet: 3 hosts, SIGKILL failover' + (opts.restart ? ', restart' : '') + (opts.sigstop ? ', SIGSTOP' : ''),
      pass: failures.length === 0,
      trials: 1,
      figures,
      failures: failures.slice(0, 20),
      notes,
      seconds: (performance.now() - t0) / 1000,
    };
  } catch (e) {
    for (const h of hosts) if (h.ended === undefined) failures.push(`${h.id} output tail: ${h.output.slice(-600)}`);
    throw Object.assign(e instanceof Error ? e : new Error(String(e)), { failures });
  } finally {
    for (const h of hosts) {
      if (h.ended === undefined) {
        h.child.kill('SIGCONT');
        h.child.kill('SIGKILL');
        await h.exited;
      }
    }
    await camera.close();
    await azurite.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) {
  await runAsMain(() =>
    runFleetFailover({
      leaseSeconds: argNumber('lease', 15),
      instances: argNumber('instances', 12),
      restart: argNumber('restart', 1) === 1,
      sigstop: argNumber('sigstop', 1) === 1,
    }),
  );
}
