// Independent tools (ffprobe, ffmpeg, GStreamer's RTSP server) that some tests check against.
// Missing tools skip those tests with a message saying what to install, except under CI
// (MEDIAGRAPH_REQUIRE_TOOLS=1), where a missing tool is a failure, never a silent skip.
import { spawnSync } from 'node:child_process';

const cache = new Map<string, boolean>();

export function hasCommand(command: string, args: readonly string[] = ['-version']): boolean {
  const key = `${command} ${args.join(' ')}`;
  let ok = cache.get(key);
  if (ok === undefined) {
    const r = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
    ok = r.status === 0;
    cache.set(key, ok);
  }
  return ok;
}

export function hasGstRtspServer(): boolean {
  return hasCommand('/usr/bin/python3', ['-c', "import gi; gi.require_version('GstRtspServer','1.0')"]);
}

/**
 * Returns `false` for node:test's `skip` option when the tool is present, a skip message when
 * it is missing, and throws under MEDIAGRAPH_REQUIRE_TOOLS=1 so CI fails instead of skipping.
 */
export function skipUnless(present: boolean, what: string): false | string {
  if (present) return false;
  const message = `${what} not installed (run scripts/install-media-tools.sh)`;
  if (process.env.MEDIAGRAPH_REQUIRE_TOOLS === '1') throw new Error(`required tool missing: ${message}`);
  return message;
}
