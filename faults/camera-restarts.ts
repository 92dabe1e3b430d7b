// Scenario 3: the camera's RTSP server is killed and started again on the same port, N times,
// while LVA's CVR topology records through the host into Azurite. Checked: every outage ends
// in StreamReconnected, and every outage shows as a hole in the recording: between the
// SegmentWritten wall clocks of consecutive segments and in the asset index's ranges. Measured:
// the time from the camera's return (its server listening again) to the first new media
// (StreamReconnected), which must stay under 5 s however long the camera was down.
//   node --import tsx faults/camera-restarts.ts [--restarts=20]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaGraphHost } from '../src/runtime/host.ts';
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';
import { startSimulatedCamera, type SimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { BlobAssetStore } from '../src/storage/blob/index.ts';
import type { EventBodies, GraphEvent } from '../src/types/events.ts';
import { argNumber, isMain, runAsMain, sleep, waitFor, type ScenarioResult } from './lib.ts';

export const FIXTURE = 'test/fixtures/media/h264-main-aac.mp4';

export interface CameraRestartOptions {
  readonly restarts: number;
  /** How long the camera stays down (longer than the index's 1 s merge tolerance). */
  readonly downMs?: number;
  /** Recording time between a reconnect and the next kill. */
  readonly upMs?: number;
}

export async function runCameraRestarts(o: CameraRestartOptions): Promise<ScenarioResult> {
  const t0 = performance.now();
  const downMs = o.downMs ?? 1500;
  const upMs = o.upMs ?? 2500;
  const dir = mkdtempSync(join(tmpdir(), 'fault-camera-'));
  const azurite = await startAzurite();
  let camera: SimulatedCamera = await startSimulatedCamera({ file: FIXTURE, speed: 1 });
  const port = camera.port;
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry(),
    logLevel: 'silent',
    services: { blobConnection: azurite.connectionString },
  });
  const events: GraphEvent[] = [];
  const arrivals = new Map<GraphEvent, number>();
  const sub = host.events$.subscribe((e) => {
    events.push(e);
    arrivals.set(e, Date.now());
  });
  const reconnectedAt = (n: number): number | undefined => {
    const e = events.filter((x) => x.type === 'StreamReconnected')[n];
    return e ? arrivals.get(e) : undefined;
  };
  const returnToMediaMs: number[] = [];
  const of = <K extends keyof EventBodies>(type: K): EventBodies[K][] => events.filter((e) => e.type === type).map((e) => e.body as EventBodies[K]);
  const failures: string[] = [];
  try {
    await host.topologySet(JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')));
    await host.instanceSet({
      name: 'cam1',
      properties: {
        topologyName: 'CVRToAsset',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'cachePath', value: join(dir, 'cache') },
        ],
      },
    });
    await host.instanceActivate('cam1');
    if (!(await waitFor(() => of('SegmentWritten').length + of('MediaSessionEstablished').length >= 1, 15_000))) failures.push('no session at start');
    let recovered = 0;
    for (let i = 0; i < o.restarts; i++) {
      await sleep(upMs);
      await camera.close();
      await sleep(downMs);
      camera = await startSimulatedCamera({ file: FIXTURE, speed: 1, port });
      const backAt = Date.now();
      if (await waitFor(() => of('StreamReconnected').length >= i + 1, 40_000)) {
        recovered = of('StreamReconnected').length;
        returnToMediaMs.push(Math.max(0, (reconnectedAt(i) ?? backAt) - backAt));
      } else failures.push(`outage ${i + 1}: no StreamReconnected within 40 s`);
    }
    await sleep(upMs);
    await host.instanceDeactivate('cam1');

    const written = of('SegmentWritten')
      .map((s) => ({ start: Date.parse(s.startWallClock), end: Date.parse(s.endWallClock) }))
      .sort((a, b) => a.start - b.start);
    const holes: number[] = [];
    for (let i = 1; i < written.length; i++) {
      const hole = written[i]!.start - written[i - 1]!.end;
      if (hole > 500) holes.push(hole);
      if (hole < -1) failures.push(`segments overlap by ${-hole} ms`);
    }
    const uploads = of('SegmentUploaded').length;
    if (uploads !== written.length) failures.push(`${written.length} segments written, ${uploads} uploaded`);
    const store = await BlobAssetStore.create(azurite.connectionString, 'sampleAsset-CVRToAsset-cam1');
    const now = Date.now();
    const avail = await store.availableRanges(now - 3_600_000, now + 3_600_000);
    const indexHoles = Math.max(0, avail.ranges.length - 1);
    const outages = o.restarts;
    if (recovered !== outages) failures.push(`${outages} outages, ${recovered} StreamReconnected`);
    if (holes.length !== outages) failures.push(`${outages} outages, ${holes.length} holes between segments (>500 ms): ${holes.join(',')}`);
    if (indexHoles + avail.gaps.length < outages)
      failures.push(`${outages} outages, asset index shows ${indexHoles} holes between ranges and ${avail.gaps.length} gap entries`);
    const outageMs = of('StreamReconnected').map((e) => e.outageMs);
    const slow = returnToMediaMs.filter((ms) => ms > 5000);
    if (slow.length) failures.push(`${slow.length} recoveries took more than 5 s from the camera's return to new media: ${slow.join(',')} ms`);
    const sortedReturn = [...returnToMediaMs].sort((a, b) => a - b);
    return {
      scenario: 'camera kill/restart',
      pass: failures.length === 0,
      trials: outages,
      figures: {
        outages,
        recovered,
        disconnectedEvents: of('StreamDisconnected').length,
        holesBetweenSegments: holes.length,
        indexHoles,
        indexGapEntries: avail.gaps.length,
        segmentsWritten: written.length,
        segmentsUploaded: uploads,
        medianOutageMs: outageMs.sort((a, b) => a - b)[Math.floor(outageMs.length / 2)] ?? 0,
        medianHoleMs: holes.sort((a, b) => a - b)[Math.floor(holes.length / 2)] ?? 0,
        medianReturnToMediaMs: sortedReturn[Math.floor(sortedReturn.length / 2)] ?? 0,
        maxReturnToMediaMs: sortedReturn.at(-1) ?? 0,
      },
      failures: failures.slice(0, 20),
      notes: [`camera down ${downMs} ms each time, up ${upMs} ms; speed 1; host + CVR topology + in-memory Azurite`],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    sub.unsubscribe();
    await host.close();
    await camera.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runCameraRestarts({ restarts: argNumber('restarts', 20), downMs: argNumber('down-ms', 1500) }));
