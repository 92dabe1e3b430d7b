// Short version of faults/fuzz-topology.ts: mutated and hostile topology/instance documents
// through validateTopology and normalizeInstance (never a throw, a JSON pointer on every
// issue, bounded time) and through PUT on a real server (never a 5xx).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { checkDocument, instanceDocument, runTopologyFuzz, topologyDocument } from '../../faults/fuzz-topology.ts';

test('property: any mutated or hostile document is accepted or rejected with pointers, within 1 s', () => {
  fc.assert(
    fc.property(topologyDocument, instanceDocument, (topology, instance) => {
      const r = checkDocument(topology, instance);
      assert.equal(r.failure, undefined);
      assert.ok(r.ms < 1000, `${r.ms.toFixed(0)} ms`);
    }),
    { numRuns: 800, seed: 1 },
  );
});

test('1,500 documents, one in ten also PUT over HTTP: no throw, no 5xx, pointers on every 400', async () => {
  const r = await runTopologyFuzz({ documents: 1500, seed: 1, httpEvery: 10 });
  assert.deepEqual(r.failures, []);
  assert.ok(Number(r.figures['httpRequests']) >= 300);
  assert.ok(Number(r.figures['rejected']) > 0);
});
