export type SdpParseErrorCode = 'too-large' | 'bad-line' | 'bad-version' | 'bad-media' | 'bad-rtpmap' | 'no-media';

export class SdpParseError extends Error {
  override readonly name = 'SdpParseError';
  constructor(
    readonly code: SdpParseErrorCode,
    message: string,
    readonly line?: number,
  ) {
    super(line === undefined ? message : `${message} (line ${line})`);
  }
}
