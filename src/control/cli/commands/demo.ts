// `mediagraph demo` (= `npm start`): the main job on embedded defaults, no account needed.
// A simulated camera (with Digest auth), an embedded Azurite, a host running LVA's CVR
// example, and the HTTP API with the viewer. Ctrl-C deactivates cleanly (the cache drains).
import { parseArgs } from 'node:util';
import { resolve, join } from 'node:path';
import { readFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { MediaGraphHost } from '../../../runtime/host.ts';
import type { NodeRegistry } from '../../../runtime/registry.ts';
import { startHttpServer, type HttpServerHandle } from '../../http/server.ts';
import { BlobPlaybackSource } from '../../http/playback/blob-source.ts';
import { resolveBlobTarget } from '../../blob-target.ts';
import { startSimulatedCamera } from '../../../testing/sim-camera/index.ts';
import { cliLogLine, startStatusLine } from '../status-line.ts';
import { stderrLines } from '../console-lines.ts';
import { describeError, waitForStop } from './run.ts';
import type { CliIo } from '../io.ts';
import { DEFAULT_DATA, hintOldDataFolders } from '../data-folder.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));
const INSTANCE = 'demo-camera';

export async function demoCommand(argv: readonly string[], io: CliIo, registry: NodeRegistry): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '7070' },
      data: { type: 'string' },
      speed: { type: 'string', default: '1' },
      file: { type: 'string', default: join(root, 'test/fixtures/media/h264-main-aac.mp4') },
      'segment-length': { type: 'string', default: 'PT30S' },
      for: { type: 'string' },
    },
  });
  if (!existsSync(values.file)) {
    // the clip is this repository's test media, which the published package does not ship
    io.err(`demo: no video clip at ${values.file}: give one with --file <clip.mp4> (an MP4 with H.264 or H.265 video)`);
    return 2;
  }
  // recordings and the cache in the one data folder every command uses; the demo's own
  // definitions (re-made at each start for its camera) apart, so `serve` never resumes them
  const dataDirectory = resolve(values.data ?? DEFAULT_DATA);
  if (values.data === undefined) await hintOldDataFolders(dataDirectory, io.err);
  const cameraPassword = randomBytes(9).toString('base64url');
  const camera = await startSimulatedCamera({
    file: values.file,
    speed: Number(values.speed),
    path: '/camera',
    auth: { username: 'viewer', password: cameraPassword, scheme: 'digest' },
  });
  const target = await resolveBlobTarget(undefined, dataDirectory);
  const lines = stderrLines(io.err);
  const logWrite = (line: string): void => {
    const shown = cliLogLine(line);
    if (shown !== undefined) lines.line(shown);
  };
  // the demo's instance is re-made for this start's camera (new port and password), not resumed
  const host = await MediaGraphHost.open({
    dataDirectory: join(dataDirectory, 'demo'),
    registry,
    logLevel: 'warn',
    logWrite,
    services: { blobConnection: target.connection },
    resumeActiveInstances: false,
  });
  let http: HttpServerHandle | undefined;
  let code = 0;
  try {
    const topology = JSON.parse(await readFile(join(root, 'examples/cvr-asset/topology.json'), 'utf8')) as unknown;
    await host.apply(topology, {
      name: INSTANCE,
      properties: {
        topologyName: 'CVRToAsset',
        description: 'The built-in simulated camera, recorded continuously',
        parameters: [
          { name: 'rtspUrl', value: camera.url },
          { name: 'rtspUserName', value: 'viewer' },
          { name: 'rtspPassword', value: cameraPassword },
          { name: 'cachePath', value: join(dataDirectory, 'cache') },
          { name: 'segmentLength', value: values['segment-length'] },
        ],
      },
    });
    const playback = await BlobPlaybackSource.create(target.connection);
    const port = Number(values.port);
    try {
      http = await startHttpServer(host, { port, playback });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw e;
      io.err(`port ${port} is busy; using a free one`);
      http = await startHttpServer(host, { port: 0, playback });
    }
    await host.instanceActivate(INSTANCE);
    io.out(`viewer: ${http.url}/`);
    io.err(`camera ${camera.url} (Digest auth) → segments of ${values['segment-length']} → cache ${join(dataDirectory, 'cache')} → ${target.description}`);
    io.err('the first segment is uploaded once it closes (one segment length after start); Ctrl-C stops and drains');
    const status = startStatusLine(host, INSTANCE, lines);
    try {
      const why = await waitForStop(values.for !== undefined ? Number(values.for) : undefined);
      lines.line(`${why}: deactivating (uploading what the cache holds)…`);
      await host.instanceDeactivate(INSTANCE);
    } finally {
      status.stop();
    }
  } catch (e) {
    io.err(`demo failed: ${describeError(e)}`);
    code = 1;
  } finally {
    await http?.close();
    await host.close();
    await camera.close();
    await target.close();
  }
  return code;
}
