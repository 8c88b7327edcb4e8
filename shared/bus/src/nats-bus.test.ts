// NatsBus parts that need no server (the rest is in bus-conformance.test.ts).

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StatusError } from '@kapi/apimachinery';
import { NatsBus, backoffDelay } from './nats-bus.js';

describe('NatsBus', () => {
  it('backs off exponentially with jitter, capped', () => {
    const mid = (): number => 0.5; // jitter factor exactly 1
    assert.deepEqual([0, 1, 2, 3, 4, 5, 6, 10, 1000].map((n) => backoffDelay(n, 100, 5000, mid)), [100, 200, 400, 800, 1600, 3200, 5000, 5000, 5000]);
    assert.equal(backoffDelay(0, 100, 5000, () => 0), 80);
    assert.equal(backoffDelay(20, 100, 5000, () => 0.999999), 6000);
    assert.equal(backoffDelay(-3, 100, 5000, mid), 100);
  });

  it('rejects bad connection options before dialing', async () => {
    await assert.rejects(NatsBus.connect({ servers: [], name: 'x' }), (e: unknown) => e instanceof StatusError && e.code === 400);
    await assert.rejects(NatsBus.connect({ servers: ' , ', name: 'x' }), (e: unknown) => e instanceof StatusError && e.code === 400);
    await assert.rejects(NatsBus.connect({ servers: 'nats://127.0.0.1:1', name: 'x', timeoutMs: 0 }), (e: unknown) => e instanceof StatusError && e.code === 400);
    await assert.rejects(NatsBus.connect({ servers: 'nats://127.0.0.1:1', name: 'x', reconnectInitialDelayMs: -5 }), RangeError);
    await assert.rejects(NatsBus.connect({ servers: 'nats://127.0.0.1:1', name: 'x', maxQueuedPerSubscription: -1 }), RangeError);
  });
});
