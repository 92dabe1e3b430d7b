// The package as a user gets it: `npm pack`, the tarball unpacked into an empty project
// whose node_modules holds only the package's declared dependencies (linked from this
// checkout's install, so the test needs no network), then what a user does with it — plain
// Node imports both entry points with no loader; a strict nodenext TypeScript project (no
// skipLibCheck) compiles the custom-node example, which defines and registers a node type;
// the example's marble test and the embedded-server example's test pass; `npx mediagraph
// validate --plugin` accepts the example's topology and refuses it without the plugin;
// `run --plugin` records through the user's node.
// Runs on whatever `node` runs the suite (CI: 20, then 24).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { inspectMp4 } from '../helpers/mp4-inspect.ts';

const repo = resolve(import.meta.dirname, '../..');

interface Ran {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to its end (bounded), never throwing for a non-zero exit. */
function run(file: string, args: readonly string[], cwd: string, timeoutMs = 120_000): Promise<Ran> {
  // MEDIAGRAPH_FROM_SOURCE is the test runner's: the packed CLI must run its own dist/
  const env: NodeJS.ProcessEnv = { ...process.env, MEDIAGRAPH_FROM_SOURCE: '', NODE_OPTIONS: '' };
  // set by the test runner for its own children: a `node --test` below would report to it, not print
  delete env['NODE_TEST_CONTEXT'];
  return new Promise((resolvePromise) => {
    execFile(file, [...args], { cwd, env, timeout: timeoutMs, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Whether dist/ is older than a file under src/ (or missing): CI's install built it, an edit since has not. */
function distIsStale(): boolean {
  const built = join(repo, 'dist/index.js');
  if (!existsSync(built)) return true;
  const builtAt = statSync(built).mtimeMs;
  const newer = (dir: string): boolean =>
    readdirSync(dir, { withFileTypes: true }).some((e) => (e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > builtAt));
  return newer(join(repo, 'src'));
}

function link(project: string, name: string): void {
  const target = join(project, 'node_modules', name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(repo, 'node_modules', name), target, 'dir');
}

// ~30 s of CPU (most of it TypeScript), plus a build when src/ changed since the last one
test('npm pack → an empty project: imports, a strict TypeScript consumer, the example marble test, validate and run with --plugin', {
  timeout: 300_000,
}, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-package-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

  // the tarball must hold a dist/ built from these sources: build only when they changed since
  if (distIsStale()) {
    const built = await run(process.execPath, [join(repo, 'scripts/build.mjs')], repo, 240_000);
    assert.equal(built.code, 0, built.stdout + built.stderr);
  }
  const packed = await run(npm, ['pack', '--ignore-scripts', '--pack-destination', dir, '--silent'], repo);
  assert.equal(packed.code, 0, packed.stderr);
  const tarball = readdirSync(dir).find((f) => f.endsWith('.tgz'));
  assert.ok(tarball, 'npm pack wrote a tarball');

  const project = join(dir, 'consumer');
  const installed = join(project, 'node_modules', 'mediagraph');
  mkdirSync(installed, { recursive: true });
  const untar = await run('tar', ['-xzf', join(dir, tarball), '-C', installed, '--strip-components=1'], dir);
  assert.equal(untar.code, 0, untar.stderr);
  const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as Record<string, Record<string, string> | undefined>;
  // only what the package declares (a missing declaration fails to import below)
  for (const name of Object.keys({ ...manifest['dependencies'], ...manifest['peerDependencies'], ...manifest['optionalDependencies'] })) link(project, name);
  link(project, '@types/node');
  mkdirSync(join(project, 'node_modules', '.bin'));
  symlinkSync('../mediagraph/bin/mediagraph.js', join(project, 'node_modules', '.bin', 'mediagraph'));
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));

  // what ships: no sources, no repository tests
  const shipped = readdirSync(installed).sort();
  assert.deepEqual(shipped, ['LICENSE', 'README.md', 'bin', 'dist', 'examples', 'package.json', 'schemas']);

  // plain Node, no loader
  const imported = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      `
    const m = await import('mediagraph');
    const t = await import('mediagraph/testing');
    console.log([typeof m.MediaGraphHost, typeof m.defineNode, typeof m.createServer, typeof t.marbleTest, typeof t.startSimulatedCamera].join(' '));
  `,
    ],
    project,
  );
  assert.equal(imported.code, 0, imported.stderr);
  assert.equal(imported.stdout.trim(), 'function function function function function');

  // a strict nodenext TypeScript project holding the package's own custom-node example
  cpSync(join(installed, 'examples'), join(project, 'examples'), { recursive: true });
  writeFileSync(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'nodenext',
        moduleResolution: 'nodenext',
        strict: true,
        exactOptionalPropertyTypes: true,
        noUncheckedIndexedAccess: true,
        rewriteRelativeImportExtensions: true,
        outDir: 'out',
        rootDir: 'examples',
        types: ['node'],
      },
      // the time-lapse test reads this repository's test helpers
      include: ['examples/**/*.ts'],
      exclude: ['examples/custom-node/timelapse.test.ts'],
    }),
  );
  const tsc = await run(process.execPath, [join(repo, 'node_modules/typescript/bin/tsc'), '-p', project], project);
  assert.equal(tsc.code, 0, `TypeScript errors:\n${tsc.stdout}${tsc.stderr}`);
  assert.equal(tsc.stdout.trim(), '');

  // the example's marble test, and the embedding example serving its host (API, viewer, playback)
  const exampleTests = await run(
    process.execPath,
    ['--test', '--test-reporter=tap', 'out/custom-node/keyframe-sampler.test.js', 'out/embedded-server/server.test.js'],
    project,
  );
  assert.equal(exampleTests.code, 0, exampleTests.stdout + exampleTests.stderr);
  assert.match(exampleTests.stdout, /# pass 3/);

  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const topology = 'examples/custom-node/topology.json';
  const withPlugin = await run(npx, ['--no', 'mediagraph', 'validate', topology, '--plugin', './out/custom-node/nodes.js'], project);
  assert.equal(withPlugin.code, 0, withPlugin.stderr + withPlugin.stdout);
  assert.equal(withPlugin.stdout.trim(), 'valid');
  const without = await run(npx, ['--no', 'mediagraph', 'validate', topology], project);
  assert.equal(without.code, 1);
  assert.match(without.stdout, /unknown node type "#Contoso\.KeyframeSampler"/);

  // run --plugin: the sampler between a camera and a file sink, recorded by the packed CLI
  const camera = await startSimulatedCamera({ file: join(repo, 'test/fixtures/media/h264-main-aac.mp4'), speed: 8 });
  t.after(() => camera.close());
  const out = join(dir, 'out');
  const recorded = await run(
    process.execPath,
    [
      join(installed, 'bin/mediagraph.js'),
      'run',
      topology,
      '--plugin',
      './out/custom-node/nodes.js',
      '--param',
      `rtspUrl=${camera.url}`,
      '--param',
      `outputFolder=${out}`,
      '--for',
      '3',
      '--data',
      join(dir, 'data'),
    ],
    project,
  );
  assert.equal(recorded.code, 0, recorded.stderr);
  const files = readdirSync(out).filter((f) => f.endsWith('.mp4'));
  assert.equal(files.length, 1, `files: ${files.join(', ')}`);
  const tracks = inspectMp4(new Uint8Array(readFileSync(join(out, files[0]!))));
  assert.deepEqual(
    tracks.map((x) => x.type),
    ['video'],
    'the sampler dropped the audio',
  );
  assert.ok(tracks[0]!.samples.length >= 3 && tracks[0]!.samples.every((s) => s.is_sync), 'keyframes only');

  // without the optional Azurite, the embedded store is refused in one line naming the way out
  rmSync(join(project, 'node_modules', 'azurite'));
  const noAzurite = await run(
    process.execPath,
    [join(installed, 'bin/mediagraph.js'), 'run', 'examples/cvr-asset/topology.json', '--param', `rtspUrl=${camera.url}`, '--data', join(dir, 'data2')],
    project,
  );
  assert.equal(noAzurite.code, 2, noAzurite.stderr);
  assert.match(noAzurite.stderr, /the embedded store needs Azurite, an optional dependency that is not installed/);
});
