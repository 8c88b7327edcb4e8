import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isResourceExpired, isTimeout, StatusError } from '@kapi/apimachinery';
import { CacheRpc, cacheEventCodec, type CacheEvent, InProcessBus, watchSubjectAllNamespaces } from '@kapi/bus';
import { MemoryKV } from '@kapi/kv';
import type { Transformer } from '@kapi/value';
import { EventRing } from './ring.js';
import { startWatchCache } from './service.js';

const enc = new TextEncoder();
const dec = new TextDecoder();
const cm = (ns: string, name: string, data: Record<string, string> = {}, labels: Record<string, string> = {}) =>
  enc.encode(JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace: ns, labels }, data }));
const key = (ns: string, name: string) => `/registry/configmaps/${ns}/${name}`;
const obj = (b: Uint8Array) => JSON.parse(dec.decode(b)) as { metadata: { name: string; resourceVersion: string }; data?: Record<string, string> };
const ref = (namespace = '') => ({ group: '', version: 'v1', resource: 'configmaps', namespace, name: '', subresource: '' });
const request = (over: Partial<Parameters<typeof CacheRpc.watch.request.encode>[0]> = {}) => ({
  ref: ref(),
  mode: 'events',
  afterRevision: 0,
  minRevision: 0,
  consistent: false,
  labelSelector: '',
  fieldSelector: '',
  fromKey: '',
  atRevision: 0,
  notOlderThan: 0,
  ...over,
});

describe('EventRing', () => {
  it('keeps fresh events, evicts stale ones past the soft count and anything past the hard bounds', () => {
    let now = 0;
    const ring = new EventRing(10, { minRetentionMs: 1000, softCount: 2, maxEvents: 5, maxBytes: 1 << 20, now: () => now });
    const ev = (revision: number) => ({ type: 'ADDED' as const, key: `k${revision}`, namespace: '', revision, object: new Uint8Array(10), prevObject: undefined, receivedAt: now });
    for (let r = 11; r <= 14; r++) ring.push(ev(r));
    assert.equal(ring.size, 4, 'fresh events stay beyond the soft count');
    assert.deepEqual(ring.since(12)?.map((e) => e.revision), [13, 14]);
    assert.deepEqual(ring.since(10)?.map((e) => e.revision), [11, 12, 13, 14]);
    now = 5000;
    ring.evict();
    assert.equal(ring.size, 2, 'stale events go down to the soft count');
    assert.equal(ring.startRevision, 12);
    assert.equal(ring.since(11), undefined, 'an evicted revision is expired');
    for (let r = 15; r <= 20; r++) ring.push(ev(r));
    assert.equal(ring.size, 5, 'the hard count bound wins over retention');
    const small = new EventRing(0, { maxBytes: 400 });
    for (let r = 1; r <= 10; r++) small.push(ev(r));
    assert.ok(small.byteSize <= 400);
  });
});

