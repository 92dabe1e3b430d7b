// The lease balance rules (src/fleet/lease-balance.ts) and the fence clock, without a store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { balanceRound, fairShare, type BalanceInput } from '../../src/fleet/lease-balance.ts';
import { LeaseClock } from '../../src/fleet/lease-fence.ts';

const names = (n: number): string[] => Array.from({ length: n }, (_, i) => `cam${i + 1}`);

function input(over: Partial<BalanceInput>): BalanceInput {
  return {
    capacity: 100,
    desired: names(12),
    leased: new Set(),
    owned: [],
    liveHosts: 3,
    coolingDown: new Set(),
    unownedForMs: () => 0,
    strandedAfterMs: 15_000,
    maxReleasesPerRound: 2,
    ...over,
  };
}

test('fair share is instances over hosts, rounded up', () => {
  assert.equal(fairShare(12, 3), 4);
  assert.equal(fairShare(13, 3), 5);
  assert.equal(fairShare(12, 0), 12);
});

test('a host with spare capacity takes unowned instances up to its fair share, longest unowned first', () => {
  const d = balanceRound(input({ unownedForMs: (n) => (n === 'cam9' ? 5000 : 0) }));
  assert.equal(d.take.length, 4);
  assert.equal(d.take[0], 'cam9');
  assert.deepEqual(d.release, []);
});

test('the capacity bounds what a host takes', () => {
  assert.equal(balanceRound(input({ capacity: 2 })).take.length, 2);
});

test('an instance unowned past the stranded time is taken beyond the fair share (a dead host still counted)', () => {
  const owned = names(4).map((name, i) => ({ name, sinceMs: i }));
  const leased = new Set(names(8));
  const notYet = balanceRound(input({ owned, leased, unownedForMs: () => 1000 }));
  assert.deepEqual(notYet.take, []);
  const stranded = balanceRound(input({ owned, leased, unownedForMs: () => 20_000 }));
  assert.deepEqual(stranded.take, ['cam10', 'cam11', 'cam12', 'cam9']);
});

test('over the fair share: gives up at most two per round, the most recently taken first, only when nothing waits for an owner', () => {
  const owned = names(8).map((name, i) => ({ name, sinceMs: i }));
  const all = new Set(names(12));
  const d = balanceRound(input({ owned, leased: all }));
  assert.deepEqual(d.release, ['cam8', 'cam7']);
  assert.deepEqual(d.take, []);
  // something unowned: releasing would help nobody
  const waiting = balanceRound(input({ owned, leased: new Set(names(11)) }));
  assert.deepEqual(waiting.release, []);
});

test('balanced within one: a host at its rounded-up share gives nothing up (no flapping)', () => {
  const owned = names(5).map((name, i) => ({ name, sinceMs: i }));
  const d = balanceRound(input({ desired: names(13), owned, leased: new Set(names(13)) }));
  assert.deepEqual(d.release, []);
});

test('an instance this host gave up recently is not taken back by it', () => {
  const d = balanceRound(input({ coolingDown: new Set(['cam1', 'cam2']) }));
  assert.ok(!d.take.includes('cam1') && !d.take.includes('cam2'));
});

test('owned instances no longer desired are released', () => {
  const d = balanceRound(input({ desired: names(2), owned: [{ name: 'gone', sinceMs: 0 }], leased: new Set(['gone']) }));
  assert.ok(d.release.includes('gone'));
});

test('the fence clock: recording stops a margin before the lease could expire, and a pause shows at once', () => {
  let now = 0;
  const c = new LeaseClock(15_000, 5000, 0, () => now);
  assert.equal(c.fenceAtMs, 10_000);
  now = 5000;
  assert.ok(c.renewDue());
  c.renewed(5000);
  assert.equal(c.fenceAtMs, 15_000);
  // a renew sent earlier than the last success does not move the fence back
  c.renewed(1000);
  assert.equal(c.fenceAtMs, 15_000);
  now = 60_000; // SIGSTOP for 55 s: the monotonic clock kept running
  assert.ok(c.expired());
  assert.equal(c.remainingMs(), 0);
});

test("a lease's recording fence keeps media that starts before the earliest expiry less the margin, and nothing after", async () => {
  const { HeldLease } = await import('../../src/fleet/lease-holder.ts');
  let now = 0;
  const clock = new LeaseClock(15_000, 5000, 0, () => now);
  const lease = new HeldLease(undefined as never, 'cam1', 'id', clock, 0, () => now, 1_000_000);
  assert.equal(lease.fence.allows(1_000_000 + 9_999), true);
  // a segment starting 10 s after the renew was sent: the lease may be gone by its end
  assert.equal(lease.fence.allows(1_000_000 + 10_000), false);
});
