// The fleet's Kubernetes manifests (deploy/kubernetes/, issue 18) validate against the Kubernetes
// schema (kubernetes-models), and hang together: selectors match the pods, the probes name
// routes the server has, the Secret keys referenced exist, the host id is the pod's name.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { Service } from 'kubernetes-models/v1/Service';
import { Secret } from 'kubernetes-models/v1/Secret';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { healthRoutes } from '../../src/control/http/routes/health.ts';

const ROOT = 'deploy/kubernetes';

interface Manifest {
  readonly file: string;
  readonly doc: { kind: string; metadata: { name: string }; [k: string]: unknown };
}

function manifests(dir = ROOT, out: Manifest[] = []): Manifest[] {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) manifests(p, out);
    else if (name.endsWith('.json')) out.push({ file: p, doc: JSON.parse(readFileSync(p, 'utf8')) as Manifest['doc'] });
  }
  return out;
}

/** Validates one manifest against the schema of its kind; throws on any violation. */
function validate(doc: Manifest['doc']): void {
  const models: Record<string, (d: never) => { validate(): void }> = {
    StatefulSet: (d) => new StatefulSet(d),
    Service: (d) => new Service(d),
    Secret: (d) => new Secret(d),
    PodDisruptionBudget: (d) => new PodDisruptionBudget(d),
  };
  const make = models[doc.kind];
  if (!make) throw new Error(`no schema for kind ${doc.kind}`);
  make(doc as never).validate();
}

/** Plain JSON documents, walked freely by the checks below. */
type Json = any;

test('deploy/kubernetes: every manifest validates against the Kubernetes schema', () => {
  const all = manifests();
  assert.deepEqual(all.map((m) => m.doc.kind).sort(), ['PodDisruptionBudget', 'Secret', 'Service', 'Service', 'StatefulSet']);
  for (const m of all) assert.doesNotThrow(() => validate(m.doc), m.file);
});

test('deploy/kubernetes: a broken manifest fails validation (the check is live)', () => {
  const sts = manifests().find((m) => m.doc.kind === 'StatefulSet')!.doc as Json;
  const mutations: [string, (d: Json) => void][] = [
    ['replicas as a word', (d) => (d.spec.replicas = 'three')],
    ['a container without a name', (d) => delete d.spec.template.spec.containers[0].name],
    ['a probe without a handler port', (d) => delete d.spec.template.spec.containers[0].livenessProbe.httpGet.port],
    ['no selector', (d) => delete d.spec.selector],
    ['a port by name where a number goes', (d) => (d.spec.template.spec.containers[0].ports[0].containerPort = 'api')],
    ['access modes as a string', (d) => (d.spec.volumeClaimTemplates[0].spec.accessModes = 'ReadWriteOnce')],
  ];
  for (const [what, mutate] of mutations) {
    const broken = structuredClone(sts);
    mutate(broken);
    assert.throws(() => validate(broken), Error, what);
  }
});

test('deploy/kubernetes: selectors, probes, Secret keys, host id and volume hang together', () => {
  const all = manifests();
  const sts = all.find((m) => m.doc.kind === 'StatefulSet')!.doc as Json;
  const podLabels = sts.spec.template.metadata.labels as Record<string, string>;
  const matches = (selector: Record<string, string>): boolean => Object.entries(selector).every(([k, v]) => podLabels[k] === v);
  assert.ok(matches(sts.spec.selector.matchLabels));
  const services = all.filter((m) => m.doc.kind === 'Service').map((m) => m.doc as Json);
  for (const s of services) assert.ok(matches(s.spec.selector), `Service ${s.metadata.name} selects the pods`);
  assert.ok(
    services.some((s) => s.metadata.name === sts.spec.serviceName && s.spec.clusterIP === 'None'),
    'the governing Service is headless',
  );
  const pdb = all.find((m) => m.doc.kind === 'PodDisruptionBudget')!.doc as Json;
  assert.ok(matches(pdb.spec.selector.matchLabels));

  const c = sts.spec.template.spec.containers[0];
  assert.ok(c.args.includes('serve') && c.args.includes('--fleet'));
  const env = new Map<string, Json>(c.env.map((e: Json) => [e.name, e]));
  assert.equal(env.get('MEDIAGRAPH_HOST_ID')?.valueFrom?.fieldRef?.fieldPath, 'metadata.name', 'host id = pod name');
  // Secrets are referenced, never inlined in the StatefulSet.
  const conn = env.get('AZURE_STORAGE_CONNECTION_STRING');
  assert.equal(conn?.value, undefined);
  const secret = all.find((m) => m.doc.kind === 'Secret')!.doc as Json;
  assert.equal(conn.valueFrom.secretKeyRef.name, secret.metadata.name);
  assert.ok(conn.valueFrom.secretKeyRef.key in secret.stringData);
  for (const v of sts.spec.template.spec.volumes.filter((x: Json) => x.secret)) {
    for (const item of v.secret.items) assert.ok(item.key in secret.stringData, `secret key ${item.key}`);
  }
  assert.ok(!/AccountKey=[A-Za-z0-9+/]{20,}/.test(JSON.stringify(all.map((m) => m.doc))), 'no real key in any manifest');

  const routes = new Set(healthRoutes.map((r) => r.path));
  assert.ok(routes.has(c.livenessProbe.httpGet.path), 'liveness on a route the server has');
  assert.ok(routes.has('/readyz') && c.readinessProbe.exec.command.join(' ').includes('/readyz'), 'readiness on /readyz');
  assert.ok(c.resources.requests.cpu && c.resources.requests.memory);
  const claim = sts.spec.volumeClaimTemplates[0].metadata.name;
  assert.ok(
    c.volumeMounts.some((m: Json) => m.name === claim && m.mountPath === '/data' && c.args.includes('/data')),
    'the data folder is the per-pod claim',
  );
});
