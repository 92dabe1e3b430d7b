// Segment uploads with an account key or a SAS go out as one signed Put Blob, not through the
// SDK (issue 17: the SDK's file stream cost ~3× the client CPU per MiB). The blob must be the
// same as the SDK writes (bytes, content type, metadata), with the same deadline and error
// behaviour, and no secret in any error. AAD tokens keep the SDK (Azurite needs HTTPS + OAuth
// for them, so that path is not exercised here).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { retryAfterMs } from '../../src/storage/blob/retry-after.ts';
import { BlobServiceClient, AccountSASPermissions, AccountSASResourceTypes, ContainerSASPermissions } from '@azure/storage-blob';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { BlobAssetStore, BlobStoreError } from '../../src/storage/blob/index.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 1000 }];

function segment(dir: string, name: string, bytes: number, startMs: number) {
  const path = join(dir, name);
  writeFileSync(path, randomBytes(bytes));
  return {
    path,
    byteSize: bytes,
    init: { id: 'init:1', path: path, byteSize: bytes },
    startWallClockMs: startMs,
    endWallClockMs: startMs + 30_000,
    mediaDurationMs: 30_000,
    tracks,
  };
}

test('signed put: account key uploads (a buffer and a >8 MiB file) match what the SDK writes', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'signed-put-');
  const viaPut = await BlobAssetStore.create(az.connectionString, 'put-asset');
  const viaSdk = await BlobAssetStore.create(az.connectionString, 'sdk-asset', { sdkUploads: true });
  assert.equal(viaPut.segmentUploads, 'signed-put');
  assert.equal(viaSdk.segmentUploads, 'sdk');
  const service = BlobServiceClient.fromConnectionString(az.connectionString);
  for (const [i, bytes] of [2048, 9 * 1048576 + 17].entries()) {
    const seg = segment(dir, `s${i}.m4s`, bytes, T0 + i * 30_000);
    const a = await viaPut.uploadSegment(seg);
    const b = await viaSdk.uploadSegment(seg);
    assert.equal(a.blobName, b.blobName);
    const put = service.getContainerClient('put-asset').getBlobClient(a.blobName);
    const sdk = service.getContainerClient('sdk-asset').getBlobClient(b.blobName);
    assert.ok((await put.downloadToBuffer()).equals(readFileSync(seg.path)), `${bytes} bytes arrive whole`);
    const [pp, sp] = [await put.getProperties(), await sdk.getProperties()];
    assert.equal(pp.contentType, 'video/iso.segment');
    assert.equal(pp.contentLength, bytes);
    assert.equal(pp.blobType, 'BlockBlob');
    assert.deepEqual(pp.metadata, sp.metadata);
  }
  // read back as playback and the index see it
  const inventory = await viaPut.listSegmentInventory();
  assert.deepEqual(
    inventory.map((s) => [s.startMs, s.endMs]),
    [
      [T0, T0 + 30_000],
      [T0 + 30_000, T0 + 60_000],
    ],
  );
});

test('signed put: account and container SAS upload; a read-only SAS and a wrong key fail with 403 and no secret', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const dir = tempDir(t, 'signed-put-sas-');
  const service = BlobServiceClient.fromConnectionString(az.connectionString);
  const expiresOn = new Date(Date.now() + 3600_000);
  const seg = segment(dir, 's.m4s', 4096, T0);

  const accountSas = service.generateAccountSasUrl(expiresOn, AccountSASPermissions.parse('rwdlacup'), AccountSASResourceTypes.parse('sco').toString());
  const viaAccount = await BlobAssetStore.create(accountSas, 'sas-asset');
  assert.equal(viaAccount.segmentUploads, 'signed-put');
  const { blobName } = await viaAccount.uploadSegment(seg);
  assert.equal(await service.getContainerClient('sas-asset').getBlobClient(blobName).exists(), true);

  const scoped = service.getContainerClient('shared');
  await scoped.create();
  const containerSas = await scoped.generateSasUrl({ expiresOn, permissions: ContainerSASPermissions.parse('racwdl') });
  const viaContainer = await BlobAssetStore.create(containerSas, 'cam-one');
  await viaContainer.uploadSegment(seg);
  assert.ok((await scoped.getBlobClient(`cam-one/${blobName}`).downloadToBuffer()).equals(readFileSync(seg.path)));

  const readOnly = await scoped.generateSasUrl({ expiresOn, permissions: ContainerSASPermissions.parse('r') });
  const denied = await BlobAssetStore.create(readOnly, 'cam-one');
  const err = await denied.uploadSegment(seg).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BlobStoreError, String(err));
  assert.equal(err.statusCode, 403);
  const sig = new URL(readOnly).searchParams.get('sig')!;
  assert.ok(!err.message.includes(sig) && !err.message.includes(encodeURIComponent(sig)), err.message);

  const wrongKey = Buffer.alloc(64, 7).toString('base64');
  const bad = await BlobAssetStore.create(az.connectionString.replace(/AccountKey=[^;]+/, `AccountKey=${wrongKey}`), 'sas-asset');
  await bad.ensureContainer().catch(() => undefined);
  const keyErr = await bad.uploadSegment(seg).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(keyErr instanceof BlobStoreError, String(keyErr));
  assert.equal(keyErr.statusCode, 403);
  assert.ok(!keyErr.message.includes(wrongKey), keyErr.message);
});

