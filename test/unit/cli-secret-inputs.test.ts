// Parameter files and secret sources of the CLI (the process-level check is in
// test/integration/cli-secret-inputs.test.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paramsFromEnv, parseParamLines, resolveSecret, SecretInputError } from '../../src/control/cli/secret-inputs.ts';

test('parameter files: name=value lines, comments and blank lines skipped, the value kept as written', () => {
  const text = '\uFEFF# camera\r\nrtspUrl=rtsp://10.0.0.7:554/h264?a=b\r\n\r\n  rtspPassword = p=w #not a comment\n';
  assert.deepEqual(parseParamLines(text, 'f'), [
    ['rtspUrl', 'rtsp://10.0.0.7:554/h264?a=b'],
    ['rtspPassword', ' p=w #not a comment'],
  ]);
  assert.throws(
    () => parseParamLines('ok=1\nTopSecretWithoutName\n', 'f'),
    (e: Error) => e instanceof SecretInputError && /line 2/.test(e.message) && !e.message.includes('TopSecret'),
  );
});

test('MEDIAGRAPH_PARAM_<name> variables become parameters', () => {
  assert.deepEqual(paramsFromEnv({ MEDIAGRAPH_PARAM_rtspPassword: 's3cret', MEDIAGRAPH_PARAM_: 'x', OTHER: 'y' }), [['rtspPassword', 's3cret']]);
});

test('secret sources: flag, then file, then variable, then the file a variable names; a flag warns', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'mg-secret-src-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'token');
  writeFileSync(file, 'from-file\n', { mode: 0o600 });
  const warnings: string[] = [];
  const warn = (l: string) => void warnings.push(l);
  const src = { option: 'token', envVar: 'T', envFileVar: 'T_FILE' };
  assert.equal(await resolveSecret({ ...src, value: 'from-flag', file: undefined }, {}, warn), 'from-flag');
  assert.match(warnings[0]!, /--token on the command line .* prefer --token-file or T/);
  assert.equal(await resolveSecret({ ...src, value: undefined, file }, { T: 'env' }, warn), 'from-file');
  assert.equal(await resolveSecret({ ...src, value: undefined, file: undefined }, { T: 'env', T_FILE: file }, warn), 'env');
  assert.equal(await resolveSecret({ ...src, value: undefined, file: undefined }, { T_FILE: file }, warn), 'from-file');
  assert.equal(await resolveSecret({ ...src, value: undefined, file: undefined }, {}, warn), undefined);
  assert.equal(warnings.length, 1);
  await assert.rejects(resolveSecret({ ...src, value: undefined, file: join(dir, 'missing') }, {}, warn), /--token-file: cannot read .*ENOENT/);
  writeFileSync(join(dir, 'empty'), '\n');
  await assert.rejects(resolveSecret({ ...src, value: undefined, file: join(dir, 'empty') }, {}, warn), /is empty/);
});
