// `mediagraph <command> --help` lists every option the command accepts (the README's
// `probe --username …` among them): the options are read from each command's own parseArgs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from '../../src/control/cli/main.ts';

const FILES: Record<string, string> = {
  demo: 'demo.ts',
  run: 'run.ts',
  serve: 'serve.ts',
  validate: 'validate.ts',
  probe: 'probe-command.ts',
  record: 'record.ts',
  export: 'export.ts',
  invoke: 'invoke.ts',
  'sim-camera': 'sim-camera.ts',
};

/** Option names declared in a command's parseArgs `options` ({ name: { type: … } }). */
function declaredOptions(file: string): string[] {
  const text = readFileSync(`src/control/cli/commands/${file}`, 'utf8');
  return [...text.matchAll(/'?([a-z][a-z-]*)'?: \{ type: '(?:string|boolean)'/g)].map((m) => m[1]!);
}

test('every option a command accepts is in its --help', async () => {
  const missing: string[] = [];
  for (const [command, file] of Object.entries(FILES)) {
    const lines: string[] = [];
    assert.equal(await main([command, '--help'], { out: (l) => void lines.push(l), err: (l) => void lines.push(l) }), 0);
    const help = lines.join('\n');
    const options = declaredOptions(file);
    assert.ok(options.length > 0, `${command}: no options found in ${file}`);
    for (const o of options) if (!new RegExp(`--${o}(?![\\w-])`).test(help)) missing.push(`${command} --${o}`);
  }
  assert.deepEqual(missing, [], `not in --help: ${missing.join(', ')}`);
});
