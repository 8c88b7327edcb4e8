// Watch fan-out in `kapi cluster --replicas 2`: watchers on both gateways while a stream of
// writes runs, and the watchcache replica that publishes the resource is killed (SIGKILL) in the
// middle. Every watcher must see every write exactly once and in order (or a 410 that makes its
// client relist; none is expected here, the rings hold the whole run).

import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type RunningCluster, startCluster } from '@kapi/cli';
import { openKV } from '@kapi/kv';
import { etcdAvailable, freePort, natsAvailable } from '@kapi/testing';
import { tempDir } from '../support/tmp.js';
import { type OpenWatch, openWatch, type RawClient, rawClient, rawRequest } from '../support/watch-client.js';

const skip = !etcdAvailable() ? 'no etcd on PATH' : !natsAvailable() ? 'no nats-server on PATH' : false;
if (skip) console.log(`# skipping watch fan-out against kapi cluster: ${skip}`);

const WRITES = 120;
const WATCHERS_PER_GATEWAY = 3;

describe('watch fan-out in kapi cluster (2 replicas): the publisher dies mid-stream', { skip }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let cluster: RunningCluster;

  before(async () => {
    dir = await tempDir('e2e-watch-cluster');
    cluster = await startCluster({ dataDir: dir.path, securePort: await freePort(), replicas: 2, etcdMembers: 1, admissionWorkers: 1 });
  });

  after(async () => {
    await cluster?.stop();
    await dir?.remove();
  });

  it('loses no event for any watcher', { timeout: 180_000 }, async () => {
    const clients: RawClient[] = cluster.description.gateways.map((server) => {
      const c = rawClient(cluster.description.kubeconfig);
      return { ...c, server: new URL(server) };
    });
    const ns = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'fanout' } };
    assert.equal((await rawRequest(clients[0]!, 'POST', '/api/v1/namespaces', ns)).status, 201);
    const base = '/api/v1/namespaces/fanout/configmaps';
    const list = await rawRequest(clients[0]!, 'GET', base);
    const rv = list.body.metadata.resourceVersion as string;
    const watchers: OpenWatch[] = [];
    for (const client of clients) {
      for (let i = 0; i < WATCHERS_PER_GATEWAY; i++) {
        // As a client does, a watch that is refused (e.g. 504 while a cache catches up) is retried.
        let w = await openWatch(client, `${base}?watch=true&resourceVersion=${rv}&timeoutSeconds=150`);
        for (let attempt = 0; w.status !== 200 && attempt < 5; attempt++) {
          await w.ended;
          w = await openWatch(client, `${base}?watch=true&resourceVersion=${rv}&timeoutSeconds=150`);
        }
        assert.equal(w.status, 200, JSON.stringify(w.events));
        watchers.push(w);
      }
    }

    // Who publishes configmaps now.
    const kv = await openKV({ driver: 'etcd3', endpoints: cluster.description.etcd.map((m) => m.clientUrl) });
    let holder = '';
    for (let i = 0; i < 50 && holder === ''; i++) {
      const { kv: lease } = await kv.get('/kapi/watchcache/publishers//configmaps');
      if (lease) holder = (JSON.parse(Buffer.from(lease.value).toString('utf8')) as { holderIdentity: string }).holderIdentity;
      else await new Promise((r) => setTimeout(r, 200));
    }
    assert.match(holder, /^watchcache-[01]$/);

    const written: string[] = [];
    for (let i = 0; i < WRITES; i++) {
      const name = `cm-${String(i).padStart(4, '0')}`;
      const client = clients[i % 2]!;
      const res = await rawRequest(client, 'POST', base, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { i: String(i) } });
      assert.equal(res.status, 201, JSON.stringify(res.body));
      written.push(name);
      if (i === Math.floor(WRITES / 3)) {
        const replica = Number(holder.slice(-1));
        cluster.child('watchcache', replica)!.kill('SIGKILL');
      }
      // Spread the writes over longer than the lease duration, so that the takeover happens
      // in the middle of the stream.
      await new Promise((r) => setTimeout(r, 200));
    }

    const { kv: lease } = await kv.get('/kapi/watchcache/publishers//configmaps');
    const newHolder = (JSON.parse(Buffer.from(lease!.value).toString('utf8')) as { holderIdentity: string }).holderIdentity;
    assert.notEqual(newHolder, holder, 'another replica took the lease over');
    await kv.close();

    for (const [i, w] of watchers.entries()) {
      await w.waitFor(WRITES, 60_000).catch(() => undefined);
      w.close();
      const errors = w.events.filter((e) => e.type === 'ERROR');
      if (errors.length > 0) {
        // Allowed: a 410 that makes the client relist; the events before it are still in order.
        assert.equal((errors[0]!.object as { code?: number }).code, 410, `watcher ${i}: ${JSON.stringify(errors[0])}`);
      }
      const names = w.events.filter((e) => e.type === 'ADDED').map((e) => e.object.metadata?.name);
      if (errors.length === 0) assert.deepEqual(names, written, `watcher ${i} saw every write exactly once, in order`);
      else assert.deepEqual(names, written.slice(0, names.length), `watcher ${i}: in order before its 410`);
    }
  });
});
