import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryKV } from '@kapi/kv';
import { PublisherLeases } from './publisher-leases.js';

describe('PublisherLeases', () => {
  it('gives each lease to exactly one replica, and to another once the holder stops renewing', async () => {
    const kv = new MemoryKV();
    let now = 1_000_000;
    const clock = () => now;
    const ids = ['/pods', '/configmaps', 'apps/deployments'];
    const acquired: string[] = [];
    const a = new PublisherLeases({ kv, identity: 'a', ids, leaseDurationMs: 10_000, renewDeadlineMs: 8_000, renewIntervalMs: 2_000, now: clock, onAcquired: (id) => acquired.push(`a:${id}`) });
    const b = new PublisherLeases({ kv, identity: 'b', ids, leaseDurationMs: 10_000, renewDeadlineMs: 8_000, renewIntervalMs: 2_000, now: clock, onAcquired: (id) => acquired.push(`b:${id}`) });
    await a.tick();
    await b.tick();
    for (const id of ids) {
      assert.equal(a.holds(id), true, id);
      assert.equal(b.holds(id), false, id);
    }
    // a renews; b observes the change and does not take over.
    for (let i = 0; i < 5; i++) {
      now += 3_000;
      await a.tick();
      await b.tick();
      for (const id of ids) assert.equal(b.holds(id), false);
    }
    // a dies (no more ticks): after the lease duration on b's clock, b takes every lease.
    now += 9_000;
    await b.tick();
    assert.equal(b.holds('/pods'), false, 'not before the lease duration has passed since b saw a change');
    assert.equal(a.holds('/pods'), false, 'a itself stops after its renew deadline');
    now += 2_000;
    await b.tick();
    for (const id of ids) assert.equal(b.holds(id), true, id);
    assert.deepEqual(acquired.filter((x) => x.startsWith('b:')).sort(), ids.map((id) => `b:${id}`).sort());
    await b.stop();
    const { kvs } = await kv.range('/kapi/watchcache/publishers/', { end: '/kapi/watchcache/publishers0' });
    assert.equal(kvs.length, 0, 'stop() releases held leases');
    await kv.close();
  });
});
