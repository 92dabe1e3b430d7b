// Issue 17: when a host's instances were activated together their segments close together,
// and starting every upload at once stalled the event loop (100 files opened, 100 requests
// built, a burst of chunk buffers). One process sends at most SEGMENT_UPLOAD_SLOTS segment
// uploads at a time, across all its asset stores; the others wait their turn.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { startAzurite, azuriteConnectionString } from '../../src/testing/azurite.ts';
import { startTcpProxy } from '../../src/testing/tcp-proxy.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { tempDir } from '../helpers/cache-fixtures.ts';

const T0 = Date.UTC(2026, 0, 1);
const tracks = [{ trackId: 1, mediaType: 'video' as const, codecString: 'avc1.64001f', sampleCount: 25, durationMs: 1000 }];
/** As upload-slots.ts says; not imported, so this test also runs against code without it. */
const SLOTS = 8;

test('upload slots: 24 stores closing a segment together open at most the slots’ connections, and every segment lands', async (t) => {
  const az = await startAzurite();
  t.after(() => az.close());
  const proxy = await startTcpProxy({ host: '127.0.0.1', port: Number(new URL(az.blobEndpoint).port) });
  t.after(() => proxy.close());
  const dir = tempDir(t, 'upload-slots-');
  const conn = azuriteConnectionString(`http://127.0.0.1:${proxy.port}`);
  const stores: BlobAssetStore[] = [];
  const initPath = join(dir, 'init.mp4');
  writeFileSync(initPath, randomBytes(1000));
  const init = { id: 'init:1', path: initPath, byteSize: 1000 };
  for (let i = 0; i < 24; i++) {
    const store = await BlobAssetStore.create(conn, `slots-${i}`);
    // container and init one store at a time: the SDK's connections are not what is counted
    await store.ensureContainer();
    await store.uploadInit(init);
    stores.push(store);
  }
  const before = proxy.connections;
  const bytes = 2 * 1048576;
  const uploads = stores.map((store, i) => {
    const path = join(dir, `s${i}.m4s`);
    writeFileSync(path, randomBytes(bytes));
    const seg = {
      path,
      byteSize: bytes,
      init,
      startWallClockMs: T0,
      endWallClockMs: T0 + 30_000,
      mediaDurationMs: 30_000,
      tracks,
    };
    return store.uploadSegment(seg);
  });
  const done = await Promise.all(uploads);
  // new connections: the segment puts' keep-alive sockets (one per upload in flight at once), plus at most one of the SDK's
  const opened = proxy.connections - before;
  assert.ok(opened <= SLOTS + 1, `${opened} connections opened for 24 simultaneous uploads (slots: ${SLOTS})`);
  const service = BlobServiceClient.fromConnectionString(az.connectionString);
  for (const [i, d] of done.entries()) {
    const props = await service.getContainerClient(stores[i]!.containerName).getBlobClient(d.blobName).getProperties();
    assert.equal(props.contentLength, bytes);
  }
});
