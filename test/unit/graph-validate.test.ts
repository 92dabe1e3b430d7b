// Validation: each rule of issue #2 fails with the JSON pointer of the offending value and
// a stable code; LVA's own samples pass unchanged (casing quirks included).
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { validateTopology } from '../../src/graph/validate.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { EMPTY } from 'rxjs';
import { defineNode } from '../../src/nodes/define-node.ts';
import type { ValidationIssue } from '../../src/graph/model.ts';

const registry = createBuiltinRegistry();
const cvr = JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8')) as Record<string, any>;
const instance = JSON.parse(readFileSync('examples/cvr-asset/instance.json', 'utf8')) as Record<string, any>;

function clone<T>(v: T): T {
  return structuredClone(v);
}

function issuesOf(topology: unknown, inst?: unknown): ValidationIssue[] {
  return [...validateTopology(topology, registry, inst === undefined ? {} : { instance: inst }).issues];
}

function expectIssue(issues: readonly ValidationIssue[], pointer: string, code: string, text?: RegExp): void {
  const hit = issues.find((i) => i.pointer === pointer && i.code === code && (!text || text.test(i.message)));
  assert.ok(hit, `expected ${code} at ${pointer}${text ? ` matching ${text}` : ''}; got ${JSON.stringify(issues, null, 1)}`);
}

describe('valid topologies', () => {
  test('the CVR example with its instance', () => {
    const r = validateTopology(cvr, registry, { instance });
    assert.deepEqual(r.issues, []);
    assert.equal(r.ok, true);
    const sink = r.topology!.properties.sinks[0]!;
    assert.equal(sink['assetNamePattern'], 'sampleAsset-CVRToAsset-Sample-Graph-1');
    assert.equal(sink['segmentLength'], 'PT30S', 'default substituted');
  });

  test("LVA 1.0 CVR sample written straight from LVA's docs (String password, no selectors)", () => {
    const lva = {
      name: 'CVRToAMSAsset',
      '@apiVersion': '1.0',
      properties: {
        description: 'Continuous video recording to an Azure Media Services Asset',
        parameters: [
          { name: 'rtspUserName', type: 'String', description: 'rtsp source user name.', default: 'dummyUserName' },
          { name: 'rtspPassword', type: 'String', description: 'rtsp source password.', default: 'dummyPassword' },
          { name: 'rtspUrl', type: 'String', description: 'rtsp Url' },
        ],
        sources: [
          {
            '@type': '#Microsoft.Media.MediaGraphRtspSource',
            name: 'rtspSource',
            transport: 'tcp',
            endpoint: {
              '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint',
              url: '${rtspUrl}',
              credentials: { '@type': '#Microsoft.Media.MediaGraphUsernamePasswordCredentials', username: '${rtspUserName}', password: '${rtspPassword}' },
            },
          },
        ],
        sinks: [
          {
            '@type': '#Microsoft.Media.MediaGraphAssetSink',
            name: 'assetSink',
            assetNamePattern: 'sampleAsset-${System.GraphTopologyName}-${System.GraphInstanceName}',
            segmentLength: 'PT30S',
            LocalMediaCacheMaximumSizeMiB: '2048',
            localMediaCachePath: '/var/lib/azuremediaservices/tmp/',
            inputs: [{ nodeName: 'rtspSource' }],
          },
        ],
      },
    };
    const r = validateTopology(lva, registry);
    assert.deepEqual(r.issues, []);
    assert.equal(r.topology!.properties.sources[0]!['transport'], 'Tcp', 'enum casing normalised');
    assert.equal(r.topology!.properties.sinks[0]!['localMediaCacheMaximumSizeMiB'], '2048', 'property casing normalised');
  });

  test('apiVersion 1.0 and 2.0 both accepted, others refused', () => {
    for (const v of ['1.0', '2.0']) assert.deepEqual(issuesOf({ ...cvr, '@apiVersion': v }), []);
    expectIssue(issuesOf({ ...cvr, '@apiVersion': '3.0' }), '/@apiVersion', 'PropertyValueInvalid');
  });
});

