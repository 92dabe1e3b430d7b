// Throttling: storage answers 503 with Retry-After; the uploader's next attempt waits at least
// that long. A loopback HTTP server stands in for throttled storage (a fault injector); the
// error comes from the real SDK through the real BlobAssetStore.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { AssetUploader } from '../../src/nodes/blob-asset-sink/uploader.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { Redactor } from '../../src/runtime/redact.ts';
import type { SegmentQueue } from '../../src/types/cache.ts';
import { startAzurite } from '../../src/testing/azurite.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
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
  const failure = await store.ensureContainer().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(failure instanceof BlobStoreError, String(failure));
  assert.equal(requests, 1, 'the SDK made one try; the retry loop is ours');
  assert.equal(retryAfterMs(failure), 4000);
  assert.equal(delayBeforeRetry(failure, 500), 4000, 'storage asked for longer than our backoff');
  assert.equal(delayBeforeRetry(failure, 9000), 9000, 'never shorter than our backoff');
  assert.equal(delayBeforeRetry(new Error('socket hang up'), 500), 500);
});

test('the uploader waits the Retry-After of a throttled segment upload before trying again', { timeout: 60_000 }, async (t) => {
  const azurite = await startAzurite();
  t.after(() => azurite.close());
  const target = new URL(azurite.blobEndpoint);
  // a loopback proxy in front of Azurite that throttles the first segment upload (fault injector)
  const attempts: number[] = [];
  const proxy = createServer((req, res) => {
    const isSegmentPut = req.method === 'PUT' && /\/segments\//.test(req.url ?? '');
    if (isSegmentPut) attempts.push(Date.now());
    if (isSegmentPut && attempts.length === 1) {
      req.resume();
      res.writeHead(503, { 'retry-after': '2', 'x-ms-error-code': 'ServerBusy', 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>ServerBusy</Code><Message>busy</Message></Error>');
      return;
    }
    const upstream = httpRequest({ host: target.hostname, port: target.port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      res.writeHead(up.statusCode ?? 502, up.headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
  t.after(
    () =>
      new Promise<void>((r) => {
        proxy.closeAllConnections();
        proxy.close(() => r());
      }),
  );
  const { port } = proxy.address() as AddressInfo;
  const store = await BlobAssetStore.create(azuriteConnectionString(`http://127.0.0.1:${port}`), 'throttled-upload', { operationTimeoutMs: 5000 });
  const dir = tempDir(t, 'mg-retry-after-');
  const src = join(dir, 'src');
  mkdirSync(src);
  const cache = await DurableSegmentCache.open(join(dir, 'cache'), { maxBytes: 1_000_000 });
  t.after(() => cache.close());
  await cache.add(writeSegment(src, 0));
  cache.endInput();
  // the queue as the durable-cache node hands it to the sink
  const queue: SegmentQueue = {
    next: (signal) => cache.nextPending(signal),
    peekNext: () => cache.peekPending(),
    markUploaded: (id) => cache.markUploaded(id),
    release: (id) => cache.release(id),
    pendingGaps: () => cache.pendingGaps(),
    ackGaps: (gaps) => cache.ackGaps(gaps),
    pendingRanges: () => cache.pendingRanges(),
    ackRanges: (ranges) => cache.ackRanges(ranges),
    inputEnded: cache.inputEnded,
    gapsChanged: (signal) => cache.gapsChanged(signal),
    stats: () => cache.stats(),
    detach: () => undefined,
  };
  const uploader = new AssetUploader(queue, store, { emit: () => undefined }, createLogger({ level: 'silent', redactor: new Redactor() }), {
    concurrency: 1,
    drainTimeoutMs: 20_000,
    backoffBaseMs: 50,
    backoffCapMs: 100,
  });
  assert.equal(await uploader.run(), 'drained');
  assert.equal(uploader.uploaded, 1);
  assert.equal(attempts.length, 2, 'one throttled attempt, one that went through');
  const waited = attempts[1]! - attempts[0]!;
  assert.ok(waited >= 1900, `retried after ${waited} ms; storage asked for 2 s (our backoff alone is at most 100 ms)`);
});
