#!/usr/bin/env -S node --initial-old-space-size=64
// Entry point for `npx mediagraph`: runs the TypeScript CLI through tsx's loader, so users
// need no build step. A 64 MB initial old space halves the full garbage collections of a
// recorder holding many streams (bench/rtsp-ingest: ~6 → ~4 ms CPU per stream-second).
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/control/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
