// Media clips for tests, benches and fault scenarios. The table is scripts/fixtures/recipes.ts:
//   committed:  h264-main-aac, h265-main        (test/fixtures/media/, 4 s 320x180)
//   generated:  h264-360p-aac, h265-360p, h264-1080p-aac   (10 s, GOP 50; ffmpeg on first use,
//               cached in .cache/fixtures/, safe when several test processes ask at once)
//               h264-recovery-points, h264-open-gop, h265-cra   (26+ s, random access without IDR: non-IDR
//               I frames with a recovery point SEI; CRA + RASL)
// Usage:
//   const file = fixturePath('h264-360p-aac');            // absolute path; generates if needed
//   test('…', { skip: fixtureSkip('h265-360p') }, () => …) // skips without ffmpeg; CI fails instead
// Names may carry `.mp4`. Never point a test at a file outside the repository.
import { ensureFixture, fixtureName, FixtureUnavailableError } from '../../scripts/fixtures/cache.ts';
import { skipUnless } from './tools.ts';

export type { FixtureName } from '../../scripts/fixtures/recipes.ts';

/** Absolute path of the clip; generated clips are made on first use (throws if ffmpeg cannot). */
export function fixturePath(name: string): string {
  return ensureFixture(name);
}

/** Whether the clip is there or could be made now (making it if so). */
export function fixtureAvailable(name: string): boolean {
  try {
    ensureFixture(name);
    return true;
  } catch (e) {
    if (e instanceof FixtureUnavailableError) return false;
    throw e;
  }
}

/**
 * For node:test's `skip` option: `false` when the clip is available, else a message naming
 * what to install; under MEDIAGRAPH_REQUIRE_TOOLS=1 a missing clip is an error, not a skip.
 */
export function fixtureSkip(name: string): false | string {
  return skipUnless(fixtureAvailable(name), `ffmpeg (to generate ${fixtureName(name)}.mp4)`);
}
