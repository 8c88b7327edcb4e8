import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WorkGate } from './gate.js';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

describe('WorkGate', () => {
  it('runs at most maxConcurrent at once, queues FIFO, refuses beyond the queue', async () => {
    const gate = new WorkGate({ maxConcurrent: 2, maxQueued: 3, maxQueuedBytes: 1 << 20 });
    const release = deferred();
    const started: number[] = [];
    let active = 0;
    let peak = 0;
    const accepted: boolean[] = [];
    for (let i = 0; i < 7; i++) {
      accepted.push(
        gate.submit(async () => {
          started.push(i);
          peak = Math.max(peak, ++active);
          await release.promise;
          active--;
        }, 10),
      );
    }
    assert.deepEqual(accepted, [true, true, true, true, true, false, false]);
    assert.equal(gate.active, 2);
    assert.equal(gate.queued, 3);
    release.resolve();
    await gate.idle();
    assert.deepEqual(started, [0, 1, 2, 3, 4]);
    assert.equal(peak, 2);
    assert.equal(gate.active, 0);
  });

  it('bounds queued bytes', () => {
    const gate = new WorkGate({ maxConcurrent: 1, maxQueued: 100, maxQueuedBytes: 100 });
    const never = new Promise<void>(() => undefined);
    assert.equal(gate.submit(() => never, 1000), true); // runs at once: not queued
    assert.equal(gate.submit(() => never, 60), true);
    assert.equal(gate.submit(() => never, 60), false);
    assert.equal(gate.submit(() => never, 40), true);
  });

  it('drops queued work whose deadline passed, and survives throwing tasks', async () => {
    const gate = new WorkGate({ maxConcurrent: 1, maxQueued: 10, maxQueuedBytes: 1000 });
    const ran: string[] = [];
    gate.submit(async () => {
      await new Promise((r) => setTimeout(r, 30));
      throw new Error('task failure is contained');
    }, 1);
    gate.submit(async () => void ran.push('expired'), 1, performance.now() + 5);
    gate.submit(() => {
      throw new Error('synchronous throw');
    }, 1);
    gate.submit(async () => void ran.push('kept'), 1, performance.now() + 10_000);
    await gate.idle();
    assert.deepEqual(ran, ['kept']);
    assert.equal(gate.expired, 1);
  });

  it('rejects nonsensical limits', () => {
    assert.throws(() => new WorkGate({ maxConcurrent: 0, maxQueued: 1, maxQueuedBytes: 1 }), /maxConcurrent must be a positive integer/);
    assert.throws(() => new WorkGate({ maxConcurrent: 1, maxQueued: -1, maxQueuedBytes: 1 }), /maxQueued must be a non-negative integer/);
    assert.throws(() => new WorkGate({ maxConcurrent: 1.5, maxQueued: 1, maxQueuedBytes: 1 }), RangeError);
  });
});
