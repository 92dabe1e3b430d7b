// LVA's published topologies, written out by hand from their documented shape
// (test/fixtures/lva-topologies/<apiVersion>/): every one validates unchanged, and the
// mutations LVA refused still fail, each with a JSON pointer and the rule's code.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { validateTopology } from '../../src/graph/validate.ts';
import { V1_FILE_SINK_MAXIMUM_SIZE_MIB } from '../../src/graph/api-version.ts';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import type { ValidationIssue } from '../../src/graph/model.ts';

const registry = createBuiltinRegistry();
const corpus = 'test/fixtures/lva-topologies';
type Doc = Record<string, any>;

function sample(version: string, name: string): Doc {
  return JSON.parse(readFileSync(join(corpus, version, `${name}.json`), 'utf8')) as Doc;
}

function samples(): { version: string; file: string; doc: Doc }[] {
  return ['1.0', '2.0'].flatMap((version) =>
    readdirSync(join(corpus, version))
      .filter((f) => f.endsWith('.json'))
      .sort()
      .map((file) => ({ version, file, doc: JSON.parse(readFileSync(join(corpus, version, file), 'utf8')) as Doc })),
  );
}

/** An instance giving every parameter without a default a plausible value. */
function instanceFor(doc: Doc, values: Record<string, string> = {}): Doc {
  const guesses: Record<string, string> = {
    rtspUrl: 'rtsp://127.0.0.1:8554/camera',
    inferencingUrl: 'http://127.0.0.1:8080/score',
    assetName: 'cam1-${System.DateTime}',
  };
  const needed = (doc.properties.parameters ?? []).filter((p: Doc) => p.default === undefined).map((p: Doc) => p.name as string);
  const given = { ...Object.fromEntries(needed.map((n: string) => [n, guesses[n] ?? 'x'])), ...values };
  return {
    '@apiVersion': doc['@apiVersion'],
    name: 'Sample-Graph-1',
    properties: { topologyName: doc.name, parameters: Object.entries(given).map(([name, value]) => ({ name, value })) },
  };
}

function expectIssue(issues: readonly ValidationIssue[], pointer: string, code: string, text?: RegExp): void {
  const hit = issues.find((i) => i.pointer === pointer && i.code === code && (!text || text.test(i.message)));
  assert.ok(hit, `expected ${code} at ${pointer}${text ? ` matching ${text}` : ''}; got ${JSON.stringify(issues, null, 1)}`);
}

describe('the published samples validate unchanged', () => {
  test('the corpus holds 1.0 and 2.0 samples', () => {
    const all = samples();
    assert.ok(all.filter((s) => s.version === '1.0').length >= 12, 'the 1.0 samples');
    assert.ok(all.filter((s) => s.version === '2.0').length >= 7, 'the 2.0 samples');
    for (const s of all) assert.equal(s.doc['@apiVersion'], s.version, s.file);
  });

  for (const { version, file, doc } of samples()) {
    test(`${version}/${file}: alone, as \`validate\` reads it, and with an instance`, () => {
      assert.deepEqual(validateTopology(doc, registry).issues, [], 'topology alone');
      assert.deepEqual(validateTopology(doc, registry, { requireApiVersion: true }).issues, [], 'with @apiVersion required');
      const withInstance = validateTopology(doc, registry, {
        instance: instanceFor(doc),
        requireApiVersion: true,
        system: { now: new Date(Date.UTC(2021, 0, 25, 10, 0, 0)) },
      });
      assert.deepEqual(withInstance.issues, [], 'with an instance');
    });
  }
});