describe('each rule names its pointer', () => {
  test('unknown node type', () => {
    const t = clone(cvr);
    t.properties.sources[0]['@type'] = '#Microsoft.Media.MediaGraphRtspSorce';
    expectIssue(issuesOf(t), '/properties/sources/0/@type', 'ModuleValidationError', /unknown node type/);
  });

  test('duplicate node name', () => {
    const t = clone(cvr);
    t.properties.sinks[0].name = 'rtspSource';
    expectIssue(issuesOf(t), '/properties/sinks/0/name', 'GraphValidationError', /already used/);
  });

  test('inputs naming a missing node, with a suggestion', () => {
    const t = clone(cvr);
    t.properties.sinks[0].inputs[0].nodeName = 'rtspSorce';
    expectIssue(issuesOf(t), '/properties/sinks/0/inputs/0/nodeName', 'GraphValidationError', /does not exist.*did you mean "rtspSource"/);
  });

  test('cycle', () => {
    const custom = createBuiltinRegistry();
    custom.register(
      defineNode({
        type: '#Test.Pass',
        role: 'processor',
        description: 'pass',
        configSchema: { type: 'object', properties: {} },
        inputs: { media: { kind: 'media' } },
        output: { kind: 'media' },
        create: () => (i) => i.media,
      }),
    );
    const t = clone(cvr);
    t.properties.processors = [
      { '@type': '#Test.Pass', name: 'a', inputs: [{ nodeName: 'b' }] },
      { '@type': '#Test.Pass', name: 'b', inputs: [{ nodeName: 'a' }] },
    ];
    t.properties.sinks[0].inputs = [{ nodeName: 'b' }];
    const issues = validateTopology(t, custom).issues;
    assert.ok(
      issues.some(
        (i) => i.code === 'GraphValidationError' && /cycle: (a → b → a|b → a → b)/.test(i.message) && i.pointer.startsWith('/properties/processors/'),
      ),
      JSON.stringify(issues),
    );
  });

  test('a sink with no input, a source with inputs', () => {
    const t = clone(cvr);
    t.properties.sinks[0].inputs = [];
    t.properties.sources[0].inputs = [{ nodeName: 'assetSink' }];
    const issues = issuesOf(t);
    expectIssue(issues, '/properties/sinks/0/inputs', 'GraphValidationError', /needs at least one input/);
    expectIssue(issues, '/properties/sources/0/inputs', 'GraphValidationError', /cannot have inputs/);
  });

  test('wrong parameter type, missing and unknown parameters', () => {
    const inst = clone(instance);
    inst.properties.parameters = [
      { name: 'rtspUrl', value: 'rtsp://127.0.0.1/x' },
      { name: 'cacheMaximumSizeMiB', value: 'lots' },
      { name: 'nosuch', value: '1' },
    ];
    const issues = issuesOf(cvr, inst);
    expectIssue(issues, '/properties/parameters/1/value', 'ParameterTypeMismatch', /not an Int/);
    expectIssue(issues, '/properties/parameters/2/name', 'ParameterUnknown', /does not declare/);
    const missing = clone(instance);
    missing.properties.parameters = [];
    expectIssue(issuesOf(cvr, missing), '/properties/parameters', 'ParameterMissing', /rtspUrl/);
  });

  test('undeclared ${reference} in the topology', () => {
    const t = clone(cvr);
    t.properties.sinks[0].localMediaCachePath = '${cacheFolder}';
    expectIssue(issuesOf(t), '/properties/sinks/0/localMediaCachePath', 'ParameterUnknown', /not declared/);
  });

  test('segmentLength outside PT30S..PT5M or not a multiple of 30 s', () => {
    for (const bad of ['PT10S', 'PT45S', 'PT6M', 'thirty seconds']) {
      const t = clone(cvr);
      t.properties.sinks[0].segmentLength = bad;
      expectIssue(issuesOf(t), '/properties/sinks/0/segmentLength', 'PropertyValueInvalid');
    }
    for (const good of ['PT30S', 'PT1M', 'PT2M30S', 'PT5M']) {
      const t = clone(cvr);
      t.properties.sinks[0].segmentLength = good;
      assert.deepEqual(issuesOf(t), [], good);
    }
  });

  test('segmentLength given through a parameter is checked after substitution', () => {
    const inst = clone(instance);
    inst.properties.parameters.push({ name: 'segmentLength', value: 'PT40S' });
    expectIssue(issuesOf(cvr, inst), '/properties/sinks/0/segmentLength', 'PropertyValueInvalid', /steps of 30 seconds/);
  });

  test('localMediaCacheMaximumSizeMiB not a positive integer', () => {
    for (const bad of ['0', '-5', '1.5', 'big']) {
      const t = clone(cvr);
      t.properties.sinks[0].localMediaCacheMaximumSizeMiB = bad;
      expectIssue(issuesOf(t), '/properties/sinks/0/localMediaCacheMaximumSizeMiB', 'PropertyValueInvalid', /positive integer/);
    }
  });

  test('port kinds that do not match', () => {
    const custom = createBuiltinRegistry();
    custom.register(
      defineNode({
        type: '#Test.SegmentsOut',
        role: 'processor',
        description: 'x',
        configSchema: { type: 'object' },
        inputs: { media: { kind: 'media' } },
        output: { kind: 'segment' },
        create: () => () => EMPTY,
      }),
    );
    const t = clone(cvr);
    t.properties.processors = [{ '@type': '#Test.SegmentsOut', name: 'seg', inputs: [{ nodeName: 'rtspSource' }] }];
    t.properties.sinks[0].inputs = [{ nodeName: 'seg' }];
    const issues = validateTopology(t, custom).issues;
    expectIssue(issues, '/properties/sinks/0/inputs/0/nodeName', 'ModuleValidationError', /port kinds do not match.*emits "segment".*accepts "media"/);
  });

  test("an unknown property is named with a suggestion, in the user's spelling", () => {
    const t = clone(cvr);
    t.properties.sinks[0].SegmentLenght = 'PT30S';
    expectIssue(issuesOf(t), '/properties/sinks/0/SegmentLenght', 'PropertyUnknown', /did you mean "segmentLength"/);
  });

  test('rtsp URL scheme and assetNamePattern rules', () => {
    const t = clone(cvr);
    t.properties.sources[0].endpoint.url = 'http://user:hunter2@127.0.0.1/cam';
    t.properties.sinks[0].assetNamePattern = 'fixed.name';
    const issues = issuesOf(t);
    expectIssue(issues, '/properties/sources/0/endpoint/url', 'RtspEndpointUrlInvalidScheme');
    assert.ok(!JSON.stringify(issues).includes('hunter2'), 'URL credentials never echoed');
    expectIssue(issues, '/properties/sinks/0/assetNamePattern', 'PropertyValueInvalidPattern', /system variable/);
  });

  test('SecretString values are reported for redaction and masked by the CLI', async () => {
    const t = clone(cvr);
    t.properties.parameters.push({ name: 'retries', type: 'Int', default: '3' });
    t.properties.sinks[0].localMediaCachePath = '${rtspPassword}';
    const inst = clone(instance);
    inst.properties.parameters.push({ name: 'rtspPassword', value: 's3cr3t-pass' }, { name: 'retries', value: 's3cr3t-pass' });
    const r = validateTopology(t, registry, { instance: inst });
    assert.deepEqual(r.secrets, ['s3cr3t-pass']);
    expectIssue(r.issues, '/properties/parameters/2/value', 'ParameterTypeMismatch');
    const { Redactor } = await import('../../src/runtime/redact.ts');
    const red = new Redactor();
    for (const s of r.secrets) red.add(s);
    assert.ok(!JSON.stringify(red.value(r.issues)).includes('s3cr3t-pass'));
  });

  test('a node in the wrong section', () => {
    const t = clone(cvr);
    t.properties.sources.push({ ...t.properties.sinks[0], name: 'misplaced' });
    expectIssue(issuesOf(t), '/properties/sources/1/@type', 'ModuleValidationError', /belongs in properties.sinks/);
  });
});

