// Runs the KV conformance suite against every driver, plus the etcd-specific cluster tests.
// (It lives in @kapi/testing rather than @kapi/kv: tsc project references cannot form the
// kv -> testing -> kv cycle.)

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Etcd3KV, KVError, MemoryKV, SqliteKV, prefixEnd, type KV } from '@kapi/kv';
import { etcdAvailable, startEtcd, type EtcdCluster } from './etcd.js';
import { kvConformanceSuite, WatchRecorder } from './kv-conformance.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

const noEtcd = etcdAvailable() ? undefined : 'etcd is not on PATH';

kvConformanceSuite('memory', async () => new MemoryKV({ progressIntervalMs: 200 }), {
  requestProgress: 'supported',
  periodicProgressWithinMs: 3000,
});

{
  let dir: string | undefined;
  let n = 0;
  kvConformanceSuite('sqlite', async () => new SqliteKV(join(dir!, `kv-${++n}.db`), { progressIntervalMs: 200 }), {
    setup: async () => {
      dir = mkdtempSync(join(tmpdir(), 'kapi-kv-sqlite-'));
    },
    teardown: async () => {
      if (dir) rmSync(dir, { recursive: true, force: true });
    },
    requestProgress: 'supported',
    periodicProgressWithinMs: 3000,
  });
}

{
  let cluster: EtcdCluster | undefined;
  const suite: Parameters<typeof kvConformanceSuite>[2] = {
    setup: async () => {
      cluster = await startEtcd({ members: 1, progressNotifyIntervalMs: 300 });
    },
    teardown: async () => {
      await cluster?.stop();
    },
    // etcd 3.4.23 here: RequestProgress is not trusted (resolves false); newer servers: true.
    requestProgress: 'either',
    periodicProgressWithinMs: 5000,
  };
  if (noEtcd) suite.skip = noEtcd;
  kvConformanceSuite('etcd3', async () => Etcd3KV.connect({ endpoints: cluster!.endpoints }), suite);
}

describe('etcd3 driver on a real cluster', { skip: noEtcd, timeout: 5 * 60_000 }, () => {
  it('requestProgress resolves false on etcd older than 3.4.31', async () => {
    const cluster = await startEtcd();
    const kv = await Etcd3KV.connect({ endpoints: cluster.endpoints });
    try {
      const version = await kv.serverVersion();
      const m = /^3\.4\.(\d+)$/.exec(version);
      const rec = new WatchRecorder();
      const w = await kv.watch('/progress/', 0, rec);
      const ok = await w.requestProgress();
      if (m && Number(m[1]) < 31) assert.equal(ok, false, `etcd ${version}`);
      await w.close();
    } finally {
      await kv.close();
      await cluster.stop();
    }
  });

  it('connect fails with Unavailable when no member answers', async () => {
    const cluster = await startEtcd();
    const endpoints = cluster.endpoints;
    await cluster.stop();
    const started = Date.now();
    await assert.rejects(
      Etcd3KV.connect({ endpoints, dialTimeoutMs: 500 }),
      (err: unknown) => err instanceof KVError && err.code === 'Unavailable',
    );
    assert.ok(Date.now() - started < 10_000);
  });

  describe('three members, one killed at a time', () => {
    let cluster: EtcdCluster;
    let kv: KV;
    before(async () => {
      cluster = await startEtcd({ members: 3, progressNotifyIntervalMs: 500 });
      kv = await Etcd3KV.connect({ endpoints: cluster.endpoints });
    });
    after(async () => {
      await kv?.close();
      await cluster?.stop();
    });

    it('keeps reading, writing and watching without losing or repeating events', async () => {
      const prefix = '/failover/';
      const rec = new WatchRecorder();
      const watch = await kv.watch(prefix, 0, rec);
      const acked = new Map<string, number>();
      let stop = false;
      let transient = 0;

      // Writes one key until it is known to be written. A write whose member failed may have
      // been applied anyway: the retry then finds the key with our value and takes its revision.
      // Every 10th write is read back.
      const write = async (key: string): Promise<void> => {
        const value = `value of ${key}`;
        for (;;) {
          try {
            const r = await kv.create(key, bytes(value));
            if (r.succeeded) acked.set(key, r.revision);
            else {
              assert.equal(Buffer.from(r.kv!.value).toString(), value);
              acked.set(key, r.kv!.modRevision);
            }
            if (acked.size % 10 === 0) assert.equal((await kv.get(key)).kv?.modRevision, acked.get(key));
            return;
          } catch (err) {
            if (!(err instanceof KVError) || !['Unavailable', 'Timeout'].includes(err.code)) throw err;
            transient++;
            await sleep(50);
          }
        }
      };
      // Several writers, so a write stuck in an election (etcd drops proposals while there is
      // no leader and answers after its 7 s request timeout) does not stop the others.
      const writers = Array.from({ length: 6 }, async (_, lane) => {
        for (let i = 0; !stop; i++) await write(`${prefix}${lane}/${String(i).padStart(5, '0')}`);
      });
      const progress = async (what: string, more: number): Promise<void> => {
        const target = acked.size + more;
        await rec.until(`${more} more acknowledged writes ${what}`, () => acked.size >= target, 30_000);
      };

      await progress('before the first kill', 20);
      for (let member = 0; member < 3; member++) {
        await cluster.kill(member);
        await progress(`while member ${member} is down`, 30);
        await cluster.restart(member);
        await progress(`after member ${member} is back`, 30);
      }
      stop = true;
      await Promise.all(writers);

      const final = await kv.range(prefix, { end: prefixEnd(prefix) });
      assert.equal(final.count, acked.size, 'every acknowledged write is stored');
      for (const x of final.kvs) assert.equal(x.modRevision, acked.get(x.key), x.key);
      await rec.until('the watch to deliver every write', () => rec.events.length >= acked.size, 30_000);
      await sleep(200);
      assert.deepEqual(rec.errors, []);
      const seen = rec.events.map((e) => e.kv.modRevision);
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]! > seen[i - 1]!, 'strictly increasing, no repeats');
      const stored = final.kvs.map((x) => [x.key, x.modRevision] as const).sort((a, b) => a[1] - b[1]);
      assert.deepEqual(
        rec.events.map((e) => [e.kv.key, e.kv.modRevision]),
        stored,
        'the watch saw exactly the stored writes',
      );
      await watch.close();
    });
  });
});
