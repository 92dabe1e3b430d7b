// The cache node when its folder cannot be opened at run time (prepare passed, then the
// folder went bad, or EMFILE while recovering): the node's output errors with one line; no
// promise is left rejected without a handler (that ended the whole process before).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { asyncScheduler, NEVER, type Observable } from 'rxjs';
import { createTestContext, instantiateNode } from '../../src/testing/index.ts';
import { durableCacheNode } from '../../src/nodes/durable-cache/index.ts';

test('a cache folder that cannot be opened errors the node output, with no unhandled rejection', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-cache-open-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const file = join(root, 'a-file');
  writeFileSync(file, 'x');
  const unhandled: unknown[] = [];
  const onUnhandled = (e: unknown): void => void unhandled.push(e);
  process.on('unhandledRejection', onUnhandled);
  t.after(() => process.off('unhandledRejection', onUnhandled));
  for (const path of [join(file, 'cache'), '/proc/1/x']) {
    const ctx = createTestContext({ scheduler: asyncScheduler, services: { dataDirectory: root }, instanceName: 'i', nodeName: 'c' });
    const node = instantiateNode(durableCacheNode, { localMediaCachePath: path, localMediaCacheMaximumSizeMiB: '1' }, ctx);
    const error = await new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => resolve('no error within 5 s'), 5000);
      (node({ segments: NEVER }) as Observable<unknown>).subscribe({
        error: (e: unknown) => {
          clearTimeout(timer);
          resolve(e);
        },
      });
    });
    assert.ok(error instanceof Error, String(error));
    assert.match(error.message, /^cannot open the media cache/);
    assert.doesNotMatch(error.message, /\n/);
  }
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(unhandled, []);
});
