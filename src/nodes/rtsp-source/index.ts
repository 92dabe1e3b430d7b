// `#Microsoft.Media.MediaGraphRtspSource`: a real RTSP/RTP client under a supervisor that
// reconnects with capped exponential backoff and jitter, one Discontinuity and one event
// per outage. Credentials never leave the session: events name the URL without userinfo.
import { defer, from } from 'rxjs';
import { defineNode } from '../define-node.ts';
import { checkRtspSource, rtspSourceSchema, TLS_ENDPOINT, type RtspSourceConfig } from './schema.ts';
import { connectOnce, reportFailure } from './connect.ts';
import { supervise } from './reconnect.ts';
import { parseRtspUrl, redactUrl } from '../../media/rtsp/headers/url.ts';
import { tcpReachable } from './reachability.ts';

function truthy(v: unknown): boolean {
  return v === true || (typeof v === 'string' && v.toLowerCase() === 'true');
}

export const rtspSourceNode = defineNode({
  type: '#Microsoft.Media.MediaGraphRtspSource',
  role: 'source',
  description: 'Receives H.264/H.265 video and AAC audio from an RTSP camera (RTP over TCP, UDP or HTTP tunnelling).',
  configSchema: rtspSourceSchema,
  inputs: {},
  output: { kind: 'media' },
  check: (config: RtspSourceConfig, { unresolved }) => checkRtspSource(config, unresolved),
  create: (config: RtspSourceConfig, ctx) => () => {
    const ep = config.endpoint;
    const creds = ep.credentials;
    const target = redactUrl(ep.url);
    // a URL no retry can fix fails activation instead of reconnecting forever
    if (!/^rtsps?:\/\/[^/]/i.test(ep.url)) throw new Error(`endpoint URL must start with rtsp:// or rtsps://, not ${JSON.stringify(target.slice(0, 16))}…`);
    const tls =
      ep['@type'] === TLS_ENDPOINT
        ? {
            ca: ep.trustedCertificates?.certificates ? [...ep.trustedCertificates.certificates] : undefined,
            ignoreHostname: truthy(ep.validationOptions?.ignoreHostname),
            insecure: truthy(ep.validationOptions?.ignoreSignature),
          }
        : undefined;
    const options = {
      url: ep.url,
      // LVA's samples default the credentials to dummy values for open cameras: sending them is harmless
      username: creds?.username || undefined,
      password: creds?.password || undefined,
      transport: (config.transport ?? 'Tcp').toLowerCase() as 'tcp' | 'udp' | 'http',
      ...(tls ? { tls } : {}),
    };
    const peer = ((): { host: string; port: number } | undefined => {
      try {
        return parseRtspUrl(ep.url);
      } catch {
        return undefined;
      }
    })();
    let attempt = 0;
    return supervise(
      () =>
        defer(() => {
          attempt++;
          ctx.logger.info('connecting', { url: target, transport: options.transport, attempt });
          return connectOnce(options, ctx.events, ctx.metrics);
        }),
      {
        scheduler: ctx.scheduler,
        stop$: ctx.stop$,
        classify: (e) => (e instanceof TypeError && /Invalid URL/i.test(e.message) ? 'fatal' : 'retry'),
        // a camera switched back on is recording again within about a second, whatever the backoff
        ...(peer ? { probe: () => defer(() => from(tcpReachable(peer.host, peer.port, 800))), probeIntervalMs: 1000 } : {}),
        onOutage: (o) => {
          reportFailure(o.error, ctx.events, target);
          ctx.metrics.add('mediagraph_reconnects_total');
          ctx.logger.warn('stream lost; reconnecting', { url: target, reason: o.reason, retryInMs: o.retryInMs, attempt: o.attempt });
          ctx.events.emit('StreamDisconnected', { reason: o.reason, retryInMs: o.retryInMs, attempt: o.attempt });
        },
        onRecovered: (outageMs) => ctx.events.emit('StreamReconnected', { outageMs }),
      },
    );
  },
});
