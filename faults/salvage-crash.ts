// Crash mid-segment: random SIGKILLs of a child recording LVA's CVR topology (sim camera at
// N× speed → cache → Azurite), each at a uniformly random point of its open segment. Every
// next start salvages that segment (closed at its last whole fragment) and uploads it. Per
// crash: media recorded into the open segment (camera time between the segment's first
// keyframe and the kill), media on disk at the kill (ffprobe of init + .part), and media
// stored (mp4box.js sample durations of the uploaded segment, which ffmpeg must decode).
// Goal: lost ≤ one GOP (1 s in the fixture) per crash; nothing left on disk at the end.
//   node --import tsx faults/salvage-crash.ts [--kills=50] [--segment=60] [--speed=20]
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../src/testing/sim-camera/index.ts';
import { startAzurite } from '../src/testing/azurite.ts';
import { cacheDirOf, filesUnder, startRecorder, storedSegments, timeLabelOf } from '../test/integration/salvage-harness.ts';
import { argNumber, isMain, runAsMain, sleep, type ScenarioResult } from './lib.ts';

const GOP_S = 1;

function ffprobeVideoSeconds(file: string): number {
  const r = spawnSync('ffprobe', ['-v', 'error', '-select_streams', 'v:0', '-show_entries', 'packet=duration_time', '-of', 'csv=p=0', file], {
    encoding: 'utf8',
    timeout: 60_000,
  });
  return r.stdout
    .split('\n')
    .map((l) => Number(l.trim()))
    .filter((n) => Number.isFinite(n) && n > 0)
    .reduce((a, b) => a + b, 0);
}

const quantile = (xs: readonly number[], q: number): number => {
  if (xs.length === 0) return 0;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};
const r2 = (x: number): number => Math.round(x * 100) / 100;

