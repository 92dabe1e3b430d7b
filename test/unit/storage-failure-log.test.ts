// An outage is a handful of log lines: the first failure, a summary per interval, the recovery.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StorageFailureLog } from '../../src/nodes/blob-asset-sink/failure-log.ts';
import type { Logger } from '../../src/types/logger.ts';

function recordingLogger(lines: { level: string; msg: string; fields?: Record<string, unknown> }[]): Logger {
  const at = (level: string) => (msg: string, fields?: Record<string, unknown>) => {
    lines.push({ level, msg, ...(fields ? { fields } : {}) });
  };
  const l: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => l };
  return l;
}

test('a day of retries every 10 s logs the first failure, one summary per 5 min, and the recovery', () => {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  let now = 0;
  const log = new StorageFailureLog(recordingLogger(lines), () => now, 300_000);
  log.succeeded(); // nothing failed yet: no line
  assert.equal(lines.length, 0);
  for (let i = 0; i < 8640; i++) {
    log.failed({ code: 'Timeout', message: 'upload-segment exceeded its 10000 ms deadline', willRetry: true });
    now += 10_000;
  }
  log.succeeded();
  assert.equal(lines[0]?.msg, 'storage call failed');
  assert.equal(lines[0]?.fields?.code, 'Timeout');
  const summaries = lines.filter((l) => l.msg === 'storage still failing');
  assert.equal(summaries.length, 287, '24 h / 5 min, less the first interval');
  assert.equal(summaries[0]?.fields?.failuresSinceLastLine, 30);
  assert.equal(summaries.at(-1)?.fields?.failures, 8611);
  const last = lines.at(-1)!;
  assert.equal(last.msg, 'storage reachable again');
  assert.equal(last.fields?.failures, 8640);
  assert.equal(last.fields?.failedForSeconds, 86_400);
  assert.equal(lines.length, 1 + 287 + 1);
});

test('a permanent failure (no retry) is always logged; a new outage starts over', () => {
  const lines: { level: string; msg: string; fields?: Record<string, unknown> }[] = [];
  let now = 0;
  const log = new StorageFailureLog(recordingLogger(lines), () => now, 300_000);
  log.failed({ code: 'AuthenticationFailed', message: 'bad key', willRetry: false });
  now += 1000;
  log.failed({ code: 'AuthenticationFailed', message: 'bad key', willRetry: false });
  assert.equal(lines.filter((l) => l.msg === 'storage call failed').length, 2);
  log.succeeded();
  now += 1000;
  log.failed({ code: 'ECONNREFUSED', message: 'refused', willRetry: true });
  assert.deepEqual(
    lines.map((l) => l.msg),
    ['storage call failed', 'storage call failed', 'storage reachable again', 'storage call failed'],
  );
});
