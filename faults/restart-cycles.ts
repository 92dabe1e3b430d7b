// Scenario: restart is the normal case. The same `mediagraph run` command (the real CLI in a
// child process) is SIGKILLed at random moments and started again, over and over, on one
// data folder: every start must come back recording (a new segment reaches the store), never
// fail on what the previous process left (stored definitions, the cache lock, a cache mid-write).
// Cycles alternate between a plain process and PID 1 of a fresh PID namespace (what a
// container restart is) where unshare is permitted; some kills land during start-up.
//   node --import tsx faults/restart-cycles.ts [--cycles=30]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { cvrRunArgs, moreSegmentsThan, segmentBlobs, startRecorder, type Recorder } from '../test/helpers/restart-harness.ts';
import { argNumber, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';

const UNSHARE = ['--pid', '--fork', '--mount-proc'];

function unshareWorks(): boolean {
  return spawnSync('unshare', [...UNSHARE, 'true'], { stdio: 'ignore', timeout: 10_000 }).status === 0;
}

/** SIGKILL the recorder itself: in a namespace that is PID 1 (the child `unshare --fork` made). */
async function killRecorder(r: Recorder, namespaced: boolean): Promise<void> {
  if (namespaced && r.ended() === undefined) {
    const u = r.child.pid!;
    for (let i = 0; i < 100; i++) {
      let pid = 0;
      try {
        pid = Number(readFileSync(`/proc/${u}/task/${u}/children`, 'utf8').trim().split(' ')[0]) || 0;
      } catch {
        break;
      }
      if (pid) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
        break;
      }
      await sleep(20);
    }
  }
  await r.kill();
}

function percentile(values: readonly number[], p: number): number {
  if (!values.length) return 0;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))]!;
}

export async function runRestartCycles(cycles: number): Promise<ScenarioResult> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-restart-'));
  const azurite = await startAzurite({ location: join(root, 'azurite') });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
  const namespaces = unshareWorks();
  const data = join(root, 'data');
  const asset = 'sampleAsset-CVRToAsset-run-1';
  const runArgs = ['bin/mediagraph.js', ...cvrRunArgs({ cameraUrl: camera.url, blob: azurite.connectionString, data })];
  const start = (namespaced: boolean): Recorder =>
    namespaced ? startRecorder('unshare', [...UNSHARE, process.execPath, ...runArgs]) : startRecorder(process.execPath, runArgs);
  const failures: string[] = [];
  const toRecordingS: number[] = [];
  let recovered = 0;
  let earlyKills = 0;
  let pid1Starts = 0;
  try {
    for (let c = 0; c < cycles; c++) {
      const namespaced = namespaces && c % 2 === 1;
      if (Math.random() < 0.3) {
        // killed while starting: opening the host, recovering the cache, taking the lock
        const early = start(namespaced);
        await sleep(100 + Math.random() * 2500);
        await killRecorder(early, namespaced);
        earlyKills++;
      }
      const before = (await segmentBlobs(azurite.connectionString, asset).catch(() => [])).length;
      const began = performance.now();
      const r = start(namespaced);
      if (namespaced) pid1Starts++;
      try {
        await moreSegmentsThan(azurite.connectionString, asset, before, 45_000, r);
        toRecordingS.push((performance.now() - began) / 1000);
        recovered++;
        await sleep(Math.random() * 5000);
      } catch (e) {
        failures.push(
          `start ${c + 1}${namespaced ? ' (PID 1)' : ''} did not record: ${(e instanceof Error ? e.message : String(e)).split('\n').slice(0, 3).join(' / ')}`,
        );
      } finally {
        await killRecorder(r, namespaced);
      }
    }
    // a last run stopped cleanly: it exits 0 with everything uploaded
    const last = start(false);
    const before = (await segmentBlobs(azurite.connectionString, asset)).length;
    let cleanExit = 'not reached';
    try {
      await moreSegmentsThan(azurite.connectionString, asset, before, 45_000, last);
      last.child.kill('SIGINT');
      cleanExit = await Promise.race([last.exited, sleep(120_000).then(() => 'timeout')]);
      if (cleanExit !== '0') failures.push(`the last, clean stop exited ${cleanExit}: ${last.output().slice(-400)}`);
    } catch (e) {
      failures.push(`the last start did not record: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    } finally {
      await last.kill();
    }
    return {
      scenario: 'restart after SIGKILL (mediagraph run, same command)',
      pass: failures.length === 0 && recovered === cycles,
      trials: cycles,
      figures: {
        starts: cycles + earlyKills + 1,
        cycles,
        recovered,
        earlyKills,
        pid1Starts,
        startToNewSegmentMedianS: Number(percentile(toRecordingS, 0.5).toFixed(1)),
        startToNewSegmentMaxS: Number(Math.max(0, ...toRecordingS).toFixed(1)),
        cleanExit,
      },
      failures: failures.slice(0, 20),
      notes: [
        'camera speed 10 (a 30 s segment every ~3 s), Azurite on disk in the scenario process; kill 0–5 s after the first new segment; 30 % of cycles add a kill 0.1–2.6 s into start-up',
        namespaces
          ? 'odd cycles run as PID 1 of a new PID namespace (unshare --pid --fork --mount-proc)'
          : 'unshare not permitted here: every cycle is a plain process',
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await camera.close();
    await azurite.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runRestartCycles(argNumber('cycles', 30)));