describe('@apiVersion 1.0 file sink: filePathPattern', () => {
  test('mapped onto baseDirectoryPath + fileNamePattern + the default quota', () => {
    const r = validateTopology(sample('1.0', 'evr-motion-files'), registry, {
      instance: instanceFor(sample('1.0', 'evr-motion-files')),
      system: { now: new Date(Date.UTC(2021, 0, 25, 10, 0, 0)) },
    });
    assert.deepEqual(r.issues, []);
    const sink = r.topology!.properties.sinks[0]!;
    assert.equal(sink['baseDirectoryPath'], '/var/media');
    assert.equal(sink['fileNamePattern'], 'sampleFilesFromEVR-filesinkOutput-20210125T100000Z');
    assert.equal(sink['maximumSizeMiB'], String(V1_FILE_SINK_MAXIMUM_SIZE_MIB));
    assert.equal(sink['filePathPattern'], undefined, 'the running node sees the 2.0 form only');
  });

  test('a whole path from a parameter is split after substitution', () => {
    const t = sample('1.0', 'evr-hubMessage-files');
    t.properties.parameters.push({ name: 'outputPath', type: 'String' });
    t.properties.sinks[0].filePathPattern = '${outputPath}';
    assert.deepEqual(validateTopology(t, registry).issues, [], 'not judged without the value');
    const inst = instanceFor(t, { outputPath: '/var/media/clips/door-${System.DateTime}' });
    const r = validateTopology(t, registry, { instance: inst, system: { now: new Date(Date.UTC(2021, 0, 25, 10, 0, 0)) } });
    assert.deepEqual(r.issues, []);
    assert.equal(r.topology!.properties.sinks[0]!['baseDirectoryPath'], '/var/media/clips');
    assert.equal(r.topology!.properties.sinks[0]!['fileNamePattern'], 'door-20210125T100000Z');
    const relative = validateTopology(t, registry, { instance: instanceFor(t, { outputPath: 'clips/door' }) });
    expectIssue(relative.issues, '/properties/sinks/0/filePathPattern', 'PropertyValueInvalid', /absolute path/);
  });

  test('what LVA 1.0 refused is still refused, at the pointer the user wrote', () => {
    const relative = sample('1.0', 'evr-motion-files');
    relative.properties.sinks[0].filePathPattern = 'media/clip-${System.DateTime}';
    expectIssue(validateTopology(relative, registry).issues, '/properties/sinks/0/filePathPattern', 'PropertyValueInvalid', /absolute path/);

    const folderOnly = sample('1.0', 'evr-motion-files');
    folderOnly.properties.sinks[0].filePathPattern = '/var/media/';
    expectIssue(validateTopology(folderOnly, registry).issues, '/properties/sinks/0/filePathPattern', 'PropertyValueInvalid', /file name/);

    const missing = sample('1.0', 'evr-motion-files');
    delete missing.properties.sinks[0].filePathPattern;
    const missingIssues = validateTopology(missing, registry).issues;
    expectIssue(missingIssues, '/properties/sinks/0/filePathPattern', 'PropertyRequired');
    assert.equal(missingIssues.length, 1, JSON.stringify(missingIssues));

    const both = sample('1.0', 'evr-motion-files');
    both.properties.sinks[0].baseDirectoryPath = '/var/media';
    expectIssue(validateTopology(both, registry).issues, '/properties/sinks/0/baseDirectoryPath', 'PropertyUnknown', /2\.0 property/);

    const v2Form = sample('1.0', 'evr-motion-files');
    const { filePathPattern: _dropped, ...rest } = v2Form.properties.sinks[0];
    v2Form.properties.sinks[0] = { ...rest, baseDirectoryPath: '/var/media', fileNamePattern: 'clip-${System.DateTime}', maximumSizeMiB: '512' };
    expectIssue(validateTopology(v2Form, registry).issues, '/properties/sinks/0/filePathPattern', 'PropertyRequired', /"@apiVersion": "2\.0"/);
  });

  test('a 2.0 document with the 1.0 form names the 2.0 properties', () => {
    const t = sample('1.0', 'evr-motion-files');
    t['@apiVersion'] = '2.0';
    const issues = validateTopology(t, registry).issues;
    expectIssue(issues, '/properties/sinks/0/filePathPattern', 'PropertyUnknown', /1\.0 form.*baseDirectoryPath, fileNamePattern and maximumSizeMiB/);
    assert.equal(issues.length, 1, `one line says it all: ${JSON.stringify(issues)}`);
  });
});

test('the editor schema (schemas/topology.schema.json) takes either file sink form, not both', () => {
  const ajv = new Ajv({ strict: false, allowUnionTypes: true });
  const schema = JSON.parse(readFileSync('schemas/topology.schema.json', 'utf8')) as Doc;
  delete schema.$schema;
  const check = ajv.compile(schema);
  const v1 = sample('1.0', 'evr-hubMessage-files');
  assert.ok(check(v1), JSON.stringify(check.errors));
  const v2 = sample('2.0', 'evr-hubMessage-files');
  assert.ok(check(v2), JSON.stringify(check.errors));
  v1.properties.sinks[0].baseDirectoryPath = '/var/media';
  assert.equal(check(v1), false, 'both forms at once');
  delete v2.properties.sinks[0].maximumSizeMiB;
  assert.equal(check(v2), false, 'an incomplete 2.0 form');
});

