// `mediagraph sim-camera [--port 8554] [--path /camera] [--file <mp4>] [--speed 1] [--username u --password-file f]`
// A simulated RTSP camera on loopback, looping a file: what the tour's examples record when no
// real camera is at hand (examples/cvr-asset/instance.json points at rtsp://127.0.0.1:8554/camera).
import { parseArgs } from 'node:util';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSimulatedCamera } from '../../../testing/sim-camera/index.ts';
import { waitForStop } from './run.ts';
import type { CliIo } from '../io.ts';
import { resolveSecret, SECRET_ENV } from '../secret-inputs.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

export async function simCameraCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      port: { type: 'string', default: '8554' },
      path: { type: 'string', default: '/camera' },
      file: { type: 'string', default: join(root, 'test/fixtures/media/h264-main-aac.mp4') },
      speed: { type: 'string', default: '1' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
      for: { type: 'string' },
    },
  });
  const port = Number(values.port);
  const speed = Number(values.speed);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    io.err(`--port must be 0..65535, not ${values.port}`);
    return 2;
  }
  if (!(speed > 0)) {
    io.err(`--speed must be a positive number, not ${values.speed}`);
    return 2;
  }
  const password = await resolveSecret(
    { option: 'password', value: values.password, file: values['password-file'], envVar: SECRET_ENV.rtspPassword },
    process.env,
    io.err,
  );
  if ((values.username === undefined) !== (password === undefined)) {
    io.err('give both --username and a password (--password-file or MEDIAGRAPH_RTSP_PASSWORD), or neither');
    return 2;
  }
  const path = values.path.startsWith('/') ? values.path : `/${values.path}`;
  let camera;
  try {
    camera = await startSimulatedCamera({
      file: values.file,
      port,
      speed,
      path,
      ...(values.username !== undefined && password !== undefined ? { auth: { username: values.username, password, scheme: 'digest' as const } } : {}),
    });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    io.err(code === 'EADDRINUSE' ? `port ${port} is in use: is another camera running? (--port)` : `sim-camera: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  io.out(`camera: ${camera.url}${values.username !== undefined ? ' (Digest auth)' : ''}`);
  io.err(`looping ${values.file} at ${speed}× real time; Ctrl-C to stop`);
  const why = await waitForStop(values.for !== undefined ? Number(values.for) : undefined);
  io.err(`${why}: stopping the camera`);
  await camera.close();
  return 0;
}
