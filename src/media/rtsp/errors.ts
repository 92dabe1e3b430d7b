// Typed errors of the RTSP layer. `code` values are stable; messages never carry secrets.

export type RtspParseErrorCode =
  | 'header-too-large'
  | 'body-too-large'
  | 'bad-start-line'
  | 'bad-header'
  | 'bad-content-length'
  | 'bad-transport'
  | 'bad-session'
  | 'bad-auth-header'
  | 'bad-rtp-info';

export class RtspParseError extends Error {
  override readonly name = 'RtspParseError';
  constructor(
    readonly code: RtspParseErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** Why an RTSP session failed, in the categories a supervisor acts on. */
export type RtspErrorCode =
  | 'auth-failed' // 401 after our credentials, or 403
  | 'not-found' // 404
  | 'unreachable' // connect refused, DNS, TLS, reset before a session
  | 'timeout' // a request without an answer before its deadline
  | 'media-timeout' // the session stays up but no RTP arrives
  | 'protocol' // malformed or unexpected answers, too many redirects, server closed
  | 'unsupported' // no usable track, unsupported transport or auth scheme
  | 'closed'; // stopped by us

export class RtspError extends Error {
  override readonly name = 'RtspError';
  constructor(
    readonly code: RtspErrorCode,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}
