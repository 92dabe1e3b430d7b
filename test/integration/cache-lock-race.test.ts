// The cache lock under the two conditions a deployment meets: a stale lock left by a crash
// while two processes start at once (exactly one may win), and a lock left by an earlier
// incarnation with the same pid (PID 1 of a restarted container) or by a recycled pid.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { Worker } from 'node:worker_threads';
import { acquireLock, CacheLockedError, selfIdentity } from '../../src/storage/cache/lock.ts';

// 30 here keeps `npm test` short; MEDIAGRAPH_LOCK_TRIALS=200 for a longer run (docs/reliability.md)
const TRIALS = Number(process.env['MEDIAGRAPH_LOCK_TRIALS'] ?? 30);

interface Racer {
  readonly child: ChildProcessByStdio<Writable, Readable, null>;
  next(): Promise<string>;
}

function startRacer(): Racer {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/helpers/lock-racer.ts'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines: string[] = [];
  const waiting: ((l: string) => void)[] = [];
  createInterface({ input: child.stdout }).on('line', (l) => {
    const w = waiting.shift();
    if (w) w(l);
    else lines.push(l);
  });
  return {
    child,
    next: () =>
      new Promise<string>((resolve, reject) => {
        const l = lines.shift();
        if (l !== undefined) {
          resolve(l);
          return;
        }
        const timer = setTimeout(() => reject(new Error('racer did not answer within 15 s')), 15_000);
        waiting.push((x) => {
          clearTimeout(timer);
          resolve(x);
        });
      }),
  };
}

async function deadPid(): Promise<number> {
  const dead = spawn(process.execPath, ['-e', '']);
  await new Promise((r) => dead.once('exit', r));
  return dead.pid!;
}

test(`a stale lock and two processes starting at once: exactly one wins, ${TRIALS} of ${TRIALS} trials`, async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-lock-race-'));
  const racers = [startRacer(), startRacer()];
  t.after(() => {
    for (const r of racers) r.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
  const dead = await deadPid();
  const me = selfIdentity();
  const outcomes: string[] = [];
  for (let i = 0; i < TRIALS; i++) {
    const lockPath = join(root, `lock-${i}`);
    // the stale lock a crash leaves: the single-file form of earlier versions, or a claim
    if (i % 2 === 0) writeFileSync(lockPath, `${dead}\n`);
    else {
      mkdirSync(lockPath);
      writeFileSync(join(lockPath, `claim-${dead}-stale`), JSON.stringify({ pid: dead, start: '1', boot: me.boot }));
    }
    const goAt = Date.now() + 60;
    for (const r of racers) r.child.stdin.write(`try ${lockPath} ${goAt}\n`);
    const results = await Promise.all(racers.map((r) => r.next()));
    const winners = results.filter((r) => r === 'won').length;
    outcomes.push(results.join('/'));
    for (const r of racers) r.child.stdin.write('release\n');
    await Promise.all(racers.map((r) => r.next()));
    assert.equal(winners, 1, `trial ${i}: ${results.join(', ')}`);
    assert.ok(
      results.every((r) => r === 'won' || r === 'lost CacheLockedError'),
      results.join(', '),
    );
  }
});

test('a lock left by an earlier process with the same pid (PID 1 of a restarted container) is stale', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-lock-pid-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  // the single-file form holding our own pid: earlier versions refused with "in use by process <own pid>"
  const single = join(root, 'single');
  writeFileSync(single, `${process.pid}\n`);
  acquireLock(single, root)();
  // a claim with our pid but another start time: an earlier incarnation
  const claims = join(root, 'claims');
  mkdirSync(claims);
  const me = selfIdentity();
  writeFileSync(join(claims, `claim-${process.pid}-old`), JSON.stringify({ pid: process.pid, start: '1', boot: me.boot }));
  // and a recycled pid: a live process (this one's parent) whose start time is not the claim's
  writeFileSync(join(claims, `claim-${process.ppid}-old`), JSON.stringify({ pid: process.ppid, start: '2', boot: me.boot }));
  // and any pid from before a reboot
  writeFileSync(join(claims, `claim-${process.ppid}-boot`), JSON.stringify({ pid: process.ppid, boot: 'another-boot' }));
  const release = acquireLock(claims, root);
  assert.deepEqual(readdirSync(claims).length, 1);
  assert.throws(() => acquireLock(claims, root), CacheLockedError, 'a second open in this process');
  release();
  assert.equal(existsSync(claims), false, 'released: claim and emptied folder gone');
});

test('a cache held by a live process: a clear one-line error naming it', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-lock-live-'));
  const racer = startRacer();
  t.after(() => {
    racer.child.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
  const lockPath = join(root, 'lock');
  racer.child.stdin.write(`try ${lockPath} 0\n`);
  assert.equal(await racer.next(), 'won');
  const started = Date.now();
  assert.throws(
    () => acquireLock(lockPath, root),
    (e: unknown) => e instanceof CacheLockedError && e.ownerPid === racer.child.pid && !e.message.includes('\n'),
  );
  assert.ok(Date.now() - started < 1000, 'a newcomer gives up within a second');
});

test('another worker thread of this process holding the lock is a live holder', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'mg-lock-thread-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const lockPath = join(root, 'lock');
  const lockModule = new URL('../../src/storage/cache/lock.ts', import.meta.url).href;
  // the worker loads TypeScript through tsx's API (loader hooks are per thread)
  const code = `import('tsx/esm/api').then((api) => { api.register(); return import(${JSON.stringify(lockModule)}); }).then((m) => { m.acquireLock(${JSON.stringify(lockPath)}, 'x'); require('node:worker_threads').parentPort.postMessage('held'); });`;
  const worker = new Worker(code, { eval: true });
  t.after(() => worker.terminate());
  assert.equal(
    await new Promise((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    }),
    'held',
  );
  assert.throws(() => acquireLock(lockPath, root), CacheLockedError);
});
