// The embedding application's server: its host knows the application's node type, so the
// HTTP API accepts a topology that uses it; the viewer and playback answer from its storage.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzurite } from 'mediagraph/testing';
import { startEmbeddedServer } from './server.ts';

test('createServer serves an application host: its own node type over the API, viewer and playback', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-embedded-'));
  const azurite = await startAzurite();
  const server = await startEmbeddedServer({ dataDirectory: join(dir, 'host'), blobConnection: azurite.connectionString });
  t.after(async () => {
    await server.close();
    await azurite.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const topology = JSON.parse(readFileSync('examples/custom-node/topology.json', 'utf8')) as { name: string };
  const put = await fetch(`${server.http.url}/api/topologies/${topology.name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(topology),
  });
  assert.equal(put.status, 201, await put.text());
  const viewer = await fetch(`${server.http.url}/`);
  assert.equal(viewer.status, 200);
  assert.match(await viewer.text(), /<html/i);
  const assets = await fetch(`${server.http.url}/api/assets`);
  assert.equal(assets.status, 200, "playback reads the application's storage");
});