describe('document limits, checked before anything walks the document', () => {
  const rtsp = (name: string): Record<string, unknown> => ({
    '@type': '#Microsoft.Media.MediaGraphRtspSource',
    name,
    endpoint: { '@type': '#Microsoft.Media.MediaGraphUnsecuredEndpoint', url: 'rtsp://127.0.0.1/x' },
  });
  const sinkOf = (inputs: readonly string[]): Record<string, unknown> => ({
    ...clone(cvr.properties.sinks[0]),
    inputs: inputs.map((nodeName) => ({ nodeName })),
  });
  const withProps = (props: Record<string, unknown>): Record<string, unknown> => ({ ...clone(cvr), properties: { ...clone(cvr.properties), ...props } });

  test('each limit names its pointer; a document within them validates as before', () => {
    const names = Array.from({ length: 101 }, (_, i) => `s${i}`);
    expectIssue(
      issuesOf(withProps({ sources: names.map(rtsp), sinks: [sinkOf(names.slice(0, 2))] })),
      '/properties',
      'DocumentLimitExceeded',
      /at most 100 nodes/,
    );
    expectIssue(
      issuesOf(withProps({ sources: names.slice(0, 33).map(rtsp), sinks: [sinkOf(names.slice(0, 33))] })),
      '/properties/sinks/0/inputs',
      'DocumentLimitExceeded',
      /at most 32 inputs/,
    );
    const params = Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, type: 'String', default: 'x' }));
    expectIssue(issuesOf(withProps({ parameters: params })), '/properties/parameters', 'DocumentLimitExceeded', /at most 100 parameters/);
    let deep: unknown = 'x';
    for (let i = 0; i < 40; i++) deep = { a: deep };
    expectIssue(
      issuesOf(withProps({ description: deep })),
      '/properties/description/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a/a',
      'DocumentLimitExceeded',
      /more than 32 levels/,
    );
    expectIssue(issuesOf(withProps({ description: 'x'.repeat(300 * 1024) })), '', 'DocumentLimitExceeded', /characters/);
    const manyKeys = Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`k${i}`, i]));
    expectIssue(
      issuesOf(withProps({ sources: [{ ...rtsp('rtspSource'), ...manyKeys }] })),
      '/properties/sources/0',
      'DocumentLimitExceeded',
      /keys; the limit is 100/,
    );
    expectIssue(
      issuesOf(cvr, {
        ...clone(instance),
        properties: { ...clone(instance.properties), parameters: Array.from({ length: 101 }, (_, i) => ({ name: `p${i}`, value: 'v' })) },
      }),
      '/properties/parameters',
      'DocumentLimitExceeded',
      /sets at most 100/,
    );
    const ok = withProps({ sources: names.slice(0, 32).map(rtsp), sinks: [sinkOf(names.slice(0, 32))] });
    assert.ok(!issuesOf(ok).some((i) => i.code === 'DocumentLimitExceeded'));
  });

  test('1,000 sources into one sink: rejected in well under a second (it took seconds)', () => {
    const names = Array.from({ length: 1000 }, (_, i) => `camera${i}`);
    const t0 = performance.now();
    const issues = issuesOf(withProps({ sources: names.map(rtsp), sinks: [sinkOf(names)] }));
    const ms = performance.now() - t0;
    expectIssue(issues, '/properties/sinks/0/inputs', 'DocumentLimitExceeded');
    assert.ok(ms < 500, `${ms.toFixed(0)} ms`);
  });
});
