// Child process for the SIGKILL trials: adds segments to a cache as fast as it can, takes
// every third one out as "uploaded", and reports each step on stdout only after it returned.
//   node --import tsx sigkill-cache-child.ts <cacheDir> <srcDir> <firstK> <maxBytes>
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { writeSegment } from '../helpers/cache-fixtures.ts';

const [dir, src, firstArg, maxArg] = process.argv.slice(2);
if (!dir || !src || !firstArg || !maxArg) throw new Error('usage: <cacheDir> <srcDir> <firstK> <maxBytes>');
const out = (line: string): void => { process.stdout.write(`${line}\n`); };

const cache = await DurableSegmentCache.open(dir, { maxBytes: Number(maxArg) });
out('ready');
for (let k = Number(firstArg); ; k++) {
  const size = 500 + ((k * 7919) % 2500);
  const r = await cache.add(writeSegment(src, k, { size }));
  out(`${r.accepted ? 'ack' : 'dropped'} ${k}`);
  if (k % 3 === 0) {
    const s = await cache.nextPending();
    if (s) {
      out(`up-begin ${s.startWallClockMs}`);
      await cache.markUploaded(s.id);
      out(`up-done ${s.startWallClockMs}`);
    }
  }
}
