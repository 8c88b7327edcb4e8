import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { Dealer, QueueSet, requiredEntropyBits, type Outcome } from './queueset.js';

describe('shuffle sharding', () => {
  test('the same hash always gets the same hand of distinct cards in range', () => {
    const dealer = new Dealer(128, 6);
    for (let i = 0n; i < 2000n; i++) {
      const hash = (i * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
      const hand = dealer.deal(hash);
      assert.deepEqual(dealer.deal(hash), hand);
      assert.equal(hand.length, 6);
      assert.equal(new Set(hand).size, 6, `duplicate card in ${hand.join(',')}`);
      for (const c of hand) assert.ok(c >= 0 && c < 128);
    }
  });

  test('hands are the mixed-radix digits of the hash, shifted past earlier cards', () => {
    // 5 in radices (3, 2) is the digits [2, 1]; the second card, 1, is below the first, so stays
    assert.deepEqual(new Dealer(3, 2).deal(5n), [2, 1]);
    // 0 → digits [0, 0]: the second card skips card 0
    assert.deepEqual(new Dealer(3, 2).deal(0n), [0, 1]);
    // a full hand is a permutation
    assert.deepEqual([...new Dealer(4, 4).deal(12345n)].sort(), [0, 1, 2, 3]);
  });

  test('every card comes up about equally often', () => {
    const dealer = new Dealer(16, 4);
    const counts = new Array<number>(16).fill(0);
    for (let i = 1n; i <= 4000n; i++) for (const c of dealer.deal((i * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn)) counts[c]!++;
    for (const n of counts) assert.ok(n > 700 && n < 1300, `skewed: ${counts.join(',')}`);
  });

  test('invalid configurations are refused', () => {
    assert.throws(() => new Dealer(4, 5));
    assert.throws(() => new Dealer(0, 1));
    assert.ok(requiredEntropyBits(128, 6) <= 60);
    assert.throws(() => new Dealer(1 << 20, 4));
  });
});

/** Two flow hashes whose hands share no queue. */
function disjointFlows(queues: number, handSize: number): [bigint, bigint] {
  const dealer = new Dealer(queues, handSize);
  const a = 0x1234_5678_9abc_def0n;
  const handA = new Set(dealer.deal(a));
  for (let b = 1n; ; b++) {
    const h = (b * 0x9e3779b97f4a7c15n) & 0xffffffffffffffffn;
    if (dealer.deal(h).every((c) => !handA.has(c))) return [a, h];
  }
}

const executing = (o: Outcome): (() => void) => {
  assert.equal(o.kind, 'executing');
  return (o as { release: () => void }).release;
};

describe('QueueSet', () => {
  test('a flooding flow is rejected once its queues are full while another flow is served promptly', async () => {
    const qs = new QueueSet({ name: 'test', concurrencyLimit: 2, queues: 8, handSize: 2, queueLengthLimit: 5 });
    const [flooder, victim] = disjointFlows(8, 2);
    const SERVICE_MS = 15;
    const far = () => performance.now() + 10_000;
    const serve = async (o: Outcome) => {
      if (o.kind !== 'executing') return o.reason;
      await sleep(SERVICE_MS);
      o.release();
      return 'served';
    };
    // the flood: 60 requests at once, then more while the victim runs
    const flood: Promise<string>[] = [];
    for (let i = 0; i < 60; i++) flood.push(qs.acquire(flooder, 1, far()).then(serve));
    const waits: number[] = [];
    const victimOutcomes: string[] = [];
    for (let i = 0; i < 10; i++) {
      for (let j = 0; j < 5; j++) flood.push(qs.acquire(flooder, 1, far()).then(serve));
      const t0 = performance.now();
      const o = await qs.acquire(victim, 1, far());
      waits.push(performance.now() - t0);
      victimOutcomes.push(await serve(o));
      await sleep(5);
    }
    const floodOutcomes = await Promise.all(flood);
    assert.deepEqual(victimOutcomes, new Array(10).fill('served'));
    // the flooder holds at most 2 queues × 5 waiting (+2 executing) at a time: the rest is refused
    const rejected = floodOutcomes.filter((o) => o === 'queue-full').length;
    assert.ok(rejected >= 60 - 12, `only ${rejected} flood requests rejected`);
    assert.ok(floodOutcomes.includes('served'));
    // the victim waits at most about one service time (a seat frees, fair queuing picks it)
    const worst = Math.max(...waits);
    assert.ok(worst < SERVICE_MS * 8, `victim waited up to ${worst.toFixed(1)} ms: ${waits.map((w) => w.toFixed(1)).join(', ')}`);
    assert.deepEqual({ seats: qs.stats().seatsInUse, waiting: qs.stats().waiting }, { seats: 0, waiting: 0 });
  });

  test('fair queuing alternates between backlogged flows', async () => {
    // one queue per flow, one seat: each served request takes 5 ms of real time, which is the
    // work fair queuing charges its queue
    const qs = new QueueSet({ name: 'test', concurrencyLimit: 1, queues: 8, handSize: 1, queueLengthLimit: 50 });
    const [a, b] = disjointFlows(8, 1);
    const hold = executing(await qs.acquire(a, 1, Infinity));
    const order: string[] = [];
    const run = async (flow: bigint, label: string) => {
      const release = executing(await qs.acquire(flow, 1, Infinity));
      order.push(label);
      await sleep(5);
      release();
    };
    const pending: Promise<void>[] = [];
    for (let i = 0; i < 6; i++) pending.push(run(a, 'a'));
    for (let i = 0; i < 3; i++) pending.push(run(b, 'b'));
    await sleep(5);
    hold();
    await Promise.all(pending);
    // b arrived after six of a's but is not served after them: the two interleave
    assert.ok(order.lastIndexOf('b') <= 6, `order ${order.join('')}`);
    assert.ok(order.indexOf('b') <= 1, `order ${order.join('')}`);
  });

  test('Reject levels execute up to the limit and refuse the rest at once', async () => {
    const qs = new QueueSet({ name: 'r', concurrencyLimit: 2, queues: 0, handSize: 0, queueLengthLimit: 0 });
    const r1 = executing(await qs.acquire(1n, 1, Infinity));
    executing(await qs.acquire(2n, 1, Infinity));
    assert.deepEqual(await qs.acquire(3n, 1, Infinity), { kind: 'rejected', reason: 'concurrency-limit' });
    r1();
    executing(await qs.acquire(3n, 1, Infinity));
  });

  test('a waiting request is rejected at its wait deadline or when abandoned', async () => {
    const qs = new QueueSet({ name: 'q', concurrencyLimit: 1, queues: 4, handSize: 2, queueLengthLimit: 10 });
    const hold = executing(await qs.acquire(1n, 1, Infinity));
    const t0 = performance.now();
    assert.deepEqual(await qs.acquire(2n, 1, performance.now() + 30), { kind: 'rejected', reason: 'time-out' });
    assert.ok(performance.now() - t0 >= 25);
    const ac = new AbortController();
    const p = qs.acquire(2n, 1, Infinity, ac.signal);
    ac.abort();
    assert.deepEqual(await p, { kind: 'rejected', reason: 'cancelled' });
    assert.equal(qs.stats().waiting, 0);
    hold();
    assert.equal(qs.stats().seatsInUse, 0);
  });

  test('seats: a wide request waits for its seats, and runs alone when wider than the limit', async () => {
    const qs = new QueueSet({ name: 'w', concurrencyLimit: 4, queues: 4, handSize: 1, queueLengthLimit: 10 });
    const narrow = executing(await qs.acquire(1n, 1, Infinity));
    let wideStarted = false;
    const wide = qs.acquire(2n, 4, Infinity).then((o) => {
      wideStarted = true;
      return executing(o);
    });
    await sleep(5);
    assert.equal(wideStarted, false);
    narrow();
    (await wide)();
    const huge = executing(await qs.acquire(3n, 40, Infinity));
    assert.equal(qs.stats().seatsInUse, 40);
    huge();
  });

  test('release is idempotent and a config change keeps waiting requests', async () => {
    const qs = new QueueSet({ name: 'c', concurrencyLimit: 1, queues: 8, handSize: 2, queueLengthLimit: 10 });
    const hold = executing(await qs.acquire(1n, 1, Infinity));
    const waiting = qs.acquire(99n, 1, Infinity);
    qs.setConfig({ name: 'c', concurrencyLimit: 2, queues: 2, handSize: 1, queueLengthLimit: 10 });
    executing(await waiting)();
    hold();
    hold();
    assert.equal(qs.stats().seatsInUse, 0);
  });
});
