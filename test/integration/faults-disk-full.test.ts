// Regression test (fixed: the segmenter asks the cache for space through the instance's
// DiskSpaceBroker and retries; if nothing can be freed it drops the open segment whole): a full disk under the host's data directory
// stops recording for good. With the segmenter's files and the cache on one 8 MiB tmpfs (the
// default layout puts both under the data directory), ENOSPC from the segmenter's write
// (src/nodes/fmp4-segmenter/segment-files.ts, writeAll → handle.writev) errors the
// Fmp4Segmenter node, the graph run fails and the instance goes Inactive with lastError
// "node assetSink/assetSink.segmenter failed: ENOSPC". Nothing restarts it once space returns,
// while the design wants the disk to be the buffer and the oldest data to go first
// (docs/architecture.md, Pull contract).
// The cache-only layout (the cache alone on the tmpfs) passes: faults/disk-full.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { runDiskFull } from '../../faults/disk-full.ts';

const canMount = process.getuid?.() === 0 && spawnSync('mount', ['--version'], { stdio: 'ignore' }).status === 0;

test('disk full under segmenter and cache: recording resumes once space returns', { skip: canMount ? false : 'needs root to mount a tmpfs' }, async () => {
  const r = await runDiskFull({ layout: 'all', resumeTimeoutMs: 15_000 });
  assert.deepEqual(r.failures, []);
  assert.equal(r.figures['corruptFiles'], 0);
  assert.ok(Number(r.figures['writtenAfterSpaceBack']) >= 2);
});
