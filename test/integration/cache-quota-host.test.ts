// The host cache quota as the host wires it: `--cache-quota-mib` parsed, one quota handed to
// every instance's nodes, its evictions logged and counted in /metrics by reason.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ignoreElements } from 'rxjs';
import { MediaGraphHost } from '../../src/runtime/host.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { defineNode } from '../../src/nodes/define-node.ts';
import { HttpMetrics } from '../../src/control/http/metrics.ts';
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { quotaMemberOf } from '../../src/storage/cache/cache-quota.ts';
import type { CacheQuotaService } from '../../src/types/cache-quota.ts';
import { cacheQuotaFromFlags } from '../../src/control/cli/cache-quota-flags.ts';
import { tickerNode, tickerTopology } from '../helpers/test-nodes.ts';
import { tempDir, writeSegment } from '../helpers/cache-fixtures.ts';
import { until } from '../helpers/until.ts';

const MIB = 1024 * 1024;
const seen = new Map<string, CacheQuotaService | undefined>();

/** A sink that only notes the quota its instance was given. */
const quotaProbeNode = defineNode({
  type: '#Test.QuotaProbe',
  role: 'sink',
  description: 'notes services.cacheQuota per instance',
  configSchema: { type: 'object', properties: { bucket: { type: 'string' } } },
  inputs: { media: { kind: 'media' } },
  output: null,
  create: (_config, ctx) => {
    seen.set(ctx.instanceName, ctx.services.cacheQuota);
    return (inputs) => inputs.media.pipe(ignoreElements());
  },
});

test('the CLI flags parse to whole MiB and a bad value is one line', () => {
  assert.deepEqual(cacheQuotaFromFlags({ 'cache-quota-mib': '2' }, { minimumFreeMiB: 5 }), { maximumSizeMiB: 2, minimumFreeMiB: 5 });
  assert.deepEqual(cacheQuotaFromFlags({}), {});
  assert.throws(() => cacheQuotaFromFlags({ 'cache-min-free-mib': '1.5' }), /^Error: --cache-min-free-mib must be a positive whole number of MiB, not "1.5"$/);
});

test('one quota for every instance of the host; its evictions are logged and counted in /metrics by reason', async (t) => {
  const dir = tempDir(t, 'cache-quota-host-');
  const lines: string[] = [];
  const host = await MediaGraphHost.open({
    dataDirectory: join(dir, 'host'),
    registry: createBuiltinRegistry().register(tickerNode).register(quotaProbeNode),
    logLevel: 'info',
    logWrite: (l) => lines.push(l),
    cacheQuota: cacheQuotaFromFlags({ 'cache-quota-mib': '1' }),
  });
  t.after(() => host.close());
  await host.topologySet(tickerTopology('T', { '@type': '#Test.QuotaProbe' }));
  for (const name of ['cam-a', 'cam-b']) {
    await host.instanceSet({ '@apiVersion': '2.0', name, properties: { topologyName: 'T', parameters: [{ name: 'bucket', value: name }] } });
    await host.instanceActivate(name);
  }
  await until(() => seen.has('cam-a') && seen.has('cam-b'), 5000, 'both instances to start');
  const quota = seen.get('cam-a');
  assert.ok(quota, 'the host hands its quota to the nodes');
  assert.equal(seen.get('cam-b'), quota, 'the same quota for every instance');

  // two real caches, each bounded at 1 MiB on its own, 0.75 MiB fed to each: 1.5 MiB > the 1 MiB quota
  const caches = await Promise.all(
    ['a', 'b'].map(async (name) => {
      const src = join(dir, `${name}-src`);
      mkdirSync(src);
      const cacheDir = join(dir, 'cache', name);
      const cache = await DurableSegmentCache.open(cacheDir, { maxBytes: MIB });
      t.after(() => cache.close());
      quota.register(quotaMemberOf(cacheDir, cache));
      return { src, cache };
    }),
  );
  for (let k = 0; k < 6; k++) {
    for (const [i, c] of caches.entries()) await c.cache.add(writeSegment(c.src, k, { size: 128 * 1024, t0: Date.UTC(2026, 0, 1) + i * 500 }));
    await quota.check();
  }
  const total = caches.reduce((n, c) => n + c.cache.stats().bytes, 0);
  assert.ok(total <= MIB, `${total} B cached over both, quota 1 MiB`);
  const evicted = 12 - caches.reduce((n, c) => n + c.cache.stats().segments, 0);
  assert.ok(evicted >= 4, `${evicted} evicted`);
  const metrics = await new HttpMetrics(host).render();
  assert.match(metrics.body, new RegExp(`^mediagraph_cache_quota_evictions_total\\{reason="host-quota"\\} ${evicted}$`, 'm'));
  assert.match(metrics.body, /^mediagraph_cache_quota_evictions_total\{reason="free-space-floor"\} 0$/m);
  const logged = lines.filter((l) => l.includes('cache quota evicted the oldest segments'));
  assert.ok(logged.length >= 1 && logged.length <= 6, 'one line per round that evicted');
  assert.match(logged[0]!, /"forQuota":\d+/);
});
