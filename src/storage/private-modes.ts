// Modes of everything written under the data folder: recordings and their journals are the
// user's private data, like the instance definitions (which hold credentials). The process
// umask can only remove bits from these, so the result never exceeds them.
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;
