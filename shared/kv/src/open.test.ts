import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { KVError } from './kv.js';
import { openKV } from './open.js';

describe('openKV', () => {
  it('opens a memory store', async () => {
    const kv = await openKV({ driver: 'memory' });
    assert.equal(kv.driver, 'memory');
    assert.equal((await kv.create('/a', new Uint8Array([1]))).revision, 1);
    await kv.close();
  });

  it('opens a sqlite file, creating its directory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kapi-open-'));
    try {
      const path = join(dir, 'nested', 'data', 'kv.db');
      const kv = await openKV({ driver: 'sqlite', path });
      assert.equal(kv.driver, 'sqlite');
      await kv.create('/a', new Uint8Array([1]));
      await kv.close();
      assert.ok(existsSync(path));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('fails with Unavailable after dialTimeoutMs when no etcd member answers', async () => {
    const started = Date.now();
    await assert.rejects(
      openKV({ driver: 'etcd3', endpoints: ['http://127.0.0.1:1'], dialTimeoutMs: 300 }),
      (err: unknown) => err instanceof KVError && err.code === 'Unavailable',
    );
    assert.ok(Date.now() - started < 5000);
  });
});