test('signed put: a blackholed upload ends at its deadline as Timeout; the caller’s abort wins', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const port = Number(new URL(az.blobEndpoint).port);
  const proxy = await startTcpProxy({ host: '127.0.0.1', port });
  t.after(() => proxy.close());
  const dir = tempDir(t, 'signed-put-hole-');
  const store = await BlobAssetStore.create(azuriteConnectionString(`http://127.0.0.1:${proxy.port}`), 'hole-asset', {
    uploadTimeoutBaseMs: 500,
    uploadMinBytesPerSecond: 100 * 1048576,
  });
  await store.ensureContainer();
  proxy.mode('blackhole');
  const seg = segment(dir, 's.m4s', 9 * 1048576, T0);
  const t0 = performance.now();
  const err = await store.uploadSegment(seg).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BlobStoreError && err.code === 'Timeout', String(err));
  // its deadline: 500 ms + 9 MiB at 100 MiB/s
  assert.ok(performance.now() - t0 < 5_000, `ended after ${Math.round(performance.now() - t0)} ms`);
  const abort = new AbortController();
  const small = segment(dir, 'small.m4s', 4096, T0 + 30_000);
  const pending = store.uploadSegment(small, abort.signal);
  const reason = new Error('stopped by the caller');
  setTimeout(() => abort.abort(reason), 100);
  await assert.rejects(pending, (e) => e === reason);
});

test('signed put: a throttled upload carries the Retry-After the retry loop honours, and the service code', async (t) => {
  // A storage endpoint that throttles every blob write (the container exists already).
  const server = createServer((req, res) => {
    req.resume();
    req.once('end', () => {
      if (req.url?.includes('restype=container')) res.writeHead(409, { 'x-ms-error-code': 'ContainerAlreadyExists' }).end();
      else res.writeHead(503, { 'x-ms-error-code': 'ServerBusy', 'retry-after': '7' }).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const dir = tempDir(t, 'signed-put-busy-');
  const store = await BlobAssetStore.create(azuriteConnectionString(`http://127.0.0.1:${port}`), 'busy-asset');
  assert.equal(store.segmentUploads, 'signed-put');
  const err = await store.uploadSegment(segment(dir, 's.m4s', 4096, T0)).then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof BlobStoreError, String(err));
  assert.equal(err.statusCode, 503);
  assert.equal(err.code, 'ServerBusy');
  assert.equal(retryAfterMs(err), 7000);
});

test('signed put: behind a proxy (HTTPS_PROXY), or with an AAD account URL, segments keep the SDK', async (t) => {
  const conn = azuriteConnectionString('http://127.0.0.1:10000');
  assert.equal((await BlobAssetStore.create(conn, 'plain')).segmentUploads, 'signed-put');
  process.env['HTTPS_PROXY'] = 'http://127.0.0.1:3128';
  t.after(() => delete process.env['HTTPS_PROXY']);
  assert.equal((await BlobAssetStore.create(conn, 'proxied')).segmentUploads, 'sdk');
  delete process.env['HTTPS_PROXY'];
  assert.equal((await BlobAssetStore.create('https://account.blob.core.windows.net', 'aad')).segmentUploads, 'sdk');
});
