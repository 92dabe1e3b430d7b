// A durable cache hands each segment out once through its queue (a single-consumer port): a
// second node wired to the same cache would silently get half the recording, or none. Validation
// refuses it with a pointer to the second consumer's input, in the library and in the CLI.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EMPTY } from 'rxjs';
import { validateTopology } from '../../src/graph/validate.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { defineNode } from '../../src/nodes/define-node.ts';

/** Camera → segmenter → cache → one BlobAssetSink per entry of `sinks` (each naming the cache it reads). */
function recorder(sinks: readonly string[], caches: readonly string[] = ['cache']): Record<string, unknown> {
  return {
    '@apiVersion': '2.0',
    name: 'TwoSinks',
    properties: {
      sources: [
        {
          '@type': '#Microsoft.Media.MediaGraphRtspSource',
          name: 'camera',
          endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1:8554/cam' },
        },
      ],
      processors: [
        { '@type': '#Mediagraph.Fmp4Segmenter', name: 'segmenter', inputs: [{ nodeName: 'camera' }] },
        ...caches.map((name) => ({ '@type': '#Mediagraph.DurableCache', name, localMediaCacheMaximumSizeMiB: '64', inputs: [{ nodeName: 'segmenter' }] })),
      ],
      sinks: sinks.map((cache, i) => ({
        '@type': '#Mediagraph.BlobAssetSink',
        name: `upload${i + 1}`,
        assetNamePattern: `asset${i + 1}`,
        inputs: [{ nodeName: cache }],
      })),
    },
  };
}

test("two BlobAssetSinks on one cache: refused at the second sink's input, with the rule", () => {
  const r = validateTopology(recorder(['cache', 'cache']), createBuiltinRegistry());
  assert.equal(r.ok, false);
  assert.deepEqual(
    r.issues.map((i) => [i.code, i.pointer]),
    [['GraphValidationError', '/properties/sinks/1/inputs/0/nodeName']],
  );
  assert.match(
    r.issues[0]!.message,
    /"cache" \(#Mediagraph\.DurableCache\) has a single-consumer output: its "cached-segment" stream goes to one node only, and "upload1" already takes it/,
  );
});

test('one sink per cache (and a segmenter feeding two caches) is fine', () => {
  const r = validateTopology(recorder(['cache', 'cache2'], ['cache', 'cache2']), createBuiltinRegistry());
  assert.deepEqual(r.issues, []);
  assert.equal(r.ok, true);
});

test('the rule follows the port, not the type: a user type marks its own output single-consumer', () => {
  const registry = createBuiltinRegistry()
    .register(
      defineNode({
        type: '#Test.Lease',
        role: 'source',
        description: 'hands out one lease',
        configSchema: {},
        inputs: {},
        output: { kind: 'signal', singleConsumer: true },
        create: () => () => EMPTY,
      }),
    )
    .register(
      defineNode({
        type: '#Test.Holder',
        role: 'sink',
        description: 'holds it',
        configSchema: {},
        inputs: { lease: { kind: 'signal' } },
        output: null,
        create: () => () => EMPTY,
      }),
    );
  const topology = {
    name: 'Lease',
    properties: {
      sources: [{ '@type': '#Test.Lease', name: 'lease' }],
      sinks: [1, 2, 3].map((i) => ({ '@type': '#Test.Holder', name: `holder${i}`, inputs: [{ nodeName: 'lease' }] })),
    },
  };
  const r = validateTopology(topology, registry);
  assert.deepEqual(
    r.issues.map((i) => i.pointer),
    ['/properties/sinks/1/inputs/0/nodeName', '/properties/sinks/2/inputs/0/nodeName'],
  );
});

test('mediagraph validate prints the pointer and the rule, exit 1', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-single-consumer-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'two-sinks.json');
  writeFileSync(file, JSON.stringify(recorder(['cache', 'cache'])));
  const r = spawnSync(process.execPath, ['bin/mediagraph.js', 'validate', file], { encoding: 'utf8', timeout: 30_000 });
  assert.equal(r.status, 1, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.equal(lines.length, 1, r.stdout);
  assert.match(lines[0]!, /^\/properties\/sinks\/1\/inputs\/0\/nodeName: "cache" \(#Mediagraph\.DurableCache\) has a single-consumer output/);
});
