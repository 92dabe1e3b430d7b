// Starts test/helpers/gst-rtsp-server.py (GStreamer's RTSP server) on a free port and
// waits for its URL. The process is killed by its pid on close().
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export interface GstRtspServerHandle {
  /** `rtsp://127.0.0.1:<port>` without a path: /h264-aac, /h265 (and /pattern with x264enc). */
  readonly baseUrl: string;
  /** Base URL of the port requiring Basic auth: /secure. */
  readonly authBaseUrl: string;
  readonly username: string;
  readonly password: string;
  close(): Promise<void>;
}

export async function startGstRtspServer(opts: { username?: string; password?: string; timeoutMs?: number } = {}): Promise<GstRtspServerHandle> {
  const username = opts.username ?? 'user';
  const password = opts.password ?? 'secret';
  const script = fileURLToPath(new URL('./gst-rtsp-server.py', import.meta.url));
  const child = spawn('/usr/bin/python3', [script, '--port', '0', '--user', username, '--password', password], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const [baseUrl, authBaseUrl] = await new Promise<[string, string]>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`GStreamer RTSP server did not start: ${stderr}`));
    }, opts.timeoutMs ?? 15_000);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const m = /READY (rtsp:\/\/\S+) (rtsp:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve([m[1] as string, m[2] as string]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`GStreamer RTSP server exited (${code}): ${stderr}`));
    });
  });
  return {
    baseUrl,
    authBaseUrl,
    username,
    password,
    async close() {
      if (child.exitCode === null) child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await exited;
      clearTimeout(t);
    },
  };
}
