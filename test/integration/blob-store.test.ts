import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlobServiceClient, AccountSASPermissions, AccountSASResourceTypes, ContainerSASPermissions } from '@azure/storage-blob';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { BlobAssetStore, BlobStoreError } from '../../src/storage/blob/index.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const DAY = Date.UTC(2026, 0, 1);
const tracks = [
  { trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 1000 },
  { trackId: 2, mediaType: 'audio' as const, codecString: 'mp4a.40.2', sampleCount: 47, durationMs: 1000 },
];

function segFile(dir: string, name: string, size = 2048): string {
  const p = join(dir, name);
  writeFileSync(p, Buffer.alloc(size, name.length));
  return p;
}

test('store: uploads init and segments idempotently, with metadata and an ETag-guarded day index', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'blob-store-');
  // An asset that exists already: a store that creates its container indexes only what it
  // uploaded itself (container-deleted.test.ts), and the ranges below are made up.
  await BlobServiceClient.fromConnectionString(az.connectionString).getContainerClient('asset-cvr-graph-1').create();
  const store = await BlobAssetStore.create(az.connectionString, 'Asset-CVR-Graph-1');
  assert.equal(store.containerName, 'asset-cvr-graph-1');
  assert.ok(!store.describe().includes('Eby8'), 'no account key in describe()');
  const init = { id: 'abc123', path: segFile(dir, 'init.mp4', 700), byteSize: 700 };
  assert.equal(await store.uploadInit(init), 'init/abc123.mp4');
  const seg = {
    path: segFile(dir, 's1.m4s'),
    startWallClockMs: DAY + 23 * 3600_000 + 3599_000,
    endWallClockMs: DAY + 24 * 3600_000 + 1000,
    mediaDurationMs: 2000,
    tracks,
    init,
  };
  const r1 = await store.uploadSegment(seg);
  const r2 = await store.uploadSegment(seg); // a retry after a crash: same name, overwritten
  assert.equal(r1.blobName, 'segments/20260101T235959.000Z_2000.m4s');
  assert.equal(r2.blobName, r1.blobName);
  assert.deepEqual(await store.listNames('segments/'), [r1.blobName]);
  const props = await BlobServiceClient.fromConnectionString(az.connectionString)
    .getContainerClient('asset-cvr-graph-1')
    .getBlobClient(r1.blobName)
    .getProperties();
  assert.deepEqual(props.metadata, {
    start: '2026-01-01T23:59:59.000Z',
    end: '2026-01-02T00:00:01.000Z',
    initid: 'abc123',
    codecs: 'avc1.64001f,mp4a.40.2',
    mediadurationms: '2000',
  });
  assert.equal(props.contentLength, 2048);

  // Concurrent index writers: ETag conditions make both updates land.
  await Promise.all([
    store.recordInIndex({ ranges: [{ startMs: DAY + 1000, endMs: DAY + 2000 }] }),
    store.recordInIndex({ ranges: [{ startMs: DAY + 5000, endMs: DAY + 6000 }] }),
    store.recordInIndex({ ranges: [{ startMs: DAY + 9000, endMs: DAY + 10000 }], gaps: [{ startMs: DAY + 6000, endMs: DAY + 9000, reason: 'evicted' }] }),
  ]);
  const idx = await store.readIndex('2026-01-01');
  // The index did not exist yet: the first writer started from the listing (the uploaded segment).
  assert.deepEqual(idx?.ranges, [
    { startMs: DAY + 1000, endMs: DAY + 2000 },
    { startMs: DAY + 5000, endMs: DAY + 6000 },
    { startMs: DAY + 9000, endMs: DAY + 10000 },
    { startMs: seg.startWallClockMs, endMs: seg.endWallClockMs },
  ]);
  assert.deepEqual(idx?.gaps, [{ startMs: DAY + 6000, endMs: DAY + 9000, reason: 'evicted' }]);

  // Ranges across midnight come from the previous day's index; the query clips to its window.
  await store.recordInIndex({ ranges: [{ startMs: seg.startWallClockMs, endMs: seg.endWallClockMs }] });
  const avail = await store.availableRanges(DAY + 86_400_000, DAY + 86_400_000 + 60_000);
  assert.deepEqual(avail.ranges, [{ startMs: DAY + 86_400_000, endMs: seg.endWallClockMs }]);

  // The index is rebuildable from the listing: segment blobs (with metadata end) and gap markers.
  const rebuilt = await store.rebuildIndex('2026-01-01');
  assert.deepEqual(rebuilt.ranges, [{ startMs: seg.startWallClockMs, endMs: seg.endWallClockMs }]);
  assert.deepEqual(rebuilt.gaps, [{ startMs: DAY + 6000, endMs: DAY + 9000, reason: 'evicted' }]);
});

