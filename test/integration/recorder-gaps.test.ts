// Item 4 of the "deploy and forget" issue: the time the recorder was not recording is a typed
// gap in availableMedia (HTTP API), not an unexplained hole. A recorder (the full host in a child
// process) is SIGKILLed; the next one on the same data folder records a `recorder-down` gap from
// the last durable media to its first new media. A deactivation and activation later records a
// `recorder-stopped` gap. Real host, simulated camera, Azurite, real SIGKILL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { BlobPlaybackSource } from '../../src/control/http/playback/blob-source.ts';
import type { GraphEvent } from '../../src/types/events.ts';
import { serve, get } from './http-support.ts';
import { until } from '../helpers/until.ts';
import { openRecorder, RECORDER_ASSET as ASSET } from './short-segment-recorder.ts';

const RECORDER = new URL('./short-segment-recorder.ts', import.meta.url).pathname;
interface Gap {
  start: string;
  end: string;
  reason?: string;
}

test('a crash and a deactivation show in availableMedia as recorder-down and recorder-stopped gaps', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-recorder-gaps-'));
  const azurite = await startAzurite();
  const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 1 });
  t.after(async () => {
    await camera.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const dataDir = join(dir, 'host');
  const cachePath = join(dir, 'cache');

  // 1. A recorder in a child process, killed once it has uploaded a segment.
  const child = spawn(process.execPath, ['--import', 'tsx', RECORDER, dataDir, cachePath, camera.url, azurite.connectionString], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise((r) => child.once('exit', r));
  t.after(() => {
    child.kill('SIGKILL');
  });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the child uploaded nothing within 30 s')), 30_000);
    child.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('EV SegmentUploaded')) {
        clearTimeout(timer);
        resolve();
      }
    });
  });
  await new Promise((r) => setTimeout(r, 1000)); // into the next segment: its media dies with the process
  const killedAt = Date.now();
  child.kill('SIGKILL');
  await exited;
  await new Promise((r) => setTimeout(r, 1500));

  // 2. The next recorder on the same folders re-activates the instance by itself.
  const host = await openRecorder(dataDir, cachePath, camera.url, azurite.connectionString);
  assert.equal(host.instanceStatus('cam1').state, 'Active', 're-activated by the host');
  const events: GraphEvent[] = [];
  const sub = host.events$.subscribe((e) => events.push(e));
  t.after(async () => {
    sub.unsubscribe();
    await host.close();
  });
  const server = await serve(t, host, { playback: await BlobPlaybackSource.create(azurite.connectionString) });
  const gaps = async (): Promise<Gap[]> => {
    const q = new URLSearchParams({
      precision: 'full',
      startTime: new Date(killedAt - 3_600_000).toISOString(),
      endTime: new Date(killedAt + 3_600_000).toISOString(),
    });
    const r = await get(`${server.url}/api/assets/${ASSET}/availableMedia?${q}`);
    return r.status === 200 ? (((await r.json()) as { gaps?: Gap[] }).gaps ?? []) : [];
  };
  let found: Gap[] = [];
  const poll = async (reason: string, ms: number): Promise<Gap> => {
    const end = Date.now() + ms;
    while (Date.now() < end) {
      found = await gaps();
      const g = found.find((x) => x.reason === reason);
      if (g) return g;
      await new Promise((r) => setTimeout(r, 250));
    }
    throw new Error(`no ${reason} gap within ${ms} ms; gaps: ${JSON.stringify(found)}`);
  };
  const down = await poll('recorder-down', 30_000);
  assert.ok(
    Date.parse(down.start) <= killedAt && Date.parse(down.end) >= killedAt,
    `the down gap ${JSON.stringify(down)} covers the kill at ${new Date(killedAt).toISOString()}`,
  );

  // 3. Deactivated for 2 s, then activated again.
  await until(() => events.some((e) => e.type === 'SegmentUploaded'), 30_000, 'an upload after the restart');
  await new Promise((r) => setTimeout(r, 1000));
  await host.instanceDeactivate('cam1');
  const stoppedAt = Date.now();
  await new Promise((r) => setTimeout(r, 2000));
  await host.instanceActivate('cam1');
  const stopped = await poll('recorder-stopped', 30_000);
  // Media times come from the camera's sender-report clock, not ours: allow it 0.5 s of skew.
  assert.ok(
    Date.parse(stopped.start) <= stoppedAt + 500 && Date.parse(stopped.end) >= stoppedAt + 1500,
    `the stopped gap ${JSON.stringify(stopped)} covers the 2 s deactivation from ${new Date(stoppedAt).toISOString()}`,
  );
  assert.ok(Date.parse(stopped.start) >= Date.parse(down.end), 'the gaps in recording order');
});
