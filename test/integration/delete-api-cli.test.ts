// Deleting recordings from outside: `DELETE /api/assets/{asset}/media` and
// `DELETE /api/assets/{asset}` (behind the token like every route), and `mediagraph delete`,
// which asks before deleting, needs --yes where it cannot ask, and prints what it deleted.
// Real server on loopback, real local store; the terminal's answer is the only stand-in.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { openAssetStore, openStoreProvider } from '../../src/storage/open-store.ts';
import { openPlaybackSource } from '../../src/control/http/playback/store-source.ts';
import { main } from '../../src/control/cli/main.ts';
import { deleteCommand } from '../../src/control/cli/commands/delete.ts';
import type { AssetStore } from '../../src/types/asset-store.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';
import { openTestHost, send, serve } from './http-support.ts';

const MIN = 60_000;
const T0 = Date.UTC(2026, 2, 1, 12);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: MIN }];

async function recorded(dir: string, location: string, asset: string, minutes: number): Promise<AssetStore> {
  const store = await openAssetStore(location, asset);
  const init = join(dir, 'init.mp4');
  writeFileSync(init, Buffer.alloc(100, 1));
  for (let m = 0; m < minutes; m++) {
    const path = join(dir, `${asset}-${m}.m4s`);
    writeFileSync(path, Buffer.alloc(2048, 2));
    await store.uploadSegment({
      path,
      startWallClockMs: T0 + m * MIN,
      endWallClockMs: T0 + (m + 1) * MIN,
      mediaDurationMs: MIN,
      tracks,
      init: { id: 'i', path: init, byteSize: 100 },
    });
  }
  await store.recordInIndex({ ranges: [{ startMs: T0, endMs: T0 + minutes * MIN }] });
  return store;
}

const iso = (ms: number) => new Date(ms).toISOString();

test('DELETE /api/assets/{asset}/media deletes a window; DELETE /api/assets/{asset} the asset; both need the token', async (t) => {
  const dir = tempDir(t, 'delete-api-');
  const location = `file:${join(dir, 'assets')}`;
  const store = await recorded(dir, location, 'cam-a', 6);
  const host = await openTestHost(t);
  const { url } = await serve(t, host, { token: 'delete-test-token', playback: await openPlaybackSource(location) });
  const auth = { authorization: 'Bearer delete-test-token' };

  assert.equal((await send(`${url}/api/assets/cam-a`, 'DELETE')).status, 401);
  assert.equal((await send(`${url}/api/assets/cam-a/media?to=${iso(T0 + 2 * MIN)}`, 'DELETE')).status, 401);
  assert.equal((await store.listNames('segments/')).length, 6, 'nothing deleted without the token');

  const bad = await send(`${url}/api/assets/cam-a/media?to=2026-03-01T12:02:00`, 'DELETE', undefined, auth);
  assert.equal(bad.status, 400);
  assert.match(JSON.stringify(await bad.json()), /to must be an ISO 8601 instant with its offset/);
  assert.equal((await send(`${url}/api/assets/no-such/media?to=${iso(T0)}`, 'DELETE', undefined, auth)).status, 404);

  const r = await send(`${url}/api/assets/cam-a/media?from=${iso(T0)}&to=${iso(T0 + 2 * MIN)}`, 'DELETE', undefined, auth);
  assert.equal(r.status, 200);
  assert.deepEqual(await r.json(), { deletedSegments: 2, deletedBytes: 4096, start: iso(T0), end: iso(T0 + 2 * MIN) });
  assert.deepEqual(
    await store.listNames('segments/'),
    [2, 3, 4, 5].map((m) => `segments/20260301T12${String(m).padStart(2, '0')}00.000Z_60000.m4s`),
  );
  const media = await send(
    `${url}/api/assets/cam-a/availableMedia?precision=full&startTime=${iso(T0 - MIN)}&endTime=${iso(T0 + 10 * MIN)}`,
    'GET',
    undefined,
    auth,
  );
  assert.deepEqual(await media.json(), { timeRanges: [{ start: iso(T0 + 2 * MIN), end: iso(T0 + 6 * MIN) }], gaps: [] });

  const whole = await send(`${url}/api/assets/cam-a`, 'DELETE', undefined, auth);
  assert.equal(whole.status, 200);
  assert.deepEqual(await (await openStoreProvider(location)).listAssets(), []);
  assert.equal((await send(`${url}/api/assets/cam-a`, 'DELETE', undefined, auth)).status, 204, 'deleting what does not exist');
});

test('mediagraph delete: needs --yes off a terminal, asks on one, prints what it deleted', async (t) => {
  const dir = tempDir(t, 'delete-cli-');
  const location = `file:${join(dir, 'assets')}`;
  const store = await recorded(dir, location, 'cam-b', 4);
  const lines: string[] = [];
  const io = { out: (l: string) => void lines.push(`out: ${l}`), err: (l: string) => void lines.push(`err: ${l}`) };

  // tests run without a terminal: main's own confirmation cannot ask, so nothing is deleted
  const noTty = await main(['delete', '--asset', 'cam-b', '--to', iso(T0 + 2 * MIN), '--store', location], io);
  assert.equal(noTty, 2);
  assert.match(lines.join('\n'), /not on a terminal: add --yes to delete 2 segment\(s\) of "cam-b" from 2026-03-01T12:00:00.000Z to 2026-03-01T12:02:00.000Z/);
  assert.equal((await store.listNames('segments/')).length, 4);

  const asked: string[] = [];
  lines.length = 0;
  assert.equal(
    await deleteCommand(['--asset', 'cam-b', '--to', iso(T0 + 2 * MIN), '--store', location], io, async (q) => {
      asked.push(q);
      return false;
    }),
    1,
  );
  assert.match(asked[0]!, /^delete 2 segment\(s\) of "cam-b" from .* in /);
  assert.equal((await store.listNames('segments/')).length, 4, 'answered no: nothing deleted');

  lines.length = 0;
  assert.equal(await deleteCommand(['--asset', 'cam-b', '--to', iso(T0 + 2 * MIN), '--store', location], io, async () => true), 0);
  assert.deepEqual(lines, ['out: deleted 2 segment(s), 0.0 MiB, of "cam-b" from 2026-03-01T12:00:00.000Z to 2026-03-01T12:02:00.000Z']);
  assert.deepEqual(await store.listNames('segments/'), ['segments/20260301T120200.000Z_60000.m4s', 'segments/20260301T120300.000Z_60000.m4s']);

  lines.length = 0;
  assert.equal(await main(['delete', '--asset', 'cam-b', '--yes', '--store', location], io), 0);
  assert.deepEqual(lines, ['out: deleted asset "cam-b"']);
  assert.deepEqual(await (await openStoreProvider(location)).listAssets(), []);
  lines.length = 0;
  assert.equal(await main(['delete', '--asset', 'cam-b', '--yes', '--store', location], io), 1);
  assert.match(lines.join('\n'), /asset "cam-b" does not exist/);
});
