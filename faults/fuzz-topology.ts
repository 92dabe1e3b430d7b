// Scenario: hostile topology and instance documents. fast-check mutates LVA's own documents
// (the repo's examples) and builds hostile ones (deep nesting, thousands of nodes or inputs,
// huge strings, parameter references everywhere); each goes through validateTopology and
// normalizeInstance in process, and a share of them through PUT on a real server on loopback.
// Counted: throws (a crash in a request), 5xx answers, rejections whose issues lack a JSON
// pointer, the slowest validation (it runs on the event loop that moves media).
//   node --import tsx faults/fuzz-topology.ts [--documents=200000] [--seed=1] [--http-every=20]
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { validateTopology, normalizeInstance } from '../src/graph/validate.ts';

/** Issues one answer may carry (validate.ts caps the list at this). */
const MAX_REPORTED_ISSUES = 100;
import { createBuiltinRegistry } from '../src/runtime/builtin-registry.ts';
import { MediaGraphHost } from '../src/runtime/host.ts';
import { startHttpServer } from '../src/control/http/server.ts';
import { argNumber, isMain, runAsMain, type ScenarioResult } from './lib.ts';

const root = join(import.meta.dirname, '..');
const json = (path: string): unknown => JSON.parse(readFileSync(join(root, path), 'utf8')) as unknown;
const SEED_TOPOLOGIES = ['examples/cvr-asset/topology.json', 'examples/evr-motion/topology.json', 'examples/custom-node/topology.json'].map(json);
const SEED_INSTANCE = json('examples/cvr-asset/instance.json');

/** A JSON pointer (RFC 6901): empty, or `/`-separated segments with `~` escaped. */
const POINTER = /^(\/([^~/]|~[01])*)*$/;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const hostileString = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.constantFrom(
    '',
    '..',
    '.',
    '../../../../tmp/x', // outside-path-ok: a hostile or never-written path the test feeds in
    'a/b',
    'a\\b',
    '\u0000',
    '${',
    '${}',
    '${System.}',
    '${System.DateTime}',
    '${rtspUrl}',
    '${nope}',
    '${System.GraphInstanceName}',
    'rtsp://u:p@127.0.0.1:1/x',
    'PT30S',
    'PT0S',
    'P1Y',
    '-1',
    '1e309',
    'NaN',
    '2048',
    '0',
    '__proto__',
    'constructor',
    '#Microsoft.Media.MediaGraphRtspSource',
    '#Microsoft.Media.MediaGraphAssetSink',
    '#Microsoft.Media.MediaGraphSignalGateProcessor',
  ),
  fc.integer({ min: 1, max: 2000 }).map((n) => 'x'.repeat(n)),
  fc.integer({ min: 1, max: 200 }).map((n) => '${p}'.repeat(n)),
);

const hostileValue: fc.Arbitrary<Json> = fc.oneof(
  { weight: 4, arbitrary: fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json> },
  { weight: 3, arbitrary: hostileString },
  {
    weight: 1,
    arbitrary: fc.integer({ min: 1, max: 200 }).map((depth) => {
      let v: Json = 1;
      for (let i = 0; i < depth; i++) v = [v];
      return v;
    }),
  },
  { weight: 1, arbitrary: fc.constantFrom<Json>(null, true, 0, -1, 2 ** 53, 1e308, [], {}, [[]], { '@type': 1 }) },
);

/** Paths to every value of a document (to pick one to mutate). */
function paths(v: Json, at: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(at);
  if (out.length > 2000) return out;
  if (Array.isArray(v)) v.forEach((x, i) => paths(x, [...at, i], out));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) paths(x, [...at, k], out);
  return out;
}

function setAt(doc: Json, path: readonly (string | number)[], value: Json | undefined): Json {
  if (path.length === 0) return value ?? null;
  const copy = structuredClone(doc);
  let node: Json = copy;
  for (const seg of path.slice(0, -1)) node = (node as Record<string, Json>)[seg as string] as Json;
  const last = path[path.length - 1]!;
  if (Array.isArray(node)) {
    if (value === undefined) node.splice(Number(last), 1);
    else node[Number(last)] = value;
  } else if (node && typeof node === 'object') {
    if (value === undefined) delete node[last as string];
    else node[last as string] = value;
  }
  return copy;
}

