// Issue 17: the SDK's first request made node compile its fetch implementation (undici), a
// one-time stall of the event loop (1.8 s on a loaded host) in the middle of recording. It is
// now loaded when a blob store is created (activation), before any segment is uploaded.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

test('blob store: creating one loads undici up front, so the first upload does not', (t) => {
  const store = fileURLToPath(new URL('../../src/storage/blob/index.ts', import.meta.url));
  // a fresh process: in this one, anything may have loaded it already
  const script = `
    const { BlobAssetStore } = await import(${JSON.stringify(store)});
    const loaded = () => process.moduleLoadList.some((m) => m.includes('undici'));
    const before = loaded();
    await BlobAssetStore.create('DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${Buffer.from('k').toString('base64')};BlobEndpoint=http://127.0.0.1:9/devstoreaccount1;', 'web-globals');
    console.log(JSON.stringify({ before, after: loaded() }));`;
  const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  const r = JSON.parse(out.trim().split('\n').pop() as string) as { before: boolean; after: boolean };
  // Node 24 has undici loaded by the time the store module is imported (no stall to move);
  // where it is not, the store's creation must be what loads it
  if (r.before) t.diagnostic('undici was already loaded before the store was created (this Node loads it earlier)');
  assert.equal(r.after, true, 'undici is loaded once the store exists');
});