test('store: SAS URLs (account and container scoped) work; errors never echo the signature', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'blob-sas-');
  const service = BlobServiceClient.fromConnectionString(az.connectionString);
  const expiresOn = new Date(Date.now() + 3600_000);
  const accountSas = service.generateAccountSasUrl(expiresOn, AccountSASPermissions.parse('rwdlacup'), AccountSASResourceTypes.parse('sco').toString());
  const viaAccount = await BlobAssetStore.create(accountSas, 'sas-asset');
  assert.equal(viaAccount.connection.kind, 'sas-url');
  const init = { id: 'i', path: segFile(dir, 'init.mp4', 10), byteSize: 10 };
  await viaAccount.uploadInit(init);
  assert.equal(await viaAccount.exists('init/i.mp4'), true);

  const scoped = service.getContainerClient('shared');
  await scoped.create();
  const containerSas = await scoped.generateSasUrl({ expiresOn, permissions: ContainerSASPermissions.parse('racwdl') });
  const viaContainer = await BlobAssetStore.create(containerSas, 'cam-one');
  await viaContainer.uploadInit(init);
  assert.equal(await scoped.getBlobClient('cam-one/init/i.mp4').exists(), true);
  assert.deepEqual(await viaContainer.listNames('init/'), ['init/i.mp4']);

  const readOnly = await scoped.generateSasUrl({ expiresOn, permissions: ContainerSASPermissions.parse('r') });
  const denied = await BlobAssetStore.create(readOnly, 'cam-one');
  const err = await denied.uploadInit(init).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BlobStoreError, String(err));
  assert.equal(err.statusCode, 403);
  const sig = new URL(readOnly).searchParams.get('sig')!;
  assert.ok(!err.message.includes(sig) && !err.message.includes(encodeURIComponent(sig)), err.message);
});

test('store: a blackholed uplink fails each call at its deadline instead of hanging', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const port = Number(new URL(az.blobEndpoint).port);
  const proxy = await startTcpProxy({ host: '127.0.0.1', port });
  t.after(() => proxy.close());
  const dir = tempDir(t, 'blob-hole-');
  const store = await BlobAssetStore.create(azuriteConnectionString(`http://127.0.0.1:${proxy.port}`), 'hole-asset', {
    operationTimeoutMs: 500,
    uploadTimeoutBaseMs: 500,
  });
  await store.ensureContainer();
  proxy.mode('blackhole');
  const init = { id: 'i', path: segFile(dir, 'init.mp4', 100_000), byteSize: 100_000 };
  const t0 = performance.now();
  const err = await store.uploadInit(init).then(
    () => undefined,
    (e: unknown) => e,
  );
  const ms = performance.now() - t0;
  assert.ok(err instanceof BlobStoreError && err.code === 'Timeout', String(err));
  assert.ok(ms >= 450 && ms < 3000, `failed after ${ms} ms`);
  proxy.mode('pass');
  await store.uploadInit(init);
  assert.equal(await store.exists('init/i.mp4'), true);
});
