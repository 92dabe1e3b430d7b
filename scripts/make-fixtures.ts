// Generates the media fixtures that are not committed (see scripts/fixtures/recipes.ts) into
// .cache/fixtures/, or only the named ones. Tests and benches generate what they need on first
// use anyway; this makes it happen up front (the test runner calls it before a full run).
//   node --import tsx scripts/make-fixtures.ts [name...] [--if-ffmpeg]
// --if-ffmpeg: without ffmpeg, say so and exit 0 (tests that need a clip then skip, or fail
// under MEDIAGRAPH_REQUIRE_TOOLS=1).
import { statSync } from 'node:fs';
import { FIXTURES } from './fixtures/recipes.ts';
import { ensureFixture, FixtureUnavailableError } from './fixtures/cache.ts';
import { repoRelative } from './repo-paths.ts';

const args = process.argv.slice(2);
const lenient = args.includes('--if-ffmpeg');
const named = args.filter((a) => !a.startsWith('--'));
const names =
  named.length > 0
    ? named
    : Object.entries(FIXTURES)
        .filter(([, r]) => r.kind === 'generated')
        .map(([n]) => n);

try {
  for (const name of names) {
    const path = ensureFixture(name);
    if (named.length > 0) console.log(`${repoRelative(path)} (${(statSync(path).size / 1024).toFixed(0)} KiB)`);
  }
} catch (e) {
  if (e instanceof FixtureUnavailableError && lenient) {
    console.error(`note: ${e.message}; tests that play it will be skipped`);
  } else {
    console.error(`make-fixtures: ${e instanceof Error ? e.message : String(e)}`);
    process.exit(1);
  }
}
