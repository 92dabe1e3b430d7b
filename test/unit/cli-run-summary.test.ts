// `mediagraph run`'s last line when recordings did not all reach the store: it says where the
// rest went (still cached, or evicted as gaps), so a script and a person can act on it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { notUploadedSummary } from '../../src/control/cli/commands/run.ts';

const counters = (written: number, uploaded: number, evicted: number, storageErrors: number) => ({ written, writtenBytes: 0, uploaded, evicted, storageErrors });

test('an outage longer than the cache: most were evicted, a few stay cached', () => {
  assert.equal(notUploadedSummary(counters(160, 0, 156, 56)),
    '160 of 160 segment(s) were not uploaded after 56 storage error(s): 4 stay in the local cache and upload at the next run; 156 were evicted from the full cache (recorded as gaps)');
});

test('a short outage: nothing evicted, the rest waits in the cache', () => {
  assert.equal(notUploadedSummary(counters(10, 7, 0, 3)), '3 of 10 segment(s) were not uploaded after 3 storage error(s): 3 stay in the local cache and upload at the next run');
});

test('everything not uploaded was evicted', () => {
  assert.equal(notUploadedSummary(counters(5, 2, 3, 0)), '3 of 5 segment(s) were not uploaded: 3 were evicted from the full cache (recorded as gaps)');
});
