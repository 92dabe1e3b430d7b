// Runs every *.test.ts under test/ and examples/ with node's test runner through tsx.
// Node 20's --test does not expand globs itself, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

function find(dir, out) {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) find(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const filter = process.argv.slice(2);
const roots = ['test', 'examples'];
let files = roots
  .flatMap((r) => {
    try {
      return find(r, []);
    } catch {
      return [];
    }
  })
  .sort();
if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)));
// A full run makes the generated media fixtures first (once; cached in .cache/fixtures/), so
// no test pays for an encode inside its own time limit. Filtered runs generate on first use.
if (!filter.length) {
  spawnSync(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('make-fixtures.ts', import.meta.url)), '--if-ffmpeg'], { stdio: 'inherit' });
}
// Two test files at a time: most of a file's wall time is spent waiting (a camera at real
// speed, timers, child processes), and a sequential run used ~0.6 of a core on this 2-core
// machine. MEDIAGRAPH_TEST_CONCURRENCY=1 runs them one by one.
const concurrency = Number.parseInt(process.env.MEDIAGRAPH_TEST_CONCURRENCY ?? '2', 10) || 1;
// Tests run the sources: `mediagraph` imports (the examples') resolve to src/ through the
// `mediagraph-source` export condition, and bin/mediagraph.js runs src/ too, never a stale dist/.
process.env.MEDIAGRAPH_FROM_SOURCE = '1';
const r = spawnSync(
  process.execPath,
  ['--conditions=mediagraph-source', '--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-timeout=120000', ...files],
  { stdio: 'inherit' },
);
process.exit(r.status ?? 1);