interface Mutation {
  readonly kind: 'set' | 'delete' | 'recase' | 'duplicate';
  readonly pick: number;
  readonly value: Json;
}

const mutation: fc.Arbitrary<Mutation> = fc.record({
  kind: fc.constantFrom('set', 'set', 'delete', 'recase', 'duplicate'),
  pick: fc.nat(),
  value: hostileValue,
}) as fc.Arbitrary<Mutation>;

function applyMutation(doc: Json, m: Mutation): Json {
  const all = paths(doc);
  const path = all[m.pick % all.length]!;
  switch (m.kind) {
    case 'set':
      return setAt(doc, path, m.value);
    case 'delete':
      return path.length ? setAt(doc, path, undefined) : doc;
    case 'recase': {
      const last = path[path.length - 1];
      if (typeof last !== 'string') return doc;
      let node: Json = doc;
      for (const seg of path) node = (node as Record<string, Json>)[seg as string] as Json;
      return setAt(setAt(doc, path, undefined), [...path.slice(0, -1), last.toUpperCase()], node);
    }
    case 'duplicate': {
      let node: Json = doc;
      for (const seg of path) node = (node as Record<string, Json>)[seg as string] as Json;
      return Array.isArray(node) && node.length ? setAt(doc, path, [...node, ...node, ...node]) : doc;
    }
  }
}

const rtspSource = (name: string): Json => ({
  '@type': '#Microsoft.Media.MediaGraphRtspSource',
  name,
  endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1:1/x' },
});

/** Documents built to be expensive: many nodes, many inputs, long names, deep values. */
const bigDocument: fc.Arbitrary<Json> = fc
  .record({ nodes: fc.integer({ min: 1, max: 6000 }), inputs: fc.integer({ min: 0, max: 6000 }), nameLength: fc.integer({ min: 1, max: 3000 }) })
  .map(({ nodes, inputs, nameLength }) => {
    const names = Array.from({ length: nodes }, (_, i) => `${'n'.repeat(nameLength)}${i}`);
    return {
      name: 'Big',
      properties: {
        sources: names.map(rtspSource),
        sinks: [
          {
            '@type': '#Microsoft.Media.MediaGraphAssetSink',
            name: 'sink',
            assetNamePattern: 'a-${System.GraphInstanceName}',
            localMediaCachePath: '/tmp/never', // outside-path-ok: a hostile or never-written path the test feeds in
            localMediaCacheMaximumSizeMiB: '64',
            inputs: Array.from({ length: inputs }, (_, i) => ({ nodeName: `${names[i % names.length]}x` })),
          },
        ],
      },
    };
  });

export const topologyDocument: fc.Arbitrary<Json> = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .tuple(fc.constantFrom(...(SEED_TOPOLOGIES as Json[])), fc.array(mutation, { minLength: 1, maxLength: 6 }))
      .map(([seed, ms]) => ms.reduce(applyMutation, seed)),
  },
  { weight: 1, arbitrary: bigDocument },
  { weight: 1, arbitrary: hostileValue },
);

export const instanceDocument: fc.Arbitrary<Json> = fc
  .array(mutation, { minLength: 0, maxLength: 4 })
  .map((ms) => ms.reduce(applyMutation, SEED_INSTANCE as Json));

export interface TopologyFuzzOptions {
  readonly documents: number;
  readonly seed: number;
  /** One document in this many also goes through HTTP PUT (0: none). */
  readonly httpEvery?: number;
  /** Slowest acceptable validation of one document. */
  readonly maxMsPerDocument?: number;
}

export interface DocumentCheck {
  readonly failure?: string;
  readonly ms: number;
  readonly rejected?: boolean;
}

const registry = createBuiltinRegistry();