describe('assetNamePattern and fileNamePattern: the system-variable rule, judged where LVA judged it', () => {
  test('1.0: a name from a parameter with no variable in it is accepted (the IoT Central gateway)', () => {
    const t = sample('1.0', 'iot-central-motion');
    const inst = instanceFor(t, { assetName: 'scope1-camera7-20210125-100000' });
    const r = validateTopology(t, registry, { instance: inst });
    assert.deepEqual(r.issues, []);
    assert.equal(r.topology!.properties.sinks[1]!['assetNamePattern'], 'scope1-camera7-20210125-100000');
    const literal = sample('1.0', 'cvr-asset');
    literal.properties.sinks[0].assetNamePattern = 'fixedAssetName';
    assert.deepEqual(validateTopology(literal, registry).issues, [], '1.0 had no system-variable rule');
  });

  test('2.0: not judged on the topology, judged on the instance value', () => {
    const t = sample('2.0', 'iot-central-motion');
    assert.deepEqual(validateTopology(t, registry).issues, []);
    const fixed = validateTopology(t, registry, { instance: instanceFor(t, { assetName: 'fixedAssetName' }) });
    expectIssue(fixed.issues, '/properties/sinks/1/assetNamePattern', 'PropertyValueInvalidPattern', /system variable.*fixedAssetName/);
    const dated = validateTopology(t, registry, {
      instance: instanceFor(t, { assetName: 'cam1-${System.DateTime}' }),
      system: { now: new Date(Date.UTC(2021, 0, 25, 10, 0, 0)) },
    });
    assert.deepEqual(dated.issues, []);
    assert.equal(dated.topology!.properties.sinks[1]!['assetNamePattern'], 'cam1-20210125T100000Z', 'a variable inside a parameter value is expanded');
    const withDefault = sample('2.0', 'iot-central-motion');
    withDefault.properties.parameters.find((p: Doc) => p.name === 'assetName').default = 'noVariableHere';
    assert.deepEqual(validateTopology(withDefault, registry).issues, [], 'a default is one possible value, judged with the instance');
    expectIssue(
      validateTopology(withDefault, registry, { instance: instanceFor(withDefault) }).issues,
      '/properties/sinks/1/assetNamePattern',
      'PropertyValueInvalidPattern',
    );
  });

  test('2.0: a literal pattern without a variable is refused on the topology, asset and file sink alike', () => {
    const asset = sample('2.0', 'cvr-asset');
    asset.properties.sinks[0].assetNamePattern = 'fixedAssetName';
    expectIssue(validateTopology(asset, registry).issues, '/properties/sinks/0/assetNamePattern', 'PropertyValueInvalidPattern', /system variable/);
    const file = sample('2.0', 'evr-hubMessage-files');
    file.properties.sinks[0].fileNamePattern = 'clip-${fileSinkOutputName}';
    assert.deepEqual(validateTopology(file, registry).issues, [], 'pattern from a parameter: judged with the instance');
    expectIssue(
      validateTopology(file, registry, { instance: instanceFor(file) }).issues,
      '/properties/sinks/0/fileNamePattern',
      'PropertyValueInvalidPattern',
      /system variable/,
    );
    file.properties.sinks[0].fileNamePattern = 'clip';
    expectIssue(validateTopology(file, registry).issues, '/properties/sinks/0/fileNamePattern', 'PropertyValueInvalidPattern', /system variable/);
  });

  test('both versions: an asset name with a forbidden character is refused after substitution', () => {
    for (const version of ['1.0', '2.0']) {
      const t = sample(version, 'iot-central-motion');
      const r = validateTopology(t, registry, { instance: instanceFor(t, { assetName: 'cam.1-${System.DateTime}' }) });
      expectIssue(r.issues, '/properties/sinks/1/assetNamePattern', 'PropertyValueInvalidPattern', /forbidden/);
    }
  });
});