describe('watchcache service', () => {
  it('lists, follows the KV through the transformer, publishes chained events and answers cache.watch', async () => {
    const kv = new MemoryKV({ progressIntervalMs: 50 });
    // A transformer that reverses the bytes, so that undecoded values would not parse.
    const reverse: Transformer = {
      async toStorage(data) {
        return Uint8Array.from(data).reverse();
      },
      async fromStorage(data) {
        return { data: Uint8Array.from(data).reverse(), stale: false };
      },
    } as Transformer;
    const put = async (k: string, v: Uint8Array) => {
      const { kv: cur } = await kv.get(k);
      const stored = await reverse.toStorage(v, { key: k });
      return cur ? kv.update(k, stored, cur.modRevision) : kv.create(k, stored);
    };
    await put(key('a', 'one'), cm('a', 'one', { v: '1' }, { app: 'x' }));
    await put(key('b', 'two'), cm('b', 'two'));
    const bus = new InProcessBus();
    const service = await startWatchCache({ bus, kv, transformer: reverse, progressIntervalMs: 50 });
    await service.ready();
    const published: CacheEvent[] = [];
    await bus.subscribe(watchSubjectAllNamespaces('', 'configmaps'), cacheEventCodec, (m) => void published.push(m));

    const start = await bus.request(CacheRpc.watch, request({ mode: 'revision' }));
    const before = start.revision;
    const created = await put(key('a', 'three'), cm('a', 'three'));
    const modified = await put(key('a', 'one'), cm('a', 'one', { v: '2' }, { app: 'y' }));
    const { kv: last } = await kv.get(key('b', 'two'));
    const deleted = await kv.delete(key('b', 'two'), last!.modRevision);

    // Events after `before`, for all namespaces and for one.
    const all = await bus.request(CacheRpc.watch, request({ afterRevision: before, minRevision: deleted.revision }));
    assert.deepEqual(all.events.map((e) => [e.type, e.revision]), [['ADDED', created.revision], ['MODIFIED', modified.revision], ['DELETED', deleted.revision]]);
    assert.equal(obj(all.events[1]!.object).data?.v, '2');
    assert.equal(obj(all.events[1]!.prevObject).data?.v, '1');
    assert.equal(obj(all.events[2]!.object).metadata.resourceVersion, String(deleted.revision), 'a deleted object carries the delete revision');
    const inA = await bus.request(CacheRpc.watch, request({ ref: ref('a'), afterRevision: before }));
    assert.deepEqual(inA.events.map((e) => e.type), ['ADDED', 'MODIFIED']);

    // State now and state rolled back to `before`, with a label selector.
    const now = await bus.request(CacheRpc.watch, request({ mode: 'state', minRevision: deleted.revision }));
    assert.deepEqual(now.events.map((e) => obj(e.object).metadata.name), ['one', 'three']);
    const then = await bus.request(CacheRpc.watch, request({ mode: 'state', atRevision: before }));
    assert.deepEqual(then.events.map((e) => obj(e.object).metadata.name), ['one', 'two']);
    assert.equal(obj(then.events[0]!.object).data?.v, '1');
    const selected = await bus.request(CacheRpc.watch, request({ mode: 'state', atRevision: before, labelSelector: 'app=x' }));
    assert.deepEqual(selected.events.map((e) => obj(e.object).metadata.name), ['one']);

    // Published: the same changes, each chained to the one before.
    await bus.flush();
    const changes = published.filter((e) => e.type !== 'PROGRESS');
    assert.deepEqual(changes.map((e) => e.revision), [created.revision, modified.revision, deleted.revision]);
    assert.equal(changes[1]!.prevRevision, created.revision);
    assert.equal(changes[2]!.prevRevision, modified.revision);
    assert.ok(changes[0]!.prevRevision <= before);

    // A future revision waits, then 504s; a consistent read waits for the KV's revision.
    const future = bus.request(CacheRpc.watch, request({ mode: 'revision', minRevision: deleted.revision + 100 }), { timeoutMs: 1000 });
    await assert.rejects(future, (err) => err instanceof StatusError && isTimeout(err));
    const consistent = await bus.request(CacheRpc.watch, request({ mode: 'revision', consistent: true }));
    assert.ok(consistent.revision >= deleted.revision);

    await service.close();
    await bus.close();
    await kv.close();
  });

  it('answers 410 Expired for events the ring no longer holds', async () => {
    const kv = new MemoryKV();
    const bus = new InProcessBus();
    const service = await startWatchCache({ bus, kv, ring: { maxEvents: 2, softCount: 1 }, progressIntervalMs: 0 });
    await service.ready();
    const first = await kv.create(key('a', 'x0'), cm('a', 'x0'));
    let rev = first.revision;
    for (let i = 1; i < 5; i++) rev = (await kv.create(key('a', `x${i}`), cm('a', `x${i}`))).revision;
    await bus.request(CacheRpc.watch, request({ mode: 'revision', minRevision: rev }));
    await assert.rejects(
      bus.request(CacheRpc.watch, request({ afterRevision: first.revision })),
      (err) => err instanceof StatusError && isResourceExpired(err) && err.status.code === 410 && /^too old resource version: \d+ \(\d+\)$/.test(err.status.message ?? ''),
    );
    const recent = await bus.request(CacheRpc.watch, request({ afterRevision: rev - 1 }));
    assert.equal(recent.events.length, 1);
    await service.close();
    await bus.close();
    await kv.close();
  });
});

