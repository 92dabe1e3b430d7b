// The error catalog lives in src/types/errors.ts, below graph/ and runtime/, so that validation
// can raise the host's errors without importing the runtime. Kept here for the runtime's callers.
export * from '../types/errors.ts';
