// What every restart test starts with: a scratch folder, an Azurite and a simulated camera at
// 10× (a 30 s segment every 3 s), made before the file's tests and removed after them, in that
// order (the store and the camera close before their folder goes).
import { before, after } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulatedCamera, type SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { startAzurite, type AzuriteHandle } from '../../src/testing/azurite.ts';

export interface RecorderBench {
  readonly root: string;
  readonly azurite: AzuriteHandle;
  readonly camera: SimulatedCamera;
}

/** Registers the file's before/after hooks; `ready` receives the bench before the first test. */
export function useRecorderBench(prefix: string, ready: (bench: RecorderBench) => void): void {
  let bench: RecorderBench | undefined;
  before(async () => {
    const root = mkdtempSync(join(tmpdir(), prefix));
    const azurite = await startAzurite();
    const camera = await startSimulatedCamera({ file: 'test/fixtures/media/h264-main-aac.mp4', speed: 10 });
    bench = { root, azurite, camera };
    ready(bench);
  });
  after(async () => {
    if (!bench) return;
    await bench.camera.close();
    await bench.azurite.close();
    rmSync(bench.root, { recursive: true, force: true });
  });
}
