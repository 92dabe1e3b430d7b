import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MetricStore, metricTotal } from '../../src/runtime/metric-store.ts';

test('gauges hold the last value, counters add up, labels keep series apart, re-binding continues a series', () => {
  const store = new MetricStore();
  const a = store.bind({ instance: 'i1', node: 'src' });
  const b = store.bind({ instance: 'i2', node: 'src' });
  a.add('mediagraph_samples_total');
  a.add('mediagraph_samples_total', 4);
  b.add('mediagraph_samples_total', 2);
  a.set('mediagraph_cache_bytes', 10);
  a.set('mediagraph_cache_bytes', 7);
  store.bind({ instance: 'i1', node: 'src' }).add('mediagraph_samples_total');
  const snap = store.snapshot();
  assert.equal(metricTotal(snap, 'mediagraph_samples_total', { instance: 'i1' }), 6);
  assert.equal(metricTotal(snap, 'mediagraph_samples_total'), 8);
  assert.equal(metricTotal(snap, 'mediagraph_cache_bytes', { instance: 'i1' }), 7);
  assert.equal(snap.find((m) => m.name === 'mediagraph_cache_bytes')?.kind, 'gauge');
  assert.equal(snap.filter((m) => m.name === 'mediagraph_samples_total').length, 2);
});
