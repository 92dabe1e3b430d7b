// Child process for the camera-lost SIGKILL test: records two segments, a camera outage and a
// segment after it into a cache, says so on stdout, and waits to be killed.
//   node --import tsx gap-journal-child.ts <cacheDir> <srcDir>
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { writeSegment } from '../helpers/cache-fixtures.ts';

const [dir, src] = process.argv.slice(2);
if (!dir || !src) throw new Error('usage: <cacheDir> <srcDir>');
const cache = await DurableSegmentCache.open(dir, { maxBytes: 1 << 20 });
await cache.add(writeSegment(src, 0));
await cache.add(writeSegment(src, 1));
await cache.add({ ...writeSegment(src, 5), afterDiscontinuity: true }); // the camera was gone from 2 s to 5 s
process.stdout.write('recorded\n');
setInterval(() => {}, 60_000); // until SIGKILL
