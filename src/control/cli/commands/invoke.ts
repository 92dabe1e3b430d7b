// `mediagraph invoke <methodName> [payload.json | '{…}'] [--host http://127.0.0.1:7070] [--token T]`
// LVA's direct methods from the shell: one POST to a running `mediagraph serve`. Prints the
// `{status, payload}` answer (indented on a terminal, one line for a pipe); exits 0 for 2xx, 1 otherwise.
import { parseArgs } from 'node:util';
import { readJsonFile } from './validate.ts';
import type { CliIo } from '../io.ts';
import { resolveSecret, SECRET_ENV } from '../secret-inputs.ts';

export async function invokeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: { host: { type: 'string', default: 'http://127.0.0.1:7070' }, token: { type: 'string' }, 'token-file': { type: 'string' } },
  });
  const [method, file] = positionals;
  if (!method) {
    io.err('usage: mediagraph invoke <methodName> [payload.json] [--host URL] [--token T]');
    return 2;
  }
  let payload: unknown = {};
  try {
    // a payload file, or the JSON itself for short payloads such as {"name":"x"}
    if (file) payload = file.trim().startsWith('{') ? (JSON.parse(file) as unknown) : await readJsonFile(file);
  } catch (e) {
    io.err(e instanceof Error ? e.message : String(e));
    return 2;
  }
  const token = await resolveSecret(
    { option: 'token', value: values.token, file: values['token-file'], envVar: SECRET_ENV.token, envFileVar: SECRET_ENV.tokenFile },
    process.env,
    io.err,
  );
  let res: Response;
  try {
    res = await fetch(new URL(`/api/methods/${encodeURIComponent(method)}`, values.host), {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(payload),
      signal: AbortSignal.timeout(330_000), // deactivation may drain for minutes (LVA recommends 300 s)
    });
  } catch (e) {
    io.err(`cannot reach ${values.host}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  const text = await res.text();
  io.out(io.outIsTerminal ? indented(text) : text);
  return res.ok ? 0 : 1;
}

function indented(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}
