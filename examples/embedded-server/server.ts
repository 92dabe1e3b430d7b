// An application that embeds mediagraph: it opens its own host with its own node types (the
// custom-node example's sampler beside the built-ins), logs every event from the start, and
// serves the HTTP API, playback and viewer itself with `createServer`, as `mediagraph serve`
// does for the built-ins. Run: AZURE_STORAGE_CONNECTION_STRING=… node server.js [port]
import { BlobPlaybackSource, createBuiltinRegistry, createServer, MediaGraphHost, type HttpServerHandle } from 'mediagraph';
import { keyframeSamplerNode } from '../custom-node/keyframe-sampler.ts';

export interface EmbeddedServer {
  readonly host: MediaGraphHost;
  readonly http: HttpServerHandle;
  close(): Promise<void>;
}

export async function startEmbeddedServer(options: { dataDirectory: string; blobConnection: string; port?: number }): Promise<EmbeddedServer> {
  const registry = createBuiltinRegistry().register(keyframeSamplerNode);
  const host = await MediaGraphHost.open({
    dataDirectory: options.dataDirectory,
    registry,
    services: { blobConnection: options.blobConnection },
    logLevel: 'warn',
    // also the events of the instances open() re-activates
    onEvent: (e) => console.log(`${e.eventTime} ${e.type} ${e.subject}`),
  });
  try {
    const playback = await BlobPlaybackSource.create(options.blobConnection);
    const http = await createServer(host, { host: '127.0.0.1', port: options.port ?? 0, playback });
    return {
      host,
      http,
      close: async () => {
        await http.close();
        await host.close();
      },
    };
  } catch (e) {
    await host.close();
    throw e;
  }
}

if (process.argv[1] && import.meta.filename === process.argv[1]) {
  const blobConnection = process.env['AZURE_STORAGE_CONNECTION_STRING'];
  if (!blobConnection) throw new Error('set AZURE_STORAGE_CONNECTION_STRING to the storage account that receives the recordings');
  const server = await startEmbeddedServer({ dataDirectory: '.data/embedded', blobConnection, port: Number(process.argv[2] ?? 7070) });
  console.log(`viewer: ${server.http.url}/`);
  process.once('SIGINT', () => void server.close());
}