interface Crash {
  readonly label: number;
  /** Camera media time from when the open segment appeared to the kill (includes what was still in socket buffers). */
  readonly recordedS: number;
  /** Media time the recorder had received since its last durable write (the GOP in memory). */
  readonly sinceLastWriteS: number;
  readonly onDiskS: number;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function runSalvageCrashes(kills: number, segmentS: number, speed: number): Promise<ScenarioResult> {
  const t0 = performance.now();
  const root = mkdtempSync(join(tmpdir(), 'fault-salvage-'));
  const azurite = await startAzurite({ location: join(root, 'azurite') });
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed });
  const failures: string[] = [];
  const crashes: Crash[] = [];
  const data = join(root, 'data');
  const cache = join(root, 'cache');
  const workspace = join(cacheDirOf(cache), 'open');
  const segmentLength = `PT${segmentS >= 60 && segmentS % 60 === 0 ? `${segmentS / 60}M` : `${segmentS}S`}`;
  const args = [data, cache, camera.url, azurite.connectionString, segmentLength];
  const realSegmentMs = (segmentS / speed) * 1000;
  try {
    for (let k = 0; k < kills; k++) {
      const child = startRecorder(args, 120_000);
      try {
        await Promise.race([
          child.ready,
          sleep(60_000).then(() => {
            throw new Error('not ready within 60 s');
          }),
        ]);
        // The open segment of this run (the previous run's was salvaged and is gone at start-up).
        let part: string | undefined;
        const end = Date.now() + 60_000;
        while (
          !(part = readdirSync(workspace, { withFileTypes: true })
            .map((d) => d.name)
            .find((f) => f.endsWith('.m4s.part')))
        ) {
          if (Date.now() > end) throw new Error('no open segment within 60 s');
          await sleep(5);
        }
        // Until the kill, follow the open segment: which one it is (a segment may close meanwhile)
        // and when it last grew (a whole fragment, one per GOP, was appended).
        let seenAt = performance.now();
        let grewAt = seenAt;
        let size = 0;
        const killAt = seenAt + (0.05 + 0.9 * Math.random()) * realSegmentMs;
        while (performance.now() < killAt) {
          const now = readdirSync(workspace).find((f) => f.endsWith('.m4s.part'));
          if (now && now !== part) {
            part = now;
            seenAt = performance.now();
            grewAt = seenAt;
            size = 0;
          }
          const bytes = now ? fileSize(join(workspace, now)) : 0;
          if (bytes > size) {
            size = bytes;
            grewAt = performance.now();
          }
          await sleep(5);
        }
        child.kill('SIGKILL');
        const killedAt = performance.now();
        await child.exited;
        part = readdirSync(workspace).find((f) => f.endsWith('.m4s.part')) ?? part;
        const label = timeLabelOf(part);
        const init = readdirSync(workspace).find((f) => f.startsWith('init-'));
        let onDiskS = 0;
        if (init) {
          const joined = join(root, 'at-kill.mp4');
          writeFileSync(joined, Buffer.concat([readFileSync(join(workspace, init)), readFileSync(join(workspace, part))]));
          onDiskS = ffprobeVideoSeconds(joined);
        }
        if (label === undefined) failures.push(`kill ${k}: open segment ${part} has no time label`);
        else crashes.push({ label, recordedS: ((killedAt - seenAt) / 1000) * speed, sinceLastWriteS: ((killedAt - grewAt) / 1000) * speed, onDiskS });
      } catch (e) {
        child.kill('SIGKILL');
        await child.exited;
        failures.push(`kill ${k}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }
    // A last run salvages the last crash's segment, then stops cleanly: the drain uploads everything.
    const last = startRecorder(args, 180_000);
    await last.ready;
    await sleep(3000);
    last.kill('SIGTERM');
    const exit = await last.exited;
    if (exit.code !== 0) failures.push(`clean stop: exit ${exit.code ?? exit.signal}: ${exit.stderr.slice(-300)}`);

    const stored = await storedSegments(azurite.connectionString, root);
    const byStart = new Map(stored.map((s) => [s.startMs, s]));
    const lost: number[] = [];
    const lostCameraTime: number[] = [];
    const lostOnDisk: number[] = [];
    let missing = 0;
    for (const c of crashes) {
      const s = byStart.get(c.label);
      // Killed before the first GOP was written: nothing was on disk, the loss is that (partial) GOP.
      const storedS = s ? s.seconds : 0;
      if (!s && c.onDiskS > 0) {
        missing++;
        failures.push(`crash at ${new Date(c.label).toISOString()}: ${c.onDiskS.toFixed(1)} s on disk, no stored segment`);
      }
      const onDiskLost = Math.max(0, c.onDiskS - storedS);
      lostOnDisk.push(onDiskLost);
      lost.push(c.sinceLastWriteS + onDiskLost);
      lostCameraTime.push(Math.max(0, c.recordedS - storedS));
    }
    const decodeErrors = stored.filter((s) => s.decodeErrors !== '');
    for (const d of decodeErrors.slice(0, 5)) failures.push(`${d.name} does not decode: ${d.decodeErrors.slice(0, 200)}`);
    const leftovers = [...filesUnder(data), ...filesUnder(cache)].filter((f) => /\.(part|tmp|m4s)$/.test(f) || /(^|\/)open\/./.test(f));
    for (const f of leftovers.slice(0, 5)) failures.push(`left on disk: ${f}`);
    if (quantile(lostOnDisk, 1) > 0.05) failures.push(`a crash lost ${quantile(lostOnDisk, 1).toFixed(2)} s that was on disk`);
    const slackS = r2(0.02 * speed); // the 5 ms poll and timer lateness (≤ 20 ms real), in media time
    // An upper bound: a recorder stalled (CPU, GC) at N× speed shows N× its stall as media in
    // memory. The typical crash must stay within one GOP; the tail is reported, not failed.
    const overGop = lost.filter((x) => x > GOP_S + slackS).length;
    if (quantile(lost, 0.5) > GOP_S + slackS)
      failures.push(`the median crash lost ${quantile(lost, 0.5).toFixed(2)} s, more than one GOP (+${slackS} s measurement slack)`);
    return {
      scenario: `crash mid-segment: salvage (${segmentLength})`,
      pass: failures.length === 0 && crashes.length === kills,
      trials: kills,
      figures: {
        kills,
        segmentLength,
        speed,
        crashesMeasured: crashes.length,
        recordedMeanS: r2(crashes.reduce((a, c) => a + c.recordedS, 0) / Math.max(1, crashes.length)),
        lostP50S: r2(quantile(lost, 0.5)),
        lostP95S: r2(quantile(lost, 0.95)),
        lostMaxS: r2(quantile(lost, 1)),
        lostOnDiskMaxS: r2(quantile(lostOnDisk, 1)),
        cameraTimeLostP50S: r2(quantile(lostCameraTime, 0.5)),
        cameraTimeLostMaxS: r2(quantile(lostCameraTime, 1)),
        overOneGop: overGop,
        missingSalvage: missing,
        storedSegments: stored.length,
        decodeErrors: decodeErrors.length,
        leftovers: leftovers.length,
      },
      failures: failures.slice(0, 20),
      notes: [
        `one GOP = ${GOP_S} s; lost = media the recorder received after its last durable fragment (kill time − last growth of the open segment, × speed) + media on disk at the kill that was not stored; slack ${slackS} s of media (20 ms real at ${speed}×)`,
        "cameraTimeLost = camera time from the open segment's appearance to the kill − stored: also counts media still in loopback socket buffers at the kill, which grows with speed",
      ],
      seconds: (performance.now() - t0) / 1000,
    };
  } finally {
    await camera.close();
    await azurite.close();
    rmSync(root, { recursive: true, force: true });
  }
}

if (isMain(import.meta.url)) await runAsMain(() => runSalvageCrashes(argNumber('kills', 50), argNumber('segment', 60), argNumber('speed', 20)));
