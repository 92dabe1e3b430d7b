// `mediagraph serve [--host 127.0.0.1] [--port 7070] [--data <dir>] [--token T] [--blob <conn>]`
// The host as a service: LVA's direct methods and REST over HTTP, events as SSE, /metrics,
// playback and the viewer. Definitions persist under --data; what was active is re-activated.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { MediaGraphHost } from '../../../runtime/host.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import { startHttpServer } from '../../http/server.ts';
import { openPlaybackSource } from '../../http/playback/store-source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import { waitForStop } from './run.ts';
import type { CliIo } from '../io.ts';
import { blobFlag, resolveSecret, SECRET_ENV } from '../secret-inputs.ts';

export async function serveCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      host: { type: 'string', default: '127.0.0.1' },
      port: { type: 'string', default: '7070' },
      data: { type: 'string', default: '.data/host' },
      token: { type: 'string' },
      'token-file': { type: 'string' },
      blob: { type: 'string' },
      'blob-file': { type: 'string' },
      store: { type: 'string' },
      for: { type: 'string' },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be 0..65535, not ${values.port}`);
    return 2;
  }
  const dataDirectory = resolve(values.data);
  let token: string | undefined;
  let target;
  try {
    token = await resolveSecret({ option: 'token', value: values.token, file: values['token-file'], envVar: SECRET_ENV.token, envFileVar: SECRET_ENV.tokenFile }, process.env, io.err);
    target = await resolveBlobTarget(await blobFlag(values, io.err), dataDirectory, process.env, values.store);
  } catch (e) {
    io.err(`serve: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  const host = await MediaGraphHost.open({ dataDirectory, registry, logLevel: 'info', services: { blobConnection: target.connection } });
  try {
    const playback = await openPlaybackSource(target.connection);
    const http = await startHttpServer(host, { host: values.host, port, ...(token ? { token } : {}), playback });
    io.out(`listening on ${http.url}`);
    io.err(`recordings go to ${target.description}; definitions in ${dataDirectory}`);
    const why = await waitForStop(values.for !== undefined ? Number(values.for) : undefined);
    io.err(`${why}: stopping (active instances stay marked active and resume at the next start)`);
    await http.close();
    return 0;
  } catch (e) {
    io.err(`serve: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  } finally {
    await host.close();
    await target.close();
  }
}
