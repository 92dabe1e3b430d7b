// A long-lived child for the cache-lock race test: on `try <lockPath> <goAtEpochMs>` it
// spins until that instant (so two racers call acquireLock within microseconds of each
// other), tries the lock and prints `won` or `lost <error name>`; on `release` it lets go.
import { createInterface } from 'node:readline';
import { acquireLock } from '../../src/storage/cache/lock.ts';

let release: (() => void) | undefined;
for await (const line of createInterface({ input: process.stdin })) {
  const [command, lockPath, goAt] = line.split(' ');
  if (command === 'try' && lockPath && goAt) {
    const at = Number(goAt);
    const limit = Date.now() + 5000;
    while (Date.now() < at && Date.now() < limit) {
      /* spin: a timer would blur the start by ms */
    }
    try {
      release = acquireLock(lockPath, lockPath);
      process.stdout.write('won\n');
    } catch (e) {
      process.stdout.write(`lost ${e instanceof Error ? e.name : String(e)}\n`);
    }
  } else if (command === 'release') {
    release?.();
    release = undefined;
    process.stdout.write('released\n');
  }
}
