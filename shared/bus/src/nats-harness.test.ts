// The nats-server harness of @kapi/testing (startNats), tested here because it exists for the
// bus tests and the testing package has no tests of its own for it.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { natsAvailable, startNats } from '@kapi/testing';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The INFO line a NATS server greets a client with. */
function info(port: number): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const s = connect({ host: '127.0.0.1', port });
    let buf = '';
    s.on('error', reject);
    s.on('data', (c) => {
      buf += c.toString();
      const end = buf.indexOf('\r\n');
      if (end >= 0) {
        s.destroy();
        resolve(JSON.parse(buf.slice(5, end)) as Record<string, unknown>);
      }
    });
  });
}

describe('startNats', { skip: natsAvailable() ? false : 'nats-server is not on PATH' }, () => {
  it('starts on 127.0.0.1 with max_payload 8 MiB, restarts on the same port, and cleans up', async () => {
    const nats = await startNats();
    assert.ok(nats.dir.startsWith(tmpdir()) && existsSync(nats.dir), 'a temp dir of its own');
    try {
      assert.equal(nats.url, `nats://127.0.0.1:${nats.port}`);
      const first = await info(nats.port);
      assert.equal(first.max_payload, 8 * 1024 * 1024);
      assert.equal(first.host, '127.0.0.1');
      assert.equal(first.auth_required, undefined);
      const pid = nats.pid;
      assert.ok(alive(pid));

      await nats.restart();
      assert.notEqual(nats.pid, pid);
      assert.equal(alive(pid), false, 'the old process is gone');
      assert.notEqual((await info(nats.port)).server_id, first.server_id, 'a new server answers on the same port');

      await nats.kill('SIGKILL');
      await assert.rejects(info(nats.port));
      await nats.restart();
      assert.ok((await info(nats.port)).server_id);
    } finally {
      const pid = nats.pid;
      await nats.stop();
      await nats.stop(); // idempotent
      assert.equal(alive(pid), false);
    }
    // Only its own dir: other tests (and other processes) start servers in tmpdir concurrently.
    assert.equal(existsSync(nats.dir), false, 'its temp dir is removed');
    await assert.rejects(nats.restart(), /stopped/);
  });

  it('writes its config into a given dir and leaves the dir alone', async () => {
    const dir = await mkdtemp(path.join(tmpdir(), 'kapi-harness-test-'));
    try {
      const nats = await startNats({ dir });
      const conf = await readFile(path.join(dir, `nats-${nats.port}.conf`), 'utf8');
      assert.match(conf, /listen: 127\.0\.0\.1:\d+/);
      assert.match(conf, /max_payload: 8MB/);
      assert.doesNotMatch(conf, /http|monitor|authorization|jetstream/i);
      await nats.stop();
      assert.ok(existsSync(dir));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('fails with the server log when the port is taken', async () => {
    const a = await startNats();
    try {
      await assert.rejects(startNats({ port: a.port, startTimeoutMs: 3000 }), /exited|did not accept/);
    } finally {
      await a.stop();
    }
  });
});
