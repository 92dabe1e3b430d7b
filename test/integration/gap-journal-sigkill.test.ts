// A camera-lost gap is journalled when the segment after the outage is cached, not held in
// the uploader's memory: a recorder SIGKILLed before it indexed the gap still knows it after
// the restart. Real child process, real SIGKILL, real disk.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const child = fileURLToPath(new URL('./gap-journal-child.ts', import.meta.url));

test('a camera-lost gap survives a SIGKILL of the recorder', async (t) => {
  const root = tempDir(t, 'gap-sigkill-');
  const src = join(root, 'src');
  mkdirSync(src);
  const dir = join(root, 'cache');
  const proc = spawn(process.execPath, ['--import', 'tsx', child, dir, src], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      proc.kill('SIGKILL');
      reject(new Error('child did not record within 20 s'));
    }, 20_000);
    proc.stdout.on('data', (b: Buffer) => {
      if (b.toString().includes('recorded')) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`child exited early (${code})`));
    });
  });
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill('SIGKILL');
  await exited;

  const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
  t.after(() => cache.close());
  const gaps = cache.pendingGaps().map((g) => [(g.startWallClockMs - T0) / 1000, (g.endWallClockMs - T0) / 1000, g.reason]);
  assert.deepEqual(gaps, [[2, 5, 'camera-lost']]);
});