describe('other rules by version, and the rules both versions share', () => {
  test('2.0 refuses what LVA 2.0 removed: the frame rate filter and ImageFormatEncoded', () => {
    const t = sample('1.0', 'cvr-with-httpExtension');
    t['@apiVersion'] = '2.0';
    const issues = validateTopology(t, registry).issues;
    expectIssue(issues, '/properties/processors/0/@type', 'ModuleValidationError', /removed.*samplingOptions\.maximumSamplesPerSecond/);
    expectIssue(issues, '/properties/processors/1/image/format/@type', 'ModuleValidationError', /ImageFormatJpeg/);
  });

  test("2.0 requires what its schema required and 1.0's did not: a password with the username, a raw pixel format", () => {
    const v1 = sample('1.0', 'lva-spatial-analysis');
    delete v1.properties.sources[0].endpoint.credentials.password;
    delete v1.properties.processors[1].image.format.pixelFormat;
    assert.deepEqual(validateTopology(v1, registry).issues, [], '1.0 left both optional');
    const v2 = structuredClone(v1);
    v2['@apiVersion'] = '2.0';
    delete v2.properties.processors[0];
    v2.properties.processors = v2.properties.processors.filter(Boolean);
    v2.properties.processors[0].inputs = [{ nodeName: 'rtspSource' }];
    const issues = validateTopology(v2, registry).issues;
    expectIssue(issues, '/properties/sources/0/endpoint/credentials/password', 'PropertyRequired', /SecretString/);
    expectIssue(issues, '/properties/processors/0/image/format/pixelFormat', 'PropertyRequired', /pixel format/);
    assert.equal(issues.length, 2, JSON.stringify(issues));
  });

  test('segmentLength outside PT30S..PT5M, a missing input, a cycle-free graph: refused in 1.0 as in 2.0', () => {
    for (const version of ['1.0', '2.0']) {
      const t = sample(version, 'cvr-asset');
      t.properties.sinks[0].segmentLength = 'PT10S';
      t.properties.sinks[0].inputs[0].nodeName = 'camera';
      const issues = validateTopology(t, registry).issues;
      expectIssue(issues, '/properties/sinks/0/segmentLength', 'PropertyValueInvalid', /PT30S and PT5M/);
      expectIssue(issues, '/properties/sinks/0/inputs/0/nodeName', 'GraphValidationError', /does not exist/);
    }
  });

  test('an @apiVersion other than 1.0 and 2.0 is refused; a missing one only when required', () => {
    const t = sample('1.0', 'cvr-asset');
    expectIssue(validateTopology({ ...t, '@apiVersion': '3.0' }, registry).issues, '/@apiVersion', 'PropertyValueInvalid');
    const { '@apiVersion': _v, ...unversioned } = t;
    assert.deepEqual(validateTopology(unversioned, registry).issues, []);
    expectIssue(validateTopology(unversioned, registry, { requireApiVersion: true }).issues, '/@apiVersion', 'PropertyRequired', /"1\.0" or "2\.0"/);
    const inst = instanceFor(t);
    delete inst['@apiVersion'];
    expectIssue(validateTopology(t, registry, { instance: inst, requireApiVersion: true }).issues, '/@apiVersion', 'PropertyRequired');
  });
});

describe('messages', () => {
  test('a mistyped @type gets "did you mean"', () => {
    const t = sample('2.0', 'motion-detection');
    t.properties.processors[0]['@type'] = '#Microsoft.Media.MediaGraphMotionDetectorProcessor';
    expectIssue(
      validateTopology(t, registry).issues,
      '/properties/processors/0/@type',
      'ModuleValidationError',
      /did you mean "#Microsoft\.Media\.MediaGraphMotionDetectionProcessor"\?/,
    );
  });

  test('an Azure Video Analyzer type is named as such, with the LVA type to use', () => {
    const t = sample('2.0', 'cvr-asset');
    t.properties.sinks[0]['@type'] = '#Microsoft.VideoAnalyzer.VideoSink';
    t.properties.sources[0]['@type'] = '#Microsoft.VideoAnalyzer.RtspSource';
    const issues = validateTopology(t, registry).issues;
    expectIssue(issues, '/properties/sinks/0/@type', 'ModuleValidationError', /Azure Video Analyzer type.*"#Microsoft\.Media\.MediaGraphAssetSink"/);
    expectIssue(issues, '/properties/sources/0/@type', 'ModuleValidationError', /Azure Video Analyzer type.*"#Microsoft\.Media\.MediaGraphRtspSource"/);
  });

  test('an undeclared ${param} is named at its pointer, not reported as a bad URL scheme', () => {
    const t = sample('2.0', 'cvr-asset');
    t.properties.sources[0].endpoint.url = '${cameraUrl}';
    const issues = validateTopology(t, registry).issues;
    expectIssue(issues, '/properties/sources/0/endpoint/url', 'ParameterUnknown', /parameter "cameraUrl" is not declared/);
    assert.ok(!issues.some((i) => i.code === 'RtspEndpointUrlInvalidScheme'), JSON.stringify(issues));
    t.properties.sources[0].endpoint.url = '${rtspURL1}';
    expectIssue(validateTopology(t, registry).issues, '/properties/sources/0/endpoint/url', 'ParameterUnknown', /did you mean "rtspUrl"/);
  });

  test('node types this host cannot run are warnings, not errors; a CVR topology has none', () => {
    const motion = validateTopology(sample('2.0', 'motion-detection'), registry);
    assert.equal(motion.ok, true);
    assert.deepEqual(
      motion.warnings.map((w) => [w.pointer, w.code]),
      [
        ['/properties/processors/0/@type', 'NodeTypeNotSupported'],
        ['/properties/sinks/0/@type', 'NodeTypeNotSupported'],
      ],
    );
    assert.match(motion.warnings[0]!.message, /cannot run on this host.*activating an instance of it fails/);
    assert.deepEqual(validateTopology(sample('2.0', 'cvr-asset'), registry).warnings, []);
  });
});
