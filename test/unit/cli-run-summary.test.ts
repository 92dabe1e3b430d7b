// `mediagraph run`'s last line when recordings did not all reach the store: it says where the
// rest went (still cached, or evicted as gaps), so a script and a person can act on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notUploadedSummary } from '../../src/control/cli/commands/run.ts';

const counters = (written: number, uploaded: number, evicted: number, storageErrors: number) => ({
  written,
  writtenBytes: 0,
  uploaded,
  evicted,
  storageErrors,
});

test('an outage longer than the cache: most were evicted, a few stay cached', () => {
  assert.equal(
    notUploadedSummary(counters(160, 0, 156, 56)),
    '160 of 160 segment(s) were not uploaded after 56 storage error(s): 4 stay in the local cache and upload at the next run; 156 were evicted from the full cache (recorded as gaps)',
  );
});

test('a short outage: nothing evicted, the rest waits in the cache', () => {
  assert.equal(
    notUploadedSummary(counters(10, 7, 0, 3)),
    '3 of 10 segment(s) were not uploaded after 3 storage error(s): 3 stay in the local cache and upload at the next run',
  );
});

test('everything not uploaded was evicted', () => {
  assert.equal(notUploadedSummary(counters(5, 2, 3, 0)), '3 of 5 segment(s) were not uploaded: 3 were evicted from the full cache (recorded as gaps)');
});

test('segments the cache does not hold are never reported as cached; unwritable ones are named as gaps', () => {
  // Issue: "6 stay in the local cache and upload at the next run" while the cache held 0 MiB.
  assert.equal(
    notUploadedSummary({ ...counters(10, 4, 0, 0), stillCached: 0, notWritten: 3 }),
    '6 of 10 segment(s) were not uploaded: 6 stay on disk outside the cache and are salvaged at the next run; 3 segment(s) could not be written to disk (recorded as gaps)',
  );
  assert.equal(
    notUploadedSummary({ ...counters(8, 8, 0, 0), stillCached: 0, notWritten: 2 }),
    'every segment written was uploaded (8); 2 segment(s) could not be written to disk (recorded as gaps)',
  );
});
