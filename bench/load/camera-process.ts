// The load generator, run as its own process (forked with IPC) so its CPU is measured apart
// from the recorders': one RTSP server whose single live stream any number of clients play.
// Kind 'sim' is the project's simulated camera (demux once, packetize each frame once for all
// clients, paced by timers). Measured at ~3.5 ms CPU per client-second (7% of a core for
// 20 × 4.3 Mbit/s), it is cheap enough that no pre-packetized replay generator was needed.
// Parent → child: { cmd: 'stats' } | { cmd: 'close' }. Child → parent: LoadReady, LoadStats.
import { startSimulatedCamera } from '../../src/testing/sim-camera/index.ts';
import { ensureMediaFile, fixtureLocation } from '../../scripts/fixtures/cache.ts';

export type LoadKind = 'sim';

export interface LoadReady {
  readonly type: 'ready';
  readonly url: string;
  readonly kind: LoadKind;
}
export interface LoadStats {
  readonly type: 'stats';
  readonly rtpPackets: number;
  /** Packets the server dropped because a client's socket queue was over its bound. */
  readonly droppedPackets: number;
  readonly clients: number;
}

interface Camera {
  readonly url: string;
  stats(): Omit<LoadStats, 'type'>;
  close(): Promise<void>;
}

const args = process.argv.slice(2);
const opt = (name: string, dflt: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined ? (args[i + 1] as string) : dflt;
};
const kind = opt('kind', 'sim') as LoadKind;
const file = ensureMediaFile(opt('file', fixtureLocation('h264-1080p-aac')));
const speed = Number(opt('speed', '1'));

async function start(): Promise<Camera> {
  if (kind !== 'sim') throw new Error(`unknown load generator ${String(kind)}`);
  const cam = await startSimulatedCamera({ file, speed, path: '/live' });
  return {
    url: cam.url,
    stats: () => ({ rtpPackets: cam.stats.rtpPackets, droppedPackets: cam.server.stats.droppedPackets, clients: cam.stats.clients }),
    close: () => cam.close(),
  };
}

const camera = await start();
// the camera's timers are unref'd: the IPC channel keeps this process alive until 'close'
process.send?.({ type: 'ready', url: camera.url, kind } satisfies LoadReady);
process.on('message', (m: { cmd?: string }) => {
  if (m.cmd === 'stats') process.send?.({ type: 'stats', ...camera.stats() } satisfies LoadStats);
  else if (m.cmd === 'close') void camera.close().finally(() => process.exit(0));
});
process.on('disconnect', () => void camera.close().finally(() => process.exit(0)));
