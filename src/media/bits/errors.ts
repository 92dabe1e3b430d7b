// Typed failure for bitstream parsers. Parsers that return a result object wrap this; parsers
// with a plain return type throw only this class, never a RangeError from a bad index.

export type BitstreamErrorCode = 'truncated' | 'invalid' | 'unsupported';

export class BitstreamError extends Error {
  override readonly name = 'BitstreamError';
  constructor(
    readonly code: BitstreamErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function isBitstreamError(e: unknown): e is BitstreamError {
  return e instanceof BitstreamError;
}
