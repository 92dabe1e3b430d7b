// A recorder as PID 1 of its own PID namespace, as in every container: SIGKILL, then start
// again as PID 1. The cache lock left behind names pid 1, which is alive (it is the new
// process itself); it must still be recognised as stale (issue: CacheLockedError "in use by
// process 1", thrown as an uncaught exception, every restart).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import type { AzuriteHandle } from '../../src/testing/azurite.ts';
import { useRecorderBench } from '../helpers/recorder-bench.ts';
import { cvrRunArgs, eventually, moreSegmentsThan, startRecorder, type Recorder } from '../helpers/restart-harness.ts';

const UNSHARE = ['--pid', '--fork', '--mount-proc'];

/** False when PID namespaces can be made here; else why not (a skip), or a failure on CI as root. */
function pidNamespaceSkip(): false | string {
  const r = spawnSync('unshare', [...UNSHARE, 'true'], { stdio: 'ignore', timeout: 10_000 });
  if (r.status === 0) return false;
  const why = `unshare ${UNSHARE.join(' ')} is not permitted here (${r.error ? r.error.message : `exit ${r.status}`}; needs root or user namespaces)`;
  if (process.env.MEDIAGRAPH_REQUIRE_TOOLS === '1' && process.getuid?.() === 0) throw new Error(`required: ${why}`);
  return why;
}

let root: string;
let azurite: AzuriteHandle;
let camera: SimulatedCamera;
const skip = pidNamespaceSkip();

useRecorderBench('mg-restart-pid1-', (b) => ({ root, azurite, camera } = b));

/** The namespace's PID 1 as this namespace sees it: the child `unshare --fork` made. */
async function pidOne(recorder: Recorder): Promise<number> {
  const u = recorder.child.pid!;
  return eventually(
    async () => Number(readFileSync(`/proc/${u}/task/${u}/children`, 'utf8').trim().split(' ')[0]) || undefined,
    10_000,
    'the namespace PID 1',
    recorder,
  );
}

test('run as PID 1 in a PID namespace: SIGKILL, start again as PID 1, recording resumes', { skip }, async () => {
  const data = join(root, 'data');
  const args = [...UNSHARE, process.execPath, 'bin/mediagraph.js', ...cvrRunArgs({ cameraUrl: camera.url, blob: azurite.connectionString, data })];
  const asset = 'sampleAsset-CVRToAsset-run-1';
  const first = startRecorder('unshare', args);
  try {
    const n = await moreSegmentsThan(azurite.connectionString, asset, 0, 30_000, first);
    const recorderPid = await pidOne(first);
    // the recorder really is PID 1 of its namespace ("NSpid: <here> <there>")
    assert.match(readFileSync(`/proc/${recorderPid}/status`, 'utf8'), /^NSpid:\s+\d+\s+1$/m);
    process.kill(recorderPid, 'SIGKILL'); // the namespace ends with its PID 1
    await first.exited;
    const again = startRecorder('unshare', args);
    try {
      await moreSegmentsThan(azurite.connectionString, asset, n + 1, 30_000, again);
      assert.doesNotMatch(again.output(), /CacheLockedError|in use by process|run failed/);
    } finally {
      if (again.ended() === undefined) process.kill(await pidOne(again), 'SIGKILL');
      await again.kill();
    }
  } finally {
    await first.kill();
  }
});
