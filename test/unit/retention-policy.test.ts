// Retention settings: the period's form, the cutoff a policy gives over a listing (oldest first,
// whole segments), and the site file's defaults and per-camera keys reaching the asset sink.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRetentionPeriod, retentionCutoff } from '../../src/storage/retention-policy.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { loadSite } from '../../src/site/load-site.ts';
import { validateTopology } from '../../src/graph/validate.ts';

test('retentionPeriod: ISO-8601 days, hours, minutes; at least a minute', () => {
  assert.equal(parseRetentionPeriod('P30D'), 30 * 86_400_000);
  assert.equal(parseRetentionPeriod('PT12H'), 12 * 3_600_000);
  assert.equal(parseRetentionPeriod('PT2M'), 120_000);
  assert.equal(parseRetentionPeriod('P1DT6H'), 30 * 3_600_000);
  for (const bad of ['30d', 'P', 'PT', 'PT30S', 'P1W', '', 'P-1D']) assert.equal(parseRetentionPeriod(bad), undefined, bad);
});

test('retentionCutoff: by age (segments that ended before now − period), by bytes (the oldest while over), both', () => {
  const seg = (startMin: number, bytes = 100) => ({ name: `s${startMin}`, startMs: startMin * 60_000, endMs: (startMin + 1) * 60_000, byteSize: bytes });
  const inv = [seg(0), seg(1), seg(2), seg(3), seg(4)];
  assert.equal(retentionCutoff(inv, { maxAgeMs: 3 * 60_000 }, 5 * 60_000), 2 * 60_000, 'segments 0 and 1 ended by 00:02');
  assert.equal(retentionCutoff(inv, { maxAgeMs: 10 * 60_000 }, 5 * 60_000), undefined);
  assert.equal(retentionCutoff(inv, { maxBytes: 300 }, 0), 2 * 60_000, 'the three newest fit');
  assert.equal(retentionCutoff(inv, { maxBytes: 299 }, 0), 3 * 60_000);
  assert.equal(retentionCutoff(inv, { maxBytes: 500 }, 0), undefined);
  assert.equal(retentionCutoff(inv, { maxBytes: 400, maxAgeMs: 2 * 60_000 }, 5 * 60_000), 3 * 60_000, 'the stricter one wins');
});

test('site file: retention defaults and per-camera keys reach the asset sink; a bad period is pointed at', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-siteret-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'mediagraph.json');
  writeFileSync(
    file,
    JSON.stringify({
      defaults: { retention: { period: 'P30D', maximumSizeMiB: 10_240 } },
      cameras: [
        { name: 'front', rtspUrl: 'rtsp://127.0.0.1:8554/a' },
        { name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b', retention: { period: 'PT10M' } },
        { name: 'nothing', rtspUrl: 'rtsp://127.0.0.1:8554/c' },
      ],
    }),
  );
  const registry = createBuiltinRegistry();
  const r = await loadSite(file, registry, { defaultDataDirectory: join(dir, '.data') });
  assert.ok(r.ok, JSON.stringify(r.problems));
  const sink = (name: string) =>
    (r.plan.graphs.find((g) => g.name === name)!.topology as { properties: { sinks: Record<string, unknown>[] } }).properties.sinks[0]!;
  assert.equal(sink('front')['retentionPeriod'], 'P30D');
  assert.equal(sink('front')['retentionMaximumSizeMiB'], '10240');
  assert.equal(sink('yard')['retentionPeriod'], 'PT10M');
  assert.equal(sink('yard')['retentionMaximumSizeMiB'], '10240');

  writeFileSync(file, JSON.stringify({ cameras: [{ name: 'front', rtspUrl: 'rtsp://127.0.0.1:8554/a', retention: { period: 'PT10S' } }] }));
  const bad = await loadSite(file, registry, { defaultDataDirectory: join(dir, '.data') });
  assert.equal(bad.ok, false);
  assert.deepEqual(
    bad.problems.map((p) => [p.pointer, p.code]),
    [['/cameras/0/retention/period', 'PropertyValueInvalid']],
  );
  assert.match(bad.problems[0]!.message, /at least one minute/);
});

test('an LVA topology stays valid without retention; the asset sink checks retentionPeriod when given', () => {
  const registry = createBuiltinRegistry();
  const topology = (extra: Record<string, unknown>) => ({
    '@apiVersion': '2.0',
    name: 't',
    properties: {
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 'src',
          endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1:1/x' },
        },
      ],
      sinks: [
        {
          '@type': '#Microsoft.Media.MediaGraphAssetSink',
          name: 'sink',
          assetNamePattern: 'a-${System.GraphInstanceName}',
          localMediaCachePath: 'cache',
          localMediaCacheMaximumSizeMiB: '100',
          inputs: [{ nodeName: 'src' }],
          ...extra,
        },
      ],
    },
  });
  assert.deepEqual(validateTopology(topology({}), registry).issues, []);
  assert.deepEqual(validateTopology(topology({ retentionPeriod: 'P7D', retentionMaximumSizeMiB: '2048' }), registry).issues, []);
  const issues = validateTopology(topology({ retentionPeriod: 'seven days' }), registry).issues;
  assert.deepEqual(
    issues.map((i) => i.code),
    ['PropertyValueInvalid'],
  );
  assert.match(issues[0]!.message, /retentionPeriod "seven days" is not an ISO-8601 duration/);
});