/** validateTopology (alone and with an instance) and normalizeInstance on one pair. */
export function checkDocument(topology: unknown, instance: unknown): DocumentCheck {
  const t0 = performance.now();
  let rejected = false;
  try {
    for (const r of [validateTopology(topology, registry), validateTopology(topology, registry, { instance })]) {
      rejected ||= !r.ok;
      if (!r.ok && r.issues.length === 0) return { failure: 'rejected without an issue', ms: performance.now() - t0 };
      if (r.issues.length > MAX_REPORTED_ISSUES) return { failure: `${r.issues.length} issues reported`, ms: performance.now() - t0 };
      const bad = r.issues.find((i) => typeof i.pointer !== 'string' || !POINTER.test(i.pointer) || typeof i.message !== 'string' || i.message.length > 2000);
      if (bad) return { failure: `issue without a proper pointer or message: ${JSON.stringify(bad).slice(0, 300)}`, ms: performance.now() - t0 };
    }
    const n = normalizeInstance(instance);
    const bad = n.issues.find((i) => !POINTER.test(i.pointer));
    if (bad) return { failure: `instance issue without a pointer: ${JSON.stringify(bad).slice(0, 300)}`, ms: performance.now() - t0 };
  } catch (e) {
    return { failure: `threw: ${e instanceof Error ? `${e.name}: ${e.message}`.slice(0, 300) : String(e)}`, ms: performance.now() - t0 };
  }
  return { ms: performance.now() - t0, rejected };
}

export async function runTopologyFuzz(opts: TopologyFuzzOptions): Promise<ScenarioResult> {
  const started = performance.now();
  const maxMs = opts.maxMsPerDocument ?? 1000;
  const failures: string[] = [];
  const fail = (what: string): void => {
    if (failures.length < 20) failures.push(what);
  };
  let rejected = 0;
  let slowest = 0;
  let slowestHttp = 0;
  let httpRequests = 0;
  let http5xx = 0;
  let totalMs = 0;
  const dir = mkdtempSync(join(tmpdir(), 'mg-fuzz-topology-'));
  const host = await MediaGraphHost.open({ dataDirectory: dir, registry, logLevel: 'silent' });
  const server = await startHttpServer(host);
  try {
    const batch = 200;
    for (let done = 0; done < opts.documents; done += batch) {
      const n = Math.min(batch, opts.documents - done);
      const pairs = fc.sample(fc.tuple(topologyDocument, instanceDocument), { seed: opts.seed * 1_000_003 + done, numRuns: n });
      for (const [i, [topology, instance]] of pairs.entries()) {
        const r = checkDocument(topology, instance);
        totalMs += r.ms;
        slowest = Math.max(slowest, r.ms);
        if (r.failure) fail(`document ${done + i} (seed ${opts.seed}): ${r.failure}`);
        if (r.ms > maxMs) fail(`document ${done + i} (seed ${opts.seed}) took ${r.ms.toFixed(0)} ms to validate`);
        if (r.rejected) rejected++;
        if (opts.httpEvery && (done + i) % opts.httpEvery === 0) {
          for (const [path, body] of [
            ['/api/topologies/Fuzz', topology],
            ['/api/instances/fuzz', instance],
          ] as const) {
            httpRequests++;
            const t0 = performance.now();
            const res = await fetch(`${server.url}${path}`, {
              method: 'PUT',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(body),
              signal: AbortSignal.timeout(10_000),
            });
            const text = await res.text();
            slowestHttp = Math.max(slowestHttp, performance.now() - t0);
            if (res.status >= 500) {
              http5xx++;
              fail(`PUT ${path} of document ${done + i}: ${res.status} ${text.slice(0, 200)}`);
            }
            if (res.status === 400) {
              const details = (JSON.parse(text) as { error?: { details?: { target?: unknown }[] } }).error?.details ?? [];
              if (!details.length || details.some((d) => typeof d.target !== 'string' || !POINTER.test(d.target)))
                fail(`PUT ${path} of document ${done + i}: a 400 without JSON pointers: ${text.slice(0, 200)}`);
            }
          }
        }
      }
    }
  } finally {
    await server.close();
    await host.close();
    rmSync(dir, { recursive: true, force: true });
  }
  return {
    scenario: 'fuzz-topology',
    pass: failures.length === 0,
    trials: opts.documents,
    figures: {
      documents: opts.documents,
      rejected,
      meanMs: Number((totalMs / Math.max(1, opts.documents)).toFixed(2)),
      slowestMs: Number(slowest.toFixed(1)),
      httpRequests,
      http5xx,
      slowestHttpMs: Number(slowestHttp.toFixed(1)),
    },
    failures,
    seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
  };
}

if (isMain(import.meta.url))
  await runAsMain(() => runTopologyFuzz({ documents: argNumber('documents', 200_000), seed: argNumber('seed', 1), httpEvery: argNumber('http-every', 20) }));
