// Etcd3KV's writes when a request fails in flight, on a real single-member etcd (skipped when
// etcd is not on PATH). Faults are injected between the driver and the gRPC client: a txn can be
// sent to etcd and its answer replaced by an error (applied, answer lost), or fail without being
// sent at all. (The conformance suite and the 3-member kill test live in @kapi/testing.)

import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ConnectionPool } from 'etcd3/lib/connection-pool.js';
import type { ITxnResponse } from 'etcd3';
import { Etcd3KV } from './etcd3.js';
import { KVError, type KeyValue } from './kv.js';

const etcdBinary = (process.env['PATH'] ?? '')
  .split(delimiter)
  .filter(Boolean)
  .map((dir) => join(dir, 'etcd'))
  .find((candidate) => {
    try {
      accessSync(candidate, fsConstants.X_OK);
      return true;
    } catch {
      return false;
    }
  });

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (value: Uint8Array | undefined): string | undefined => (value ? Buffer.from(value).toString() : undefined);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startEtcd(binary: string): Promise<{ endpoint: string; stop(): Promise<void> }> {
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'kapi-etcd3-test-'));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const child: ChildProcess = spawn(
    binary,
    [
      '--name', 'm0',
      '--data-dir', join(dir, 'm0'),
      '--listen-client-urls', client,
      '--advertise-client-urls', client,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `m0=${peer}`,
      '--logger', 'zap',
    ],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    endpoint: client,
    async stop() {
      child.kill('SIGKILL');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** What the injected fault does with one RPC: `send` passes it on to etcd. */
type Fault = (call: { method: string; attempt: number }, send: () => Promise<unknown>) => Promise<unknown>;

/** Routes every unary RPC of `kv` through `fault` (the default passes everything through).
 * Returns a setter for the fault and counters of the RPCs attempted and sent per method. */
function injectFaults(kv: Etcd3KV): { set(fault: Fault | undefined): void; attempts: Map<string, number>; sent: Map<string, number> } {
  const pool = (kv as unknown as { pool: ConnectionPool }).pool;
  const attempts = new Map<string, number>();
  const sent = new Map<string, number>();
  let fault: Fault | undefined;
  const original = pool.withConnection.bind(pool);
  pool.withConnection = ((service, fn, hosts) =>
    original(
      service,
      (args) => {
        if (service !== 'KV') return fn(args);
        const real = args.client as unknown as Record<string | symbol, unknown>;
        const client = new Proxy(real, {
          get(target, prop) {
            const value = Reflect.get(target, prop, target) as unknown;
            if (typeof value !== 'function') return value;
            if (typeof prop !== 'string' || !['range', 'txn', 'deleteRange', 'compact'].includes(prop)) return value.bind(target);
            return (req: unknown, md: unknown, opts: unknown, callback: (err: Error | null, res?: unknown) => void) => {
              const attempt = (attempts.get(prop) ?? 0) + 1;
              attempts.set(prop, attempt);
              const send = (): Promise<unknown> =>
                new Promise((resolve, reject) => {
                  sent.set(prop, (sent.get(prop) ?? 0) + 1);
                  (value as (...a: unknown[]) => void).call(target, req, md, opts, (err: Error | null, res: unknown) => (err ? reject(err) : resolve(res)));
                });
              (fault ? fault({ method: prop, attempt }, send) : send()).then(
                (res) => callback(null, res),
                (err: Error) => callback(err),
              );
            };
          },
        });
        return fn({ ...args, client: client as unknown as typeof args.client });
      },
      hosts,
    )) as typeof pool.withConnection;
  return {
    set(f) {
      fault = f;
      attempts.clear();
      sent.clear();
    },
    attempts,
    sent,
  };
}

/** An error as grpc-js reports it to a unary callback. */
function grpcError(code: number, name: string, details: string): Error {
  return Object.assign(new Error(`${code} ${name}: ${details}`), { code, details });
}
const dropped = (): Error => grpcError(14, 'UNAVAILABLE', 'Connection dropped');
const refused = (): Error => grpcError(14, 'UNAVAILABLE', 'No connection established. Last error: connect ECONNREFUSED 127.0.0.1:1');
const deadline = (): Error => grpcError(4, 'DEADLINE_EXCEEDED', 'Deadline exceeded after 10.000s,remote_addr=127.0.0.1:2379');

/** Applied by etcd, answer lost (the first txn only). */
const appliedThen =
  (err: () => Error, between?: (res: ITxnResponse) => Promise<void>): Fault =>
  async ({ method, attempt }, send) => {
    const res = await send();
    if (method !== 'txn' || attempt > 1) return res;
    await between?.(res as ITxnResponse);
    throw err();
  };

/** Lost before etcd saw it (the first txn only). */
const lostThen =
  (err: () => Error, between?: () => Promise<void>): Fault =>
  async ({ method, attempt }, send) => {
    if (method !== 'txn' || attempt > 1) return send();
    await between?.();
    throw err();
  };

async function rejectsWith(promise: Promise<unknown>, code: KVError['code']): Promise<void> {
  await assert.rejects(promise, (err: unknown) => {
    assert.ok(err instanceof KVError, String(err));
    assert.equal(err.code, code, err.message);
    return true;
  });
}

describe('etcd3 driver: writes whose answer is lost', { skip: etcdBinary ? undefined : 'etcd is not on PATH', timeout: 120_000 }, () => {
  let etcd: { endpoint: string; stop(): Promise<void> };
  let kv: Etcd3KV;
  let other: Etcd3KV;
  let faults: ReturnType<typeof injectFaults>;
  let n = 0;
  let key: string;

  before(async () => {
    etcd = await startEtcd(etcdBinary!);
    kv = await Etcd3KV.connect({ endpoints: [etcd.endpoint], dialTimeoutMs: 20_000 });
    other = await Etcd3KV.connect({ endpoints: [etcd.endpoint] });
    faults = injectFaults(kv);
  });
  after(async () => {
    await kv?.close();
    await other?.close();
    await etcd?.stop();
  });
  beforeEach(() => {
    faults.set(undefined);
    key = `/lost/${++n}`;
  });

  /** The key's current kv, read through the other client. */
  const stored = async (): Promise<KeyValue | undefined> => (await other.get(key)).kv;

  it('create: applied, answer lost -> success once, with its revision', async () => {
    faults.set(appliedThen(dropped));
    const r = await kv.create(key, bytes('mine'));
    assert.equal(faults.sent.get('txn'), 1, 'the txn is not sent again');
    assert.equal(r.succeeded, true);
    const kvNow = await stored();
    assert.equal(r.revision, kvNow?.modRevision);
    assert.deepEqual({ ...r.kv, value: text(r.kv?.value) }, { ...kvNow, value: 'mine' });
    assert.equal(kvNow?.version, 1, 'written once');
  });

  it('create: applied, then updated by another writer, answer lost -> success at the create', async () => {
    faults.set(appliedThen(dropped, async (res) => {
      await other.update(key, bytes('theirs'), Number(res.header.revision));
    }));
    const r = await kv.create(key, bytes('mine'));
    const kvNow = await stored();
    assert.equal(r.succeeded, true);
    assert.equal(r.revision, kvNow?.createRevision);
    assert.equal(text(r.kv?.value), 'mine');
    assert.equal(r.kv?.version, 1);
    assert.equal(faults.sent.get('txn'), 1);
  });

  it('create: not applied -> Unavailable, never AlreadyExists', async () => {
    faults.set(lostThen(dropped));
    await rejectsWith(kv.create(key, bytes('mine')), 'Unavailable');
    assert.equal(faults.sent.get('txn') ?? 0, 0);
    assert.equal(await stored(), undefined);
    // The caller's retry (the API's 503 is retryable) then creates it.
    faults.set(undefined);
    assert.equal((await kv.create(key, bytes('mine'))).succeeded, true);
  });

  it('create: not applied, another writer created the key -> the real AlreadyExists', async () => {
    faults.set(lostThen(dropped, async () => {
      await other.create(key, bytes('theirs'));
    }));
    const r = await kv.create(key, bytes('mine'));
    assert.equal(r.succeeded, false);
    assert.equal(text(r.kv?.value), 'theirs');
  });

  it('create: an existing key, answer lost -> AlreadyExists', async () => {
    await other.create(key, bytes('old'));
    faults.set(appliedThen(dropped));
    const r = await kv.create(key, bytes('mine'));
    assert.equal(r.succeeded, false);
    assert.equal(text(r.kv?.value), 'old');
  });

  it('update: applied, answer lost -> success once, with its revision and kvs', async () => {
    const c = await kv.create(key, bytes('v1'));
    faults.set(appliedThen(dropped));
    const r = await kv.update(key, bytes('v2'), c.revision);
    assert.equal(faults.sent.get('txn'), 1);
    assert.equal(r.succeeded, true);
    const kvNow = await stored();
    assert.equal(r.revision, kvNow?.modRevision);
    assert.deepEqual({ ...r.kv, value: text(r.kv?.value) }, { ...kvNow, value: 'v2' });
    assert.equal(r.prevKv?.modRevision, c.revision);
    assert.equal(text(r.prevKv?.value), 'v1');
    assert.equal(kvNow?.version, 2, 'written once');
  });

  it('update: applied, then overwritten by another writer, answer lost -> success at our write', async () => {
    const c = await kv.create(key, bytes('v1'));
    let ours = 0;
    faults.set(appliedThen(dropped, async (res) => {
      ours = Number(res.header.revision);
      for (let i = 0, rev = ours; i < 3; i++) rev = (await other.update(key, bytes(`theirs ${i}`), rev)).revision;
    }));
    const r = await kv.update(key, bytes('v2'), c.revision);
    assert.equal(r.succeeded, true);
    assert.equal(r.revision, ours);
    assert.equal(r.kv?.modRevision, ours);
    assert.equal(text(r.kv?.value), 'v2');
    assert.equal(r.prevKv?.modRevision, c.revision);
  });

  it('update: not applied -> Unavailable, never Conflict; lost to another writer -> the real Conflict', async () => {
    const c = await kv.create(key, bytes('v1'));
    faults.set(lostThen(dropped));
    await rejectsWith(kv.update(key, bytes('v2'), c.revision), 'Unavailable');
    assert.equal((await stored())?.modRevision, c.revision);

    faults.set(lostThen(dropped, async () => {
      await other.update(key, bytes('theirs'), c.revision);
    }));
    const r = await kv.update(key, bytes('v2'), c.revision);
    assert.equal(r.succeeded, false);
    assert.equal(text(r.kv?.value), 'theirs');
  });

  it('update: not applied, key deleted by another writer -> failed (NotFound)', async () => {
    const c = await kv.create(key, bytes('v1'));
    faults.set(lostThen(dropped, async () => {
      await other.delete(key, c.revision);
    }));
    const r = await kv.update(key, bytes('v2'), c.revision);
    assert.equal(r.succeeded, false);
    assert.equal(r.kv, undefined);
  });

  it('delete: applied, answer lost -> success once, with the deleted kv', async () => {
    const c = await kv.create(key, bytes('v1'));
    let ours = 0;
    faults.set(appliedThen(dropped, async (res) => {
      ours = Number(res.header.revision);
    }));
    const r = await kv.delete(key, c.revision);
    assert.equal(faults.sent.get('txn'), 1);
    assert.equal(r.succeeded, true);
    assert.equal(r.revision, ours);
    assert.equal(r.prevKv?.modRevision, c.revision);
    assert.equal(text(r.prevKv?.value), 'v1');
    assert.equal(await stored(), undefined);
  });

  it('delete: applied, key created again by another writer, answer lost -> success', async () => {
    const c = await kv.create(key, bytes('v1'));
    let ours = 0;
    faults.set(appliedThen(dropped, async (res) => {
      ours = Number(res.header.revision);
      await other.create(key, bytes('again'));
    }));
    const r = await kv.delete(key, c.revision);
    assert.equal(r.succeeded, true);
    assert.equal(r.revision, ours);
    assert.equal(text((await stored())?.value), 'again');
  });

  it('delete: not applied, key updated by another writer -> the real Conflict', async () => {
    const c = await kv.create(key, bytes('v1'));
    faults.set(lostThen(dropped, async () => {
      await other.update(key, bytes('theirs'), c.revision);
    }));
    const r = await kv.delete(key, c.revision);
    assert.equal(r.succeeded, false);
    assert.equal(text(r.kv?.value), 'theirs');
  });

  it('unconditional delete: applied, answer lost -> success once', async () => {
    const c = await kv.create(key, bytes('v1'));
    faults.set(appliedThen(dropped));
    const r = await kv.delete(key);
    assert.equal(r.succeeded, true);
    assert.equal(r.prevKv?.modRevision, c.revision);
    assert.equal(faults.sent.get('txn'), 1);
    assert.equal(await stored(), undefined);
  });

  it('a timed-out write is resolved too: applied -> success; not applied -> Timeout', async () => {
    faults.set(appliedThen(deadline));
    const r = await kv.create(key, bytes('mine'));
    assert.equal(r.succeeded, true);
    assert.equal(r.revision, (await stored())?.modRevision);

    faults.set(lostThen(deadline));
    await rejectsWith(kv.update(key, bytes('v2'), r.revision), 'Timeout');
    assert.equal(faults.sent.get('txn') ?? 0, 0, 'not sent again');
  });

  it('a write refused before it was sent is sent again, and applied once', async () => {
    faults.set(lostThen(refused));
    const r = await kv.create(key, bytes('mine'));
    assert.equal(r.succeeded, true);
    assert.equal(faults.attempts.get('txn'), 2);
    assert.equal(faults.sent.get('txn'), 1);
    assert.equal((await stored())?.version, 1);
  });

  it('reads are still retried after a dropped connection', async () => {
    await other.create(key, bytes('v1'));
    faults.set(async ({ method, attempt }, send) => {
      if (method === 'range' && attempt === 1) throw dropped();
      return send();
    });
    assert.equal(text((await kv.get(key)).kv?.value), 'v1');
    assert.equal(faults.attempts.get('range'), 2);
  });

  it('writes skip a member that refuses connections', async () => {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const order = ConnectionPool.deterministicOrder;
    // Deterministic order tries the hosts from the last one: the dead member first.
    ConnectionPool.deterministicOrder = true;
    const two = await Etcd3KV.connect({ endpoints: [etcd.endpoint, dead] });
    try {
      const f = injectFaults(two);
      const errors: string[] = [];
      f.set(async ({ method }, send) => {
        try {
          return await send();
        } catch (err) {
          if (method === 'txn') errors.push((err as Error).message);
          throw err;
        }
      });
      for (let i = 0; i < 5; i++) {
        const r = await two.create(`${key}/${i}`, bytes('mine'));
        assert.equal(r.succeeded, true);
        assert.equal((await other.get(`${key}/${i}`)).kv?.version, 1);
      }
      assert.ok(
        errors.some((m) => m.includes('No connection established')),
        `a write met the refusing member: ${JSON.stringify(errors)}`,
      );
      assert.equal(f.sent.get('txn'), 5 + errors.length, 'each refused attempt sent again, each write applied once');
    } finally {
      ConnectionPool.deterministicOrder = order;
      await two.close();
    }
  });
});
