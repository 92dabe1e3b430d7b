import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite } from '../../src/testing/azurite.ts';

test('in-process Azurite: in-memory servers are separate, disk store survives a restart', async (t) => {
  const a = await startAzurite();
  const b = await startAzurite({ inMemory: true });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  assert.match(a.blobEndpoint, /^http:\/\/127\.0\.0\.1:\d+\/devstoreaccount1$/);
  assert.notEqual(a.blobEndpoint, b.blobEndpoint);
  const ca = BlobServiceClient.fromConnectionString(a.connectionString).getContainerClient('one');
  await ca.create();
  await ca.getBlockBlobClient('x.bin').uploadData(Buffer.from('hello'));
  const cb = BlobServiceClient.fromConnectionString(b.connectionString).getContainerClient('one');
  assert.equal(await cb.exists(), false);

  const dir = mkdtempSync(join(tmpdir(), 'blob-azurite-'));
  const d1 = await startAzurite({ location: dir });
  const c1 = BlobServiceClient.fromConnectionString(d1.connectionString).getContainerClient('disk');
  await c1.create();
  await c1.getBlockBlobClient('y.bin').uploadData(Buffer.from('persisted'));
  await d1.close();
  const d2 = await startAzurite({ location: dir });
  t.after(async () => {
    await d2.close();
    rmSync(dir, { recursive: true, force: true });
  }); // store closed before its folder goes
  const c2 = BlobServiceClient.fromConnectionString(d2.connectionString).getContainerClient('disk');
  const body = await c2.getBlockBlobClient('y.bin').downloadToBuffer();
  assert.equal(body.toString(), 'persisted');
});
