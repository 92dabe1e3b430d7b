// `mediagraph probe <rtsp-url> [--for <seconds>] [--json] [--transport tcp|udp|http]`
import { parseArgs } from 'node:util';
import { probe, formatProbeTable, ProbeError } from './probe.ts';
import { redactText } from '../../../media/rtsp/headers/url.ts';
import type { CliIo } from '../io.ts';
import { resolveSecret, SECRET_ENV } from '../secret-inputs.ts';

export async function probeCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      for: { type: 'string', default: '5' },
      json: { type: 'boolean' },
      transport: { type: 'string', default: 'tcp' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
    },
  });
  const url = positionals[0];
  const seconds = Number(values.for);
  if (!url || !Number.isFinite(seconds) || seconds <= 0) {
    io.err('usage: mediagraph probe <rtsp-url> [--for <seconds>] [--json] [--transport tcp|udp|http] [--username u --password-file f]');
    return 2;
  }
  const password = await resolveSecret(
    { option: 'password', value: values.password, file: values['password-file'], envVar: SECRET_ENV.rtspPassword },
    process.env,
    io.err,
  );
  try {
    const result = await probe(url, { seconds, transport: values.transport.toLowerCase() as 'tcp', username: values.username, password });
    io.out(values.json ? JSON.stringify(result) : formatProbeTable(result));
    return 0;
  } catch (e) {
    const message = redactText(e instanceof Error ? e.message : String(e), [password]);
    io.err(`probe failed${e instanceof ProbeError ? ` (${e.code})` : ''}: ${message}`);
    return 1;
  }
}
