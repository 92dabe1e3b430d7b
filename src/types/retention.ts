// Retention as nodes and the host share it: which asset, where, and how much of it to keep.

/** How much of an asset to keep: by age and/or bytes; the oldest goes first. */
export interface RetentionPolicy {
  /** Media older than this (by its end) is deleted. */
  readonly maxAgeMs?: number;
  /** The oldest media is deleted until the asset's segments fit in this. */
  readonly maxBytes?: number;
}

/** An asset whose media is deleted by a policy (docs/site.md, Retention). */
export interface RetentionRegistration {
  /** Where the asset lives, as an asset sink opens it (a Blob connection or `file:<folder>`). */
  readonly location: string;
  readonly assetName: string;
  readonly policy: RetentionPolicy;
}

export interface RetentionService {
  /** Applies `policy` to the asset until the returned function is called. */
  register(entry: RetentionRegistration): () => void;
}