describe('cache.list and cache.get', () => {
  const listReq = (options: Partial<{ labelSelector: string; fieldSelector: string; limit: number; continue: string; resourceVersion: string; resourceVersionMatch: string }>, namespace = 'a') => ({
    ref: ref(namespace),
    options: { labelSelector: '', fieldSelector: '', limit: 0, continue: '', resourceVersion: '', resourceVersionMatch: '', ...options },
  });
  const items = (reply: { object: Uint8Array }) =>
    (JSON.parse(dec.decode(reply.object)) as { items: { metadata: { name: string } }[] }).items.map((i) => i.metadata.name);
  const meta = (reply: { object: Uint8Array }) => (JSON.parse(dec.decode(reply.object)) as { metadata: { resourceVersion: string; continue?: string; remainingItemCount?: number } }).metadata;

  it('serves pages from a snapshot, delegates Exact reads, and expires a continue token older than the ring', async () => {
    const kv = new MemoryKV({ progressIntervalMs: 50 });
    const bus = new InProcessBus();
    const service = await startWatchCache({ bus, kv, ring: { maxEvents: 3, softCount: 1 }, progressIntervalMs: 50 });
    await service.ready();
    for (const name of ['p1', 'p2', 'p3']) await kv.create(key('a', name), cm('a', name, {}, { app: name === 'p2' ? 'two' : 'other' }));
    await kv.create(key('b', 'q1'), cm('b', 'q1'));

    const all = await bus.request(CacheRpc.list, listReq({}));
    assert.deepEqual(items(all), ['p1', 'p2', 'p3'], 'a consistent list sees every write');
    const first = await bus.request(CacheRpc.list, listReq({ limit: 2 }));
    assert.deepEqual(items(first), ['p1', 'p2']);
    assert.equal(meta(first).remainingItemCount, 1);
    const token = meta(first).continue!;
    // A write after the first page does not show in the next one (same snapshot).
    await kv.create(key('a', 'p0'), cm('a', 'p0'));
    const second = await bus.request(CacheRpc.list, listReq({ limit: 2, continue: token }));
    assert.deepEqual(items(second), ['p3']);
    assert.equal(meta(second).resourceVersion, meta(first).resourceVersion);
    const selected = await bus.request(CacheRpc.list, listReq({ labelSelector: 'app=two', resourceVersion: '0' }));
    assert.deepEqual(items(selected), ['p2']);
    const exact = await bus.request(CacheRpc.list, listReq({ resourceVersion: meta(first).resourceVersion, resourceVersionMatch: 'Exact' }));
    assert.equal(exact.object.byteLength, 0, 'Exact is delegated to storage');

    // Enough writes to push the first page's revision out of the ring.
    for (let i = 0; i < 5; i++) await kv.create(key('a', `z${i}`), cm('a', `z${i}`));
    await bus.request(CacheRpc.list, listReq({}));
    await assert.rejects(bus.request(CacheRpc.list, listReq({ limit: 2, continue: token })), (err) => err instanceof StatusError && isResourceExpired(err));

    const got = await bus.request(CacheRpc.get, { ref: { ...ref('a'), name: 'p2' }, resourceVersion: '0' });
    assert.equal(obj(got.object).metadata.name, 'p2');
    await assert.rejects(bus.request(CacheRpc.get, { ref: { ...ref('a'), name: 'nope' }, resourceVersion: '0' }), (err) => err instanceof StatusError && err.status.code === 404);
    const quorum = await bus.request(CacheRpc.get, { ref: { ...ref('a'), name: 'p2' }, resourceVersion: '' });
    assert.equal(quorum.object.byteLength, 0, 'a GET without resourceVersion is read from storage');
    await service.close();
    await bus.close();
    await kv.close();
  });
});
