#!/usr/bin/env node
// Entry point for `npx mediagraph`: runs the TypeScript CLI through tsx's loader, so users
// need no build step.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('../src/control/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
