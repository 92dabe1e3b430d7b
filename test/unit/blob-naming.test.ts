import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  containerNameForAsset,
  InvalidContainerNameError,
  segmentBlobName,
  parseBlobConnection,
  redact,
  mergeRanges,
  isoBasic,
} from '../../src/storage/blob/index.ts';
import { parseSegmentBlobName, parseGapBlobName, gapBlobName } from '../../src/storage/blob/naming.ts';
import { applyToIndex, emptyIndex, parseIndex, serializeIndex } from '../../src/storage/blob/asset-index.ts';

test('container names: LVA asset names are lower-cased, then checked against Azure rules', () => {
  assert.equal(containerNameForAsset('sampleAsset-CVRToAMSAsset-Sample-Graph-1'), 'sampleasset-cvrtoamsasset-sample-graph-1');
  for (const [bad, why] of [
    ['ab', /3–63 characters/],
    ['a'.repeat(64), /3–63 characters/],
    ['asset_one', /"_"/],
    ['-asset', /start and end/],
    ['asset-', /start and end/],
    ['as--set', /two hyphens/],
    ['asset one', /" "/],
  ] as const) {
    assert.throws(
      () => containerNameForAsset(bad),
      (e: unknown) => e instanceof InvalidContainerNameError && why.test(e.message),
      bad,
    );
  }
  fc.assert(
    fc.property(fc.string({ maxLength: 70 }), (s) => {
      let name: string;
      try {
        name = containerNameForAsset(s);
      } catch (e) {
        return e instanceof InvalidContainerNameError;
      }
      return /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/.test(name);
    }),
    { numRuns: 500 },
  );
});

test('segment names sort by time and round-trip', () => {
  const a = segmentBlobName(Date.UTC(2026, 0, 1, 9, 59, 59, 999), 30_000);
  const b = segmentBlobName(Date.UTC(2026, 0, 1, 10, 0, 0, 0), 30_000);
  assert.equal(a, 'segments/20260101T095959.999Z_30000.m4s');
  assert.ok(a < b);
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.integer({ min: 0, max: 600_000 }), (t, d) => {
      const p = parseSegmentBlobName(segmentBlobName(t, d));
      return p !== undefined && p.startMs === t && p.durationMs === d;
    }),
    { numRuns: 300 },
  );
  const g = parseGapBlobName(gapBlobName(1000, 5000, 'evicted'));
  assert.deepEqual(g, { startMs: 1000, endMs: 5000, reason: 'evicted' });
  assert.equal(isoBasic(0), '19700101T000000.000Z');
});

test('connection parsing: kinds, account names, and describe() never shows a secret', () => {
  const cs = 'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=c2VjcmV0a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;';
  const c = parseBlobConnection(cs);
  assert.equal(c.kind, 'connection-string');
  assert.equal(c.accountName, 'devstoreaccount1');
  assert.ok(!c.describe().includes('c2VjcmV0a2V5'));
  const prod = parseBlobConnection('DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=S3CR3T;EndpointSuffix=core.windows.net');
  assert.equal(prod.endpoint, 'https://acct.blob.core.windows.net');
  const sas = parseBlobConnection('https://acct.blob.core.windows.net/?sv=2024-01-01&ss=b&sig=SIGNATURE%2B');
  assert.equal(sas.kind, 'sas-url');
  assert.equal(sas.sasContainer, undefined);
  assert.ok(!sas.describe().includes('SIGNATURE'));
  const csas = parseBlobConnection('http://127.0.0.1:1234/devstoreaccount1/mycontainer?sv=x&sig=abc');
  assert.deepEqual([csas.kind, csas.accountName, csas.sasContainer], ['sas-url', 'devstoreaccount1', 'mycontainer']);
  const acct = parseBlobConnection('https://user:pw@acct.blob.core.windows.net/');
  assert.equal(acct.kind, 'account-url');
  assert.ok(!acct.describe().includes('pw'));
  assert.throws(() => parseBlobConnection('not a connection'), /neither/);
  assert.equal(
    redact('GET https://a.blob.core.windows.net/c?sv=1&sig=abc%2F&se=2 AccountKey=xyz;'),
    'GET https://a.blob.core.windows.net/c?sv=REDACTED&sig=REDACTED&se=REDACTED AccountKey=REDACTED;',
  );
});

test('index: ranges merge within tolerance, gaps by reason, JSON round-trips', () => {
  assert.deepEqual(
    mergeRanges(
      [
        { startMs: 2000, endMs: 3000 },
        { startMs: 0, endMs: 1000 },
        { startMs: 1500, endMs: 2000 },
      ],
      500,
    ),
    [{ startMs: 0, endMs: 3000 }],
  );
  assert.deepEqual(
    mergeRanges(
      [
        { startMs: 0, endMs: 1000 },
        { startMs: 2001, endMs: 3000 },
      ],
      1000,
    ),
    [
      { startMs: 0, endMs: 1000 },
      { startMs: 2001, endMs: 3000 },
    ],
  );
  let idx = emptyIndex('2026-01-01');
  idx = applyToIndex(idx, { ranges: [{ startMs: 0, endMs: 1000 }], gaps: [{ startMs: 1000, endMs: 5000, reason: 'evicted' }] });
  idx = applyToIndex(idx, {
    gaps: [
      { startMs: 5000, endMs: 7000, reason: 'evicted' },
      { startMs: 8000, endMs: 9000, reason: 'camera-lost' },
    ],
  });
  assert.deepEqual(idx.gaps, [
    { startMs: 1000, endMs: 7000, reason: 'evicted' },
    { startMs: 8000, endMs: 9000, reason: 'camera-lost' },
  ]);
  assert.deepEqual(parseIndex(serializeIndex(idx), idx.day), idx);
  assert.equal(parseIndex('{"version":2}', 'x'), undefined);
  // Order of application does not matter.
  fc.assert(
    fc.property(fc.array(fc.tuple(fc.nat(100_000), fc.nat(5000)), { maxLength: 30 }), (rs) => {
      const ranges = rs.map(([s, d]) => ({ startMs: s, endMs: s + d }));
      return JSON.stringify(mergeRanges(ranges)) === JSON.stringify(mergeRanges([...ranges].reverse()));
    }),
    { numRuns: 200 },
  );
});
