// The repository stands alone: the path check behind `npm run lint` finds folders outside
// the repository and documents that are not in it, lets the machine's kernel and programs
// through, and finds nothing in the repository itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../scripts/check-paths/rules.ts';
import { scanRepository } from '../../scripts/check-paths/repository.ts';
import { REPO_ROOT } from '../../scripts/repo-paths.ts';

// The bad samples are assembled at run time, so that a plain search of the repository for
// outside paths (grep, or the check itself) finds nothing here either.
const abs = (root: string, rest: string) => `/${root}/${rest}`;
const up = (rest: string) => `../${rest}`;
const file = (stem: string, ext: string) => `${stem}.${ext}`;
const doc = (name: string) => file(name, 'md');

const names = new Set(['architecture.md', 'errors.md', 'make-fixtures.sh', 'README.md']);
const topLevel = new Set(['src', 'test', 'docs', 'README.md']);
const found = (text: string, file = 'test/helpers/x.ts') => scanText(text, { file, names, topLevel }).map((f) => f.text);

test('absolute paths to folders outside the repository are found', () => {
  const cases = [
    [`export const MEDIA_DIR = '${abs('work', 'sibling/media')}';`, abs('work', 'sibling/media')],
    [`readFileSync('${abs('home', 'alice/clips/cam.mp4')}')`, abs('home', 'alice/clips/cam.mp4')],
    ['file: `' + abs('tmp', 'fixture-1234/h264.mp4') + '`,', abs('tmp', 'fixture-1234/h264.mp4')],
    [`"file": "${abs('root', 'media/h264-1080p-aac.mp4')}"`, abs('root', 'media/h264-1080p-aac.mp4')],
    [`at head (${abs('Users', 'bob/mediagraph/src/a.ts:1:2')})`, abs('Users', 'bob/mediagraph/src/a.ts:1:2')],
    [`const cfg = '~${abs('mediagraph', 'cache').slice(0, -1)}';`, `~${abs('mediagraph', 'cache').slice(0, -1)}`],
  ] as const;
  for (const [line, path] of cases) assert.deepEqual(found(line, 'bench/results/x.json'), [path], line);
});

test('relative paths that climb out of the repository are found; inside ones are not', () => {
  assert.deepEqual(found(`see ${up('shared/notes.txt')}`, 'docs/testing.md'), [up('shared/notes.txt')]);
  assert.deepEqual(found(`see ${up('shared/notes.txt')}`, 'README.md'), [up('shared/notes.txt')]);
  assert.deepEqual(found('[errors](../docs/errors.md)', 'docs/testing.md'), []);
  assert.deepEqual(found(`import x from '${up(up(up('outside/x.ts')))}';`), [up(up(up('outside/x.ts')))]);
  assert.deepEqual(found("import { until } from '../../src/testing/index.ts';"), []);
});

test('documents that are not in the repository are found', () => {
  assert.deepEqual(found(`// Messages on the edges (${doc('DESIGN')} §3)`), [doc('DESIGN')]);
  assert.deepEqual(found(`// quirks from ${doc('CAMERA-QUIRKS')}`), [doc('CAMERA-QUIRKS')]);
  assert.deepEqual(found(`// layering as in ${doc('STYLE')}`), [doc('STYLE')]);
  assert.deepEqual(found(`run ${file('verify-mp4', 'sh')} on the folder`), [file('verify-mp4', 'sh')]);
  assert.deepEqual(found('(docs/architecture.md, Messages); make-fixtures.sh; README.md'), []);
});

test('kernel interfaces, devices, system programs and device paths in topologies pass', () => {
  assert.deepEqual(found("readFileSync(`/proc/${pid}/stat`); readFileSync('/proc/cpuinfo')"), []);
  assert.deepEqual(found("spawn('/usr/bin/python3'); const CHROMIUM = '/usr/bin/chromium'; 2>/dev/null"), []);
  assert.deepEqual(found('#!/usr/bin/env bash'), []);
  assert.deepEqual(found('"localMediaCachePath": "/var/lib/azuremediaservices/tmp/"', 'examples/a/topology.json'), []);
  // URL paths and JSON pointers are not file paths
  assert.deepEqual(found("fetch('/api/methods/GraphTopologySet'); pointer: '/properties/sinks/0'"), []);
  assert.deepEqual(found("const url = 'http://127.0.0.1:7070/tmp/x';"), []);
});

test('a line can say why it needs an outside path', () => {
  assert.deepEqual(found("mount('/mnt/test-disk') // outside-path-ok: the fault scenario mounts it itself"), []);
});

test('the repository names no folder outside itself and cites no missing document', () => {
  const { problems, filesChecked } = scanRepository(REPO_ROOT);
  assert.ok(filesChecked > 100, `${filesChecked} files`);
  assert.deepEqual(problems, []);
});
