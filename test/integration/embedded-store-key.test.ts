// The embedded store (no --blob): Azurite's published development key opens nothing; the key
// generated at first start is kept in the data folder (0600) and survives a restart with the
// recordings still readable; the store listens on loopback only.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { BlobServiceClient } from '@azure/storage-blob';
import { resolveBlobTarget } from '../../src/control/blob-target.ts';
import { EMBEDDED_KEY_FILE } from '../../src/control/embedded-store-key.ts';
import { azuriteConnectionString } from '../../src/testing/azurite.ts';

const noEnv = {};

function refused(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = connect({ host, port, timeout: 2000 });
    s.once('connect', () => {
      s.destroy();
      resolve(false);
    });
    s.once('error', () => resolve(true));
    s.once('timeout', () => {
      s.destroy();
      resolve(true);
    });
  });
}

test('embedded store: the published dev key is refused, the generated key persists across a restart, loopback only', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-embedded-key-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));

  const first = await resolveBlobTarget(undefined, dir, noEnv);
  let closed = false;
  t.after(async () => {
    if (!closed) await first.close();
  });
  assert.equal(first.embedded, true);
  const endpoint = new URL(/BlobEndpoint=([^;]+)/.exec(first.connection)![1]!);
  assert.equal(endpoint.hostname, '127.0.0.1');

  // The development key that every Azurite tutorial prints.
  const published = BlobServiceClient.fromConnectionString(azuriteConnectionString(endpoint.origin));
  await assert.rejects(
    published.getContainerClient('recordings').create(),
    (e: { statusCode?: number }) => e.statusCode === 403,
    'the published key could create a container',
  );

  const own = BlobServiceClient.fromConnectionString(first.connection);
  await own.getContainerClient('recordings').create();
  await own.getContainerClient('recordings').getBlockBlobClient('a.txt').upload('kept', 4);
  await assert.rejects(
    published.getContainerClient('recordings').getBlockBlobClient('a.txt').downloadToBuffer(),
    (e: { statusCode?: number }) => e.statusCode === 403,
    'the published key reads recordings',
  );
  assert.notEqual((await fetch(`${endpoint.href}/recordings/a.txt`)).status, 200, 'anonymous read');
  assert.notEqual((await fetch(`${endpoint.href}?comp=list`)).status, 200, 'anonymous listing');
  const containers: string[] = [];
  await assert.rejects(
    (async () => {
      for await (const c of published.listContainers()) containers.push(c.name);
    })(),
    (e: { statusCode?: number }) => e.statusCode === 403,
  );
  assert.deepEqual(containers, []);

  const keyFile = join(dir, 'azurite', EMBEDDED_KEY_FILE);
  assert.equal(statSync(keyFile).mode & 0o777, 0o600, 'key file mode');
  assert.equal(statSync(join(dir, 'azurite')).mode & 0o077, 0, 'the store folder is private');

  // Nothing answers on this machine's other addresses.
  const port = Number(endpoint.port);
  for (const addr of Object.values(networkInterfaces()).flat()) {
    if (addr && !addr.internal && addr.family === 'IPv4') assert.ok(await refused(addr.address, port), `the store answers on ${addr.address}`);
  }

  await first.close();
  closed = true;
  const second = await resolveBlobTarget(undefined, dir, noEnv);
  t.after(() => second.close());
  assert.equal(/AccountKey=([^;]+)/.exec(second.connection)![1], /AccountKey=([^;]+)/.exec(first.connection)![1], 'the same key after a restart');
  const again = BlobServiceClient.fromConnectionString(second.connection);
  assert.equal((await again.getContainerClient('recordings').getBlockBlobClient('a.txt').downloadToBuffer()).toString(), 'kept');
});
