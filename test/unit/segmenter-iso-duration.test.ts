import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseIsoDuration, IsoDurationError } from '../../src/media/segmenter/iso-duration.ts';

test('parseIsoDuration: LVA values and combinations', () => {
  const cases: [string, number][] = [
    ['PT30S', 30_000],
    ['PT5M', 300_000],
    ['PT1M30S', 90_000],
    ['PT1H', 3_600_000],
    ['P1D', 86_400_000],
    ['P1DT1S', 86_401_000],
    ['PT0.5S', 500],
    ['pt2s', 2000],
    ['P1W', 604_800_000],
    ['PT0S', 0],
  ];
  for (const [s, ms] of cases) assert.equal(parseIsoDuration(s), ms, s);
});

test('parseIsoDuration: rejects what is not a fixed-length ISO-8601 duration', () => {
  for (const s of ['', 'P', 'PT', '30S', 'PT30', 'P1M', 'P1Y', 'PT-1S', 'PT1S1M', 'P1DT', 'PT1.S', 'PTS']) {
    assert.throws(() => parseIsoDuration(s), IsoDurationError, s);
  }
});

test('parseIsoDuration: property: H/M/S round-trip', () => {
  fc.assert(
    fc.property(fc.nat(48), fc.nat(59), fc.nat(59), (h, m, s) => {
      assert.equal(parseIsoDuration(`PT${h}H${m}M${s}S`), ((h * 60 + m) * 60 + s) * 1000);
    }),
    { numRuns: 200 },
  );
  fc.assert(
    fc.property(fc.string({ maxLength: 12 }), (s) => {
      try {
        const v = parseIsoDuration(s);
        assert.ok(Number.isFinite(v) && v >= 0);
      } catch (e) {
        assert.ok(e instanceof IsoDurationError);
      }
    }),
    { numRuns: 300 },
  );
});
