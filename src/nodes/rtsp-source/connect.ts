// One connection attempt as an Observable: a fresh RtspMediaSession per subscription
// (the supervisor resubscribes to reconnect). Unsubscribing stops the session.
import { Observable } from 'rxjs';
import type { MediaMessage } from '../../types/media.ts';
import type { EventBus } from '../../types/events.ts';
import type { NodeMetrics } from '../../types/metrics.ts';
import { RtspMediaSession, type RtspMediaSessionOptions } from '../../media/session/rtsp-media-session.ts';
import { RtspError } from '../../media/rtsp/errors.ts';

export function connectOnce(options: RtspMediaSessionOptions, events: EventBus, metrics: NodeMetrics): Observable<MediaMessage> {
  return new Observable<MediaMessage>((subscriber) => {
    const session = new RtspMediaSession(options, {
      onMessage: (m) => {
        // the session's own End means "this connection is over": the supervisor decides what next
        if (m.kind === 'end') subscriber.complete();
        else {
          if (m.kind === 'sample') {
            metrics.add('mediagraph_samples_total');
            let bytes = 0;
            for (const u of m.units) bytes += u.byteLength;
            metrics.add('mediagraph_received_bytes_total', bytes);
          }
          subscriber.next(m);
        }
      },
      onError: (e) => subscriber.error(e),
      onEvent: (ev) => {
        if (ev.type === 'established') events.emit('MediaSessionEstablished', { sdp: ev.sdp });
        else if (ev.type === 'track-skipped')
          events.emit('MediaFormatError', {
            code: `unsupported${ev.mediaType === 'audio' ? 'Audio' : 'Video'}Format`,
            message: `${ev.mediaType} track ${ev.encoding} is not recorded: ${ev.reason}`,
          });
        else if (ev.type === 'depacketize-errors')
          events.emit('DataDropped', { dataType: 'rtp', count: ev.total, reason: `depacketizer: ${ev.codes.join(', ')}` });
      },
    });
    session.start().catch((e: unknown) => subscriber.error(e));
    return () => {
      void session.stop().catch(() => undefined);
    };
  });
}

/** Emits the LVA diagnostic event that matches an RTSP failure. */
export function reportFailure(error: unknown, events: EventBus, target: string): void {
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof RtspError) {
    switch (error.code) {
      case 'auth-failed':
        if (error.status === 403) events.emit('AuthorizationError', { errorCode: '403', message });
        else events.emit('AuthenticationError', { errorCode: String(error.status ?? 401), message });
        return;
      case 'not-found':
      case 'protocol':
      case 'unsupported':
        events.emit('ProtocolError', { protocol: 'rtsp', errorCode: String(error.status ?? error.code), message, target });
        return;
      default:
        events.emit('NetworkError', { errorCode: error.code, message });
        return;
    }
  }
  events.emit('NetworkError', { errorCode: 'unknown', message });
}
