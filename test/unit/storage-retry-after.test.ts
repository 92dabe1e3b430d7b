// Throttling: storage answers 503 with Retry-After; the uploader's next attempt waits at least
// that long. A loopback HTTP server stands in for throttled storage (a fault injector); the
// error comes from the real SDK through the real BlobAssetStore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { BlobAssetStore, BlobStoreError } from '../../src/storage/blob/blob-asset-store.ts';
import { azuriteConnectionString } from '../../src/testing/azurite.ts';
import { delayBeforeRetry, parseRetryAfterMs, retryAfterMs, MAX_RETRY_AFTER_MS } from '../../src/storage/blob/retry-after.ts';

test('Retry-After: seconds or an HTTP date, capped; unusable values are ignored', () => {
  const now = Date.parse('2026-12-07T08:00:00Z');
  assert.equal(parseRetryAfterMs('7', now), 7000);
  assert.equal(parseRetryAfterMs('Mon, 07 Dec 2026 08:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfterMs('Mon, 07 Dec 2026 07:00:00 GMT', now), 0, 'a date in the past: no extra wait');
  assert.equal(parseRetryAfterMs('999999999', now), MAX_RETRY_AFTER_MS);
  assert.equal(parseRetryAfterMs('soon', now), undefined);
  assert.equal(parseRetryAfterMs(undefined, now), undefined);
});

test('a throttled storage call carries its Retry-After, and the retry waits at least that long', async (t) => {
  let requests = 0;
  const server = createServer((req, res) => {
    requests++;
    req.resume();
    res.writeHead(503, { 'retry-after': '4', 'x-ms-error-code': 'ServerBusy', 'content-type': 'application/xml' });
    res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>The server is busy.</Message></Error>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => new Promise<void>((r) => server.close(() => r())));
  const { port } = server.address() as AddressInfo;
  const store = await BlobAssetStore.create(azuriteConnectionString(`http://127.0.0.1:${port}`), 'throttled-asset', { operationTimeoutMs: 5000 });
  const failure = await store.ensureContainer().then(() => undefined, (e: unknown) => e);
  assert.ok(failure instanceof BlobStoreError, String(failure));
  assert.equal(requests, 1, 'the SDK made one try; the retry loop is ours');
  assert.equal(retryAfterMs(failure), 4000);
  assert.equal(delayBeforeRetry(failure, 500), 4000, 'storage asked for longer than our backoff');
  assert.equal(delayBeforeRetry(failure, 9000), 9000, 'never shorter than our backoff');
  assert.equal(delayBeforeRetry(new Error('socket hang up'), 500), 500);
});
