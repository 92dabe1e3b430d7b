// Runs every *.test.ts under test/ and examples/ with node's test runner through tsx.
// Node 20's --test does not expand globs itself, so the file list is built here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
let files = roots.flatMap((r) => { try { return find(r, []); } catch { return []; } }).sort();
if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)));
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-timeout=120000', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
