// The CLI's answers to --help and to bad arguments: a usage text and exit code 2, never a
// stack trace; errors from a command are one redacted line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { main } from '../../src/control/cli/main.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

test('every command answers --help and -h with its own usage and exit code 0', async () => {
  for (const command of ['demo', 'run', 'serve', 'validate', 'probe', 'record', 'export', 'invoke']) {
    for (const flag of ['--help', '-h']) {
      const r = await cli(command, flag);
      assert.equal(r.code, 0, `${command} ${flag}`);
      assert.match(r.out, new RegExp(`^usage: mediagraph ${command} `), `${command} ${flag}`);
      assert.equal(r.err, '');
    }
  }
  const run = await cli('run', '--help');
  assert.match(run.out, /AZURE_STORAGE_CONNECTION_STRING/, 'commands that store say where');
});

test('`help <command>` prints that command; no command prints the list and exits 2', async () => {
  const one = await cli('help', 'record');
  assert.equal(one.code, 0);
  assert.match(one.out, /^usage: mediagraph record <rtsp-url> --out <dir>/);
  const none = await cli();
  assert.equal(none.code, 2);
  for (const c of ['demo', 'run', 'serve', 'validate', 'probe', 'record', 'export', 'invoke']) assert.match(none.out, new RegExp(`\\n  ${c} `));
});

test('an unknown option is one line naming it, plus the usage, exit code 2', async () => {
  const r = await cli('record', 'rtsp://127.0.0.1:1/x', '--out', '/nonexistent', '--segment-lenght', 'PT10S');
  assert.equal(r.code, 2);
  assert.match(r.err, /^mediagraph record: Unknown option '--segment-lenght'\n/);
  assert.match(r.err, /usage: mediagraph record /);
  assert.doesNotMatch(r.err, /\n\s+at /, 'no stack trace');
  assert.doesNotMatch(r.err, /To specify a positional argument/);
});

test('an unknown command lists the commands, exit code 2', async () => {
  const r = await cli('recrod');
  assert.equal(r.code, 2);
  assert.match(r.err, /^unknown command "recrod"/);
});
