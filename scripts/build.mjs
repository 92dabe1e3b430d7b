// `npm run build` (and `prepare`, so `npm install` on a clone builds too): compiles src/ into
// dist/ (ESM JavaScript, .d.ts and source maps) and copies the files tsc does not emit (the
// viewer's page). dist/ is made afresh each time, so a deleted source leaves no stale module.
// `--if-possible` (prepare): without TypeScript (an install with --omit=dev) it says so and
// succeeds, rather than failing the whole install.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { cpSync, readdirSync, rmSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');
const dist = join(root, 'dist');

let tsc;
try {
  tsc = createRequire(join(root, 'package.json')).resolve('typescript/bin/tsc');
} catch {
  if (process.argv.includes('--if-possible')) {
    process.stderr.write(
      `mediagraph: dist/ not built: TypeScript (a dev dependency) is not installed${existsSync(dist) ? '; the existing dist/ is kept' : ''}\n`,
    );
    process.exit(0);
  }
  process.stderr.write('mediagraph: cannot build: TypeScript is not installed (npm install without --omit=dev)\n');
  process.exit(1);
}

rmSync(dist, { recursive: true, force: true });
const r = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });
if (r.status !== 0) process.exit(r.status ?? 1);

function copyAssets(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) copyAssets(path);
    else if (!name.endsWith('.ts')) {
      cpSync(path, join(dist, relative(src, path)));
    }
  }
}
copyAssets(src);
