import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIsoDurationMs, parsePositiveInteger, resolveSystemVariables, backoffMs } from '../../src/nodes/blob-asset-sink/options.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';

test('sink options: ISO durations, positive integers, system variables', () => {
  assert.equal(parseIsoDurationMs('PT60S'), 60_000);
  assert.equal(parseIsoDurationMs('PT1M30S'), 90_000);
  assert.equal(parseIsoDurationMs('PT0.5S'), 500);
  assert.equal(parseIsoDurationMs('P1DT2H'), 26 * 3600_000);
  for (const bad of ['60s', 'PT', 'P', '', 'PT-1S', 'T60S']) assert.equal(parseIsoDurationMs(bad), undefined, bad);
  assert.equal(parsePositiveInteger('4'), 4);
  assert.equal(parsePositiveInteger(2), 2);
  for (const bad of ['0', '-1', '1.5', 'two', '']) assert.equal(parsePositiveInteger(bad), undefined, bad);
  assert.equal(
    resolveSystemVariables(
      'a-${System.GraphTopologyName}-${System.GraphInstanceName}-${System.DateTime}',
      { topologyName: 'T', instanceName: 'I' },
      new Date(Date.UTC(2021, 3, 26, 18, 19, 11, 500)),
    ),
    'a-T-I-20210426T181911Z',
  );
});

test('backoff: exponential, jittered within [½, 1] of the step, capped', () => {
  fc.assert(
    fc.property(fc.integer({ min: 1, max: 100 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
      const d = backoffMs(attempt, 500, 30_000, () => r);
      const step = Math.min(30_000, 500 * 2 ** (attempt - 1));
      return d >= Math.floor(step / 2) && d <= step;
    }),
    { numRuns: 300 },
  );
  assert.equal(
    backoffMs(1, 500, 30_000, () => 0.999999),
    500,
  );
  assert.equal(
    backoffMs(20, 500, 30_000, () => 0.999999),
    30_000,
  );
});

test('account URL uses DefaultAzureCredential, loaded lazily, with no network call at creation', async () => {
  const t0 = performance.now();
  const store = await BlobAssetStore.create('https://exampleaccount.blob.core.windows.net/', 'Cam-7');
  assert.ok(performance.now() - t0 < 5000);
  assert.equal(store.connection.kind, 'account-url');
  assert.equal(store.connection.accountName, 'exampleaccount');
  assert.equal(store.containerName, 'cam-7');
  assert.match(store.describe(), /DefaultAzureCredential/);
});
