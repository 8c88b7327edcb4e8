import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { newTooOldResourceVersion, type StatusError } from '@kapi/apimachinery';
import { CacheRpc, cacheEventCodec, type CacheEvent, InProcessBus, watchSubject } from '@kapi/bus';
import { WatchFeeds } from './feed.js';

const ev = (revision: number, prevRevision: number, type = 'ADDED'): CacheEvent => ({
  type,
  revision,
  prevRevision,
  namespace: 'a',
  object: new TextEncoder().encode(`{"r":${revision}}`),
  prevObject: new Uint8Array(),
  key: `/registry/configmaps/a/x${revision}`,
});

/** A fake cache replica: a ring of events 11..30 over revision 10, answering cache.watch. */
async function fakeCache(bus: InProcessBus, ring: CacheEvent[], oldest: number) {
  let revision = 10;
  const served: string[] = [];
  await bus.serve(CacheRpc.watch, async (req) => {
    served.push(`${req.mode}:${req.afterRevision}`);
    if (req.mode === 'revision') return { revision, events: [], nextKey: '' };
    if (req.afterRevision < oldest) throw newTooOldResourceVersion(req.afterRevision, oldest);
    const events = ring.filter((e) => e.revision > req.afterRevision && e.revision <= revision).map((e) => ({ ...e, prevRevision: 0 }));
    return { revision, events, nextKey: '' };
  });
  return { served, setRevision: (r: number) => (revision = r) };
}

describe('ResourceFeed', () => {
  it('delivers in order exactly once: duplicates dropped, a gap repaired from the ring', async () => {
    const bus = new InProcessBus();
    const ring = [ev(11, 10), ev(12, 11), ev(13, 12), ev(14, 13), ev(15, 14)];
    const cache = await fakeCache(bus, ring, 10);
    const feeds = new WatchFeeds(bus);
    const feed = feeds.feed('', 'v1', 'configmaps');
    const got: number[] = [];
    const from = await feed.add({ onEvent: (e) => void got.push(e.revision), onExpired: () => assert.fail('not expired'), onClosed: () => undefined });
    assert.equal(from, 10);
    cache.setRevision(15);
    const subject = watchSubject('', 'configmaps', 'a');
    bus.publish(subject, cacheEventCodec, ring[0]!);
    bus.publish(subject, cacheEventCodec, ring[0]!); // duplicate (second publisher)
    // 12 and 13 are lost; 14 reveals the gap.
    bus.publish(subject, cacheEventCodec, ring[3]!);
    bus.publish(subject, cacheEventCodec, ring[4]!);
    await bus.flush();
    for (let i = 0; i < 50 && got.length < 6; i++) await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got.filter((r) => r <= 15), [11, 12, 13, 14, 15]);
    assert.ok(cache.served.includes('events:11'), cache.served.join());
    await feeds.close();
    await bus.close();
  });

  it('expires its listeners with 410 when the ring no longer has the missing events', async () => {
    const bus = new InProcessBus();
    const cache = await fakeCache(bus, [], 20);
    const feeds = new WatchFeeds(bus);
    const feed = feeds.feed('', 'v1', 'configmaps');
    let expired: StatusError | undefined;
    await feed.add({ onEvent: () => undefined, onExpired: (err) => void (expired = err), onClosed: () => undefined });
    cache.setRevision(25);
    bus.publish(watchSubject('', 'configmaps', 'a'), cacheEventCodec, ev(25, 24));
    await bus.flush();
    for (let i = 0; i < 50 && !expired; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(expired?.status.code, 410);
    assert.equal(feed.listenerCount, 0);
    await feeds.close();
    await bus.close();
  });
});
