// Keeps bench/outage-rss.ts honest in `npm test`: ~22 s of a real `mediagraph run` recording a
// simulated camera at 20× (the 360p file, ~1.4 MiB per 30 s segment) into a 4 MiB cache while
// its Blob Storage endpoint is a blackhole, then a refused port. Media must be evicted on disk
// with gaps recorded, the cache must stay within its bound, nothing may be uploaded, and the
// recorder's RSS must not climb after the warm-up.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { DEFAULT_OPTIONS, runOutageRss, slope } from '../../bench/outage-rss.ts';
import { startDeadUplink } from '../../bench/lib/dead-uplink.ts';
import { fixturePath } from '../helpers/fixtures.ts';

const MIB = 1024 * 1024;

test('slope is the least-squares slope', () => {
  assert.equal(slope([0, 1, 2, 3], [5, 7, 9, 11]), 2);
  assert.equal(slope([0, 1, 2, 3], [1, 0, 1, 0]), -0.2);
  assert.equal(slope([1], [1]), 0);
});

test('the dead uplink blackholes, then refuses, on the same port', { timeout: 10_000 }, async (t) => {
  const uplink = await startDeadUplink('blackhole');
  t.after(() => uplink.close());
  // blackhole: the connection opens, the request is read, no byte ever comes back
  const answered = await new Promise<boolean>((resolve, reject) => {
    const s = connect(uplink.port, '127.0.0.1', () => s.write('PUT /x HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello'));
    s.on('data', () => {
      s.destroy();
      resolve(true);
    });
    s.on('error', reject);
    setTimeout(() => {
      s.destroy();
      resolve(false);
    }, 500);
  });
  assert.equal(answered, false);
  assert.equal(uplink.stats().connections, 1);
  assert.ok(uplink.stats().bytesReceived > 40, `bytes ${uplink.stats().bytesReceived}`);
  await uplink.mode('refuse');
  const code = await new Promise<string | undefined>((resolve) => {
    const s = connect(uplink.port, '127.0.0.1', () => {
      s.destroy();
      resolve(undefined);
    });
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code));
  });
  assert.equal(code, 'ECONNREFUSED');
  await uplink.mode('blackhole');
  await new Promise<void>((resolve, reject) => {
    const s = connect(uplink.port, '127.0.0.1', () => {
      s.destroy();
      resolve();
    });
    s.on('error', reject);
  });
  assert.equal(uplink.stats().connections, 2);
});

test('outage-rss: during a dead uplink the recorder evicts on disk and its memory stays flat', { timeout: 60_000 }, async (t) => {
  const cacheMiB = 4;
  const r = await runOutageRss({
    ...DEFAULT_OPTIONS,
    seconds: 22,
    speed: 20,
    cacheMiB,
    file: fixturePath('h264-360p-aac'),
    warmupCacheFills: 1,
    warmupMinSec: 8,
    warmupMaxSec: 12,
    refuseFraction: 0.3,
    stop: 'kill',
  });
  t.diagnostic(
    `RSS ${r.rssStartMiB.toFixed(1)} → max ${r.rssMaxMiB.toFixed(1)} → ${r.rssEndMiB.toFixed(1)} MiB after ${r.warmupSeconds.toFixed(0)} s; ${r.segmentsWritten} written, ${r.segmentsEvicted} evicted, cache ${(r.cacheBytesMinInWindow / MIB).toFixed(1)}–${(r.cacheBytesMax / MIB).toFixed(1)} MiB, ${r.uplink.connections} uplink connections, stderr ${r.recorder.stderr.lines} lines`,
  );
  const why = JSON.stringify({ ...r, samples: r.samples.map((s) => [Math.round(s.t), Math.round(s.rssMiB)]) });
  // the recorder ran the whole time; the uplink was tried and never answered
  assert.equal(r.recorder.aliveAtEnd, true, why);
  assert.ok(r.uplink.connections >= 1, why);
  assert.equal(r.segmentsUploaded, 0, why);
  assert.equal(r.statusCounters?.uploaded, 0, why);
  assert.ok(r.recorder.stderr.logLines['warn: storage call failed (Timeout)']! >= 1, why);
  // ~22 s × 20 = ~440 s of media: ~14 segments of 30 s, of which the cache holds two
  assert.ok(r.segmentsWritten >= 8, why);
  assert.ok(r.segmentsEvicted >= 5, why);
  assert.ok(r.mediaHoursTotal * 3600 >= 240, why);
  // data waits on disk, within the bound, and every eviction is a recorded gap
  assert.ok(r.cacheBytesMax <= cacheMiB * MIB && r.cacheBytesAtEnd <= cacheMiB * MIB, why);
  assert.ok(r.cacheBytesMinInWindow >= MIB, why);
  assert.equal(r.cacheSegmentsAtEnd + r.segmentsEvicted, r.segmentsWritten, why);
  // Gaps are dated by the wall clock, and the camera plays 20× fast: a 30 s segment spans 1.5 s of clock time.
  const gapSeconds = r.gaps.filter((g) => g.reason === 'evicted').reduce((a, g) => a + g.wallSeconds, 0);
  assert.ok(gapSeconds >= (r.segmentsEvicted * 25) / 20, `gaps cover ${gapSeconds} s for ${r.segmentsEvicted} evicted segments; ${why}`);
  // one hole, one gap: at most split by the segment an upload attempt holds at the end
  assert.ok(r.gaps.length >= 1 && r.gaps.length <= 2, `${r.gaps.length} pending gaps; ${why}`);
  // both phases ran, and memory did not climb after the warm-up (generous: a short window)
  assert.deepEqual(
    r.phases.map((p) => p.phase),
    ['warmup', 'blackhole', 'refuse'],
    why,
  );
  assert.ok(r.samples.length >= 18, why);
  assert.ok(r.growthMiB < 30, `RSS grew ${r.growthMiB.toFixed(1)} MiB after the warm-up; ${why}`);
});
