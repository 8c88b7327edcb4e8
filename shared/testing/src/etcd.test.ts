import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Etcd3KV } from '@kapi/kv';
import { etcdAvailable, startEtcd } from './etcd.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('startEtcd', { skip: etcdAvailable() ? undefined : 'etcd is not on PATH', timeout: 120_000 }, () => {
  it('starts a healthy member on loopback and removes its temp dir on stop', async () => {
    const cluster = await startEtcd();
    const member = cluster.members[0]!;
    try {
      assert.equal(cluster.endpoints.length, 1);
      assert.match(member.clientUrl, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.ok(member.pid > 0);
      assert.ok(existsSync(member.logFile), 'logs go to a file');
      const kv = await Etcd3KV.connect({ endpoints: cluster.endpoints });
      assert.equal((await kv.create('/h', enc('x'))).succeeded, true);
      await kv.close();
    } finally {
      await cluster.stop();
    }
    assert.equal(existsSync(member.dataDir), false, 'temp data removed');
    await cluster.stop(); // idempotent
  });

  it('a given data dir keeps the data and the ports across stop and start', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kapi-etcd-keep-'));
    try {
      const first = await startEtcd({ dataDir: dir });
      let kv = await Etcd3KV.connect({ endpoints: first.endpoints });
      const written = await kv.create('/kept', enc('v'));
      await kv.close();
      await first.stop();
      assert.ok(existsSync(join(dir, 'm0')), 'data dir kept');

      const second = await startEtcd({ dataDir: dir });
      try {
        assert.deepEqual(second.endpoints, first.endpoints);
        kv = await Etcd3KV.connect({ endpoints: second.endpoints });
        assert.equal((await kv.get('/kept')).kv?.modRevision, written.revision);
        await kv.close();
      } finally {
        await second.stop();
      }
      await assert.rejects(startEtcd({ dataDir: dir, members: 3 }), /1-member/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('kill and restart one member of three', async () => {
    const cluster = await startEtcd({ members: 3 });
    try {
      assert.equal(new Set(cluster.endpoints).size, 3);
      const pid = cluster.members[1]!.pid;
      await cluster.kill(1);
      assert.equal(cluster.members[1]!.pid, 0);
      assert.throws(() => process.kill(pid, 0), 'the process is gone');
      const kv = await Etcd3KV.connect({ endpoints: [cluster.endpoints[0]!, cluster.endpoints[2]!] });
      assert.equal((await kv.create('/during', enc('x'))).succeeded, true, 'two of three still serve');
      await kv.close();
      await cluster.restart(1);
      assert.ok(cluster.members[1]!.pid > 0 && cluster.members[1]!.pid !== pid);
      const direct = await Etcd3KV.connect({ endpoints: [cluster.endpoints[1]!] });
      assert.ok((await direct.get('/during')).kv, 'the restarted member caught up');
      await direct.close();
    } finally {
      await cluster.stop();
    }
  });
});
