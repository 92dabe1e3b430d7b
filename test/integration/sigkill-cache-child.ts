// Child process for the SIGKILL trials: adds segments to a cache as fast as it can, takes
// every third one out (as "uploaded", or really uploaded to a blob store when a connection
// is given), and reports each step on stdout only after it returned.
//   node --import tsx sigkill-cache-child.ts <cacheDir> <srcDir> <firstK> <maxBytes> [blobConnection]
import { DurableSegmentCache } from '../../src/storage/cache/index.ts';
import { BlobAssetStore } from '../../src/storage/blob/index.ts';
import { writeSegment } from '../helpers/cache-fixtures.ts';

const [dir, src, firstArg, maxArg, connection] = process.argv.slice(2);
if (!dir || !src || !firstArg || !maxArg) throw new Error('usage: <cacheDir> <srcDir> <firstK> <maxBytes> [blobConnection]');
const out = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

const store = connection ? await BlobAssetStore.create(connection, 'sigkill-asset') : undefined;
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
      if (store) {
        await store.uploadInit(s.init);
        await store.uploadSegment(s);
      }
      await cache.markUploaded(s.id);
      out(`up-done ${s.startWallClockMs}`);
    }
  }
}
