// `mediagraph.json`: what `validate --config` and `serve --config` say about a site file, and
// the documents a camera's short form becomes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createBuiltinRegistry } from '../../src/runtime/builtin-registry.ts';
import { loadSite } from '../../src/site/load-site.ts';
import { main } from '../../src/control/cli/main.ts';

const registry = createBuiltinRegistry();

function siteFile(t: { after(fn: () => void): void }, content: unknown): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mg-sitecfg-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'mediagraph.json');
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return { dir, file };
}

async function validate(file: string): Promise<{ code: number; lines: string[] }> {
  const lines: string[] = [];
  const code = await main(['validate', '--config', file], { out: (l) => void lines.push(l), err: (l) => void lines.push(l) });
  return { code, lines };
}

test('validate --config: one "<file>#<pointer>: <message> [code]" line per problem, exit 1', async (t) => {
  const { file } = siteFile(t, {
    cameras: [
      { name: 'front-door', rtspUrl: 'rtsp://127.0.0.1:8554/a', segmentLenght: 'PT30S' },
      { name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b', segmentLength: 'PT45S' },
      { name: 'Front-Door', rtspUrl: 'rtsp://127.0.0.1:8554/c' },
      { name: 'gate', rtspUrl: 'rtsp://127.0.0.1:8554/d', passwordEnv: 'X', passwordFile: 'y' },
    ],
  });
  const r = await validate(file);
  assert.equal(r.code, 1);
  assert.ok(
    r.lines.some((l) => l.startsWith(`${file}#/cameras/0/segmentLenght:`) && /did you mean "segmentLength"/.test(l)),
    r.lines.join('\n'),
  );
  // a schema problem stops there; the rules need a well-formed file
  const { file: second } = siteFile(t, {
    cameras: [
      { name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b', segmentLength: 'PT45S' },
      { name: 'Yard', rtspUrl: 'rtsp://127.0.0.1:8554/c' },
      { name: 'gate', rtspUrl: 'rtsp://127.0.0.1:8554/d', passwordEnv: 'X', passwordFile: 'y' },
    ],
    instances: [{ name: 'other', properties: { topologyName: 'Missing' } }],
  });
  const r2 = await validate(second);
  assert.equal(r2.code, 1);
  const text = r2.lines.join('\n');
  assert.match(text, /#\/cameras\/0\/segmentLength: segmentLength PT45S must be between PT30S and PT5M/);
  assert.match(text, /#\/cameras\/1\/name: camera name "Yard" is also used at \/cameras\/0\/name/);
  assert.match(text, /#\/cameras\/2: give one of passwordEnv, passwordFile/);
  assert.match(text, /#\/instances\/0\/properties\/topologyName: names topology "Missing", which is not listed/);
});

test('validate --config: valid file → "valid", a missing secret or an inline one is a warning; bad JSON exit 2', async (t) => {
  const { file } = siteFile(t, {
    storage: { connectionStringEnv: 'MG_TEST_UNSET_STORAGE' },
    cameras: [
      { name: 'front-door', rtspUrl: 'rtsp://127.0.0.1:8554/a', username: 'admin', passwordEnv: 'MG_TEST_UNSET_PASSWORD' },
      { name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b', password: 'inline-Secret-77' },
    ],
    topologies: [JSON.parse(readFileSync('examples/cvr-asset/topology.json', 'utf8'))],
    instances: [JSON.parse(readFileSync('examples/cvr-asset/instance.json', 'utf8'))],
  });
  const r = await validate(file);
  assert.equal(r.code, 0, r.lines.join('\n'));
  assert.match(r.lines.at(-1)!, /^valid \(3 /);
  assert.ok(r.lines.some((l) => /^warning: .*#\/cameras\/0\/passwordEnv: environment variable MG_TEST_UNSET_PASSWORD is not set/.test(l)));
  assert.ok(r.lines.some((l) => /^warning: .*#\/cameras\/1\/password: a secret written in the site file/.test(l)));
  assert.doesNotMatch(r.lines.join('\n'), /inline-Secret-77/);
  const { file: broken } = siteFile(t, '{ "cameras": [ }');
  assert.equal((await validate(broken)).code, 2);
});

test('a camera expands to its own CVR topology and an instance; the password from a file is a SecretString', async (t) => {
  const { dir, file } = siteFile(t, {
    data: 'site-data',
    cache: { maximumSizeMiB: 512 },
    defaults: { segmentLength: 'PT1M' },
    cameras: [{ name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b', username: 'admin', passwordFile: 'yard.password', audio: false, transport: 'udp' }],
  });
  writeFileSync(join(dir, 'yard.password'), 'from-File-Pw\n', { mode: 0o600 });
  const loaded = await loadSite(file, registry, { defaultDataDirectory: '/nowhere' });
  assert.ok(loaded.ok, JSON.stringify(loaded.problems));
  const { plan } = loaded;
  assert.equal(plan.dataDirectory, join(dir, 'site-data'));
  assert.deepEqual(plan.secrets.includes('from-File-Pw'), true);
  const g = plan.graphs[0]!;
  const sink = (g.topology as { properties: { sinks: Record<string, unknown>[] } }).properties.sinks[0]!;
  assert.equal(sink['segmentLength'], 'PT1M');
  assert.equal(sink['localMediaCachePath'], join(dir, 'site-data', 'cache'));
  assert.equal(sink['localMediaCacheMaximumSizeMiB'], '512');
  assert.deepEqual((sink['inputs'] as { outputSelectors: unknown[] }[])[0]!.outputSelectors, [{ property: 'mediaType', operator: 'is', value: 'video' }]);
  const source = (g.topology as { properties: { sources: Record<string, unknown>[] } }).properties.sources[0]!;
  assert.equal(source['transport'], 'Udp');
  assert.deepEqual((g.instance as { properties: { parameters: unknown[] } }).properties.parameters, [
    { name: 'rtspUrl', value: 'rtsp://127.0.0.1:8554/b' },
    { name: 'rtspUserName', value: 'admin' },
    { name: 'rtspPassword', value: 'from-File-Pw' },
  ]);
  // the command line's --data wins over the file's
  const overridden = await loadSite(file, registry, { defaultDataDirectory: '/nowhere', dataOverride: '/elsewhere' });
  assert.ok(overridden.ok && overridden.plan.dataDirectory === '/elsewhere');
});

test('serve --watch: a site file saved the way editors do (a new file renamed over it) is one reload', async (t) => {
  const { watchSiteFile } = await import('../../src/site/watch-site-file.ts');
  const { renameSync } = await import('node:fs');
  const { dir, file } = siteFile(t, { cameras: [] });
  writeFileSync(join(dir, 'other.json'), '{}');
  let calls = 0;
  const stop = watchSiteFile(file, () => calls++, 100);
  t.after(stop);
  writeFileSync(join(dir, 'other.json'), '{"x":1}'); // another file in the folder: no reload
  writeFileSync(`${file}.tmp`, JSON.stringify({ cameras: [{ name: 'yard', rtspUrl: 'rtsp://127.0.0.1:8554/b' }] }));
  renameSync(`${file}.tmp`, file);
  const end = Date.now() + 5000;
  while (calls === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(calls, 1);
});
