// The repository stands alone: the path check behind `npm run lint` finds folders outside
// the repository and documents that are not in it, lets the machine's kernel and programs
// through, and finds nothing in the repository itself.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scanText } from '../../scripts/check-paths/rules.ts';
import { scanRepository } from '../../scripts/check-paths/repository.ts';
import { REPO_ROOT } from '../../scripts/repo-paths.ts';

const names = new Set(['architecture.md', 'errors.md', 'make-fixtures.sh', 'README.md']);
const topLevel = new Set(['src', 'test', 'docs', 'README.md']);
const found = (text: string, file = 'test/helpers/x.ts') => scanText(text, { file, names, topLevel }).map((f) => f.text);

test('absolute paths to folders outside the repository are found', () => {
  assert.deepEqual(found("export const MEDIA_DIR = '/work/shared/media';"), ['/work/shared/media']);
  assert.deepEqual(found("readFileSync('/home/alice/clips/cam.mp4')"), ['/home/alice/clips/cam.mp4']);
  assert.deepEqual(found('file: `/tmp/fixture-1234/h264.mp4`,'), ['/tmp/fixture-1234/h264.mp4']);
  assert.deepEqual(found('"file": "/root/media/h264-1080p-aac.mp4"', 'bench/results/x.json'), ['/root/media/h264-1080p-aac.mp4']);
  assert.deepEqual(found('at head (/Users/bob/mediagraph/src/a.ts:1:2)'), ['/Users/bob/mediagraph/src/a.ts:1:2']);
  assert.deepEqual(found("const cfg = '~/mediagraph/cache';"), ['~/mediagraph/cache']);
});

test('relative paths that climb out of the repository are found; inside ones are not', () => {
  assert.deepEqual(found('see ../shared/notes.txt', 'docs/x.md'), ['../shared/notes.txt']);
  assert.deepEqual(found('see ../shared/notes.txt', 'README.md'), ['../shared/notes.txt']);
  assert.deepEqual(found('[errors](../docs/errors.md)', 'docs/x.md'), []);
  assert.deepEqual(found("import x from '../../../outside/x.ts';"), ['../../../outside/x.ts']);
  assert.deepEqual(found("import { until } from '../../src/testing/index.ts';"), []);
});

test('documents that are not in the repository are found', () => {
  assert.deepEqual(found('// Messages on the edges (DESIGN.md §3)'), ['DESIGN.md']);
  assert.deepEqual(found('// quirks from CAMERA-QUIRKS.md'), ['CAMERA-QUIRKS.md']);
  assert.deepEqual(found('run verify-mp4.sh on the folder'), ['verify-mp4.sh']);
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
