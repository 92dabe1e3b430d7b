#!/usr/bin/env -S node --initial-old-space-size=64
// Entry point for `npx mediagraph`: runs the compiled CLI in dist/ (built by `npm run build`,
// and by `npm install` on a clone through `prepare`). In a source checkout,
// MEDIAGRAPH_FROM_SOURCE=1 runs src/ through tsx instead (the test runner sets it, so tests
// never run a stale build), as does a checkout whose dist/ was never built.
// A 64 MB initial old space halves the full garbage collections of a recorder holding many
// streams (bench/rtsp-ingest: ~6 → ~4 ms CPU per stream-second).
import { existsSync } from 'node:fs';

const compiled = new URL('../dist/control/cli/main.js', import.meta.url);
const source = new URL('../src/control/cli/main.ts', import.meta.url);
const fromSource = existsSync(source) && (process.env.MEDIAGRAPH_FROM_SOURCE === '1' || !existsSync(compiled));
let cli;
if (fromSource) {
  const { register } = await import('tsx/esm/api');
  register();
  cli = await import(source.href);
} else {
  cli = await import(compiled.href);
}
process.exitCode = await cli.main(process.argv.slice(2));
