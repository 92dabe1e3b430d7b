// `mediagraph record <rtsp-url> --out <dir> [--segment-length PT10S] [--for <seconds>]`
// RTSP source → segmenter, no host, no cloud: init*.mp4 plus time-named .m4s segments in
// <dir>, one printed line per finished segment. Ctrl-C (or --for) closes the open segment.
import { parseArgs } from 'node:util';
import { resolve } from 'node:path';
import { Subject, lastValueFrom, tap, defaultIfEmpty } from 'rxjs';
import { rtspSourceNode } from '../../../nodes/rtsp-source/index.ts';
import { fmp4SegmenterNode } from '../../../nodes/fmp4-segmenter/index.ts';
import { standaloneContext } from '../../../runtime/standalone-context.ts';
import { Redactor } from '../../../runtime/redact.ts';
import { redactUrl } from '../../../media/rtsp/headers/url.ts';
import type { CliIo } from '../io.ts';
import { resolveSecret, SECRET_ENV } from '../secret-inputs.ts';

export async function recordCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      out: { type: 'string' },
      'segment-length': { type: 'string', default: 'PT10S' },
      for: { type: 'string' },
      transport: { type: 'string', default: 'tcp' },
      username: { type: 'string' },
      password: { type: 'string' },
      'password-file': { type: 'string' },
    },
  });
  const url = positionals[0];
  if (!url || !values.out) {
    io.err('usage: mediagraph record <rtsp-url> --out <dir> [--segment-length PT10S] [--for <seconds>] [--transport tcp|udp|http]');
    return 2;
  }
  const password = await resolveSecret(
    { option: 'password', value: values.password, file: values['password-file'], envVar: SECRET_ENV.rtspPassword },
    process.env,
    io.err,
  );
  const redactor = new Redactor();
  redactor.add(password);
  try {
    redactor.add(decodeURIComponent(new URL(url).password));
  } catch {
    /* not a URL: the source reports it */
  }
  const stop$ = new Subject<void>();
  const services = { dataDirectory: resolve(values.out) };
  const transport = ({ tcp: 'Tcp', udp: 'Udp', http: 'Http' } as const)[values.transport.toLowerCase() as 'tcp'] ?? 'Tcp';
  if (!/^rtsps?:\/\//i.test(url)) {
    io.err(`record: ${redactUrl(url)} is not an rtsp:// or rtsps:// URL`);
    return 2;
  }
  const source = rtspSourceNode.create!(
    {
      '@type': rtspSourceNode.type,
      name: 'source',
      transport,
      endpoint: {
        '@type': url.startsWith('rtsps:') ? '#Microsoft.Media.MediaGraphTlsEndpoint' : '#Microsoft.Media.MediaGraphUnsecuredEndpoint',
        url,
        ...(values.username
          ? { credentials: { '@type': '#Microsoft.Media.MediaGraphUsernamePasswordCredentials', username: values.username, password: password ?? '' } }
          : {}),
      },
    },
    standaloneContext({
      nodeName: 'source',
      logLevel: 'error',
      stop$,
      services,
      redactor,
      onEvent: (type, body) => {
        if (
          type === 'StreamDisconnected' ||
          type === 'AuthenticationError' ||
          type === 'ProtocolError' ||
          type === 'NetworkError' ||
          type === 'MediaFormatError'
        )
          io.err(redactor.text(`${type}: ${JSON.stringify(body)}`));
      },
    }),
  );
  let segmenter;
  try {
    segmenter = fmp4SegmenterNode.create!(
      { '@type': fmp4SegmenterNode.type, name: 'segmenter', segmentLength: values['segment-length'], outputDirectoryPath: resolve(values.out) },
      standaloneContext({ nodeName: 'segmenter', stop$, services, redactor }),
    );
  } catch (e) {
    io.err(`record: ${e instanceof Error ? e.message : String(e)}`);
    return 2;
  }
  io.err(`recording ${redactUrl(url)} into ${resolve(values.out)} (segments of ${values['segment-length']}); Ctrl-C to stop`);
  const stop = () => stop$.next();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const seconds = values.for !== undefined ? Number(values.for) : undefined;
  const timer = seconds !== undefined && Number.isFinite(seconds) ? setTimeout(stop, seconds * 1000) : undefined;
  let count = 0;
  try {
    await lastValueFrom(
      segmenter({ media: source({}) }).pipe(
        tap((s) => {
          if (s.kind === 'gap') {
            io.err(`lost ${new Date(s.startWallClockMs).toISOString()} – ${new Date(s.endWallClockMs).toISOString()}: ${s.reason}`);
            return;
          }
          count++;
          io.out(
            `${s.path}\t${(s.mediaDurationMs / 1000).toFixed(3)} s\t${s.byteSize} bytes\t${new Date(s.startWallClockMs).toISOString()}\t${s.tracks.map((t) => `${t.codecString}×${t.sampleCount}`).join(' ')}`,
          );
        }),
        defaultIfEmpty(undefined),
      ),
    );
  } catch (e) {
    io.err(redactor.text(`record failed: ${e instanceof Error ? e.message : String(e)}`));
    return 1;
  } finally {
    if (timer) clearTimeout(timer);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
  io.err(`${count} segment(s) written`);
  return count > 0 ? 0 : 1;
}
