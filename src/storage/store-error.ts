// A failed storage call, whatever the store: a stable code, an HTTP-like status when there is
// one, and a message with no secrets. The uploader retries on it and reports its code.
export class AssetStoreError extends Error {
  override readonly name: string = 'AssetStoreError';
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
  /** Client errors that no retry can fix (bad credentials, forbidden, bad request). */
  get permanent(): boolean {
    return this.statusCode === 400 || this.statusCode === 401 || this.statusCode === 403;
  }
}

/** An asset name the store cannot hold (e.g. not a valid container or folder name). */
export class InvalidAssetNameError extends Error {
  override readonly name: string = 'InvalidAssetNameError';
}
