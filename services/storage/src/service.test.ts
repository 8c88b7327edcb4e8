// The storage service on a bus: what GET answers for a resourceVersion, the KV health probe's
// deadline, and close() waiting for a running compaction.

import assert from 'node:assert/strict';
import { afterEach, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { type KubeObject, StatusError, withDeadline } from '@kapi/apimachinery';
import { InProcessBus, StorageRpc, type ResourceRef } from '@kapi/bus';
import { MemoryKV } from '@kapi/kv';
import { startStorage, type StorageService } from './service.js';
import { RecordingAdmitter, scope, writeOptions } from './testing-support.js';

/** A MemoryKV whose currentRevision can be held until released. */
class GatedKV extends MemoryKV {
  private gate: { promise: Promise<void>; release: () => void } | undefined;
  /** Resolves on the next currentRevision call made while the gate is closed. */
  private waiting: (() => void) | undefined;

  hold(): Promise<void> {
    let release!: () => void;
    const promise = new Promise<void>((resolve) => (release = resolve));
    this.gate = { promise, release };
    return new Promise<void>((resolve) => (this.waiting = resolve));
  }

  release(): void {
    const gate = this.gate;
    this.gate = undefined;
    gate?.release();
  }

  override async currentRevision(): Promise<number> {
    const gate = this.gate;
    if (gate) {
      this.waiting?.();
      this.waiting = undefined;
      await gate.promise;
    }
    return super.currentRevision();
  }
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function start(opts: { kv?: MemoryKV; healthTimeoutMs?: number; compactionIntervalMs?: number } = {}): Promise<{ bus: InProcessBus; kv: MemoryKV; storage: StorageService }> {
  const bus = new InProcessBus();
  const kv = opts.kv ?? new MemoryKV();
  const storage = await startStorage({
    bus,
    kv,
    admitter: new RecordingAdmitter(),
    compactionIntervalMs: opts.compactionIntervalMs ?? 0,
    healthTimeoutMs: opts.healthTimeoutMs,
  });
  cleanups.push(async () => {
    await storage.close();
    await bus.close();
  });
  return { bus, kv, storage };
}

const configMapRef = (name: string): ResourceRef => ({ group: '', version: 'v1', resource: 'configmaps', namespace: 'ns', name, subresource: '' });

async function rejection(promise: Promise<unknown>): Promise<StatusError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof StatusError, `expected a StatusError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected the request to fail');
}

describe('GET over the bus', () => {
  test('the request\'s resourceVersion is honoured: current state, 504 too large, 500 unparsable', async () => {
    const { bus, kv, storage } = await start();
    await storage.registry.create(scope('namespaces', ''), { metadata: { name: 'ns' } }, writeOptions());
    const created = (await storage.registry.create(scope('configmaps', 'ns'), { metadata: { name: 'cm' } }, writeOptions())).object as KubeObject;
    const revision = await kv.currentRevision();

    for (const resourceVersion of ['', '0', String(revision)]) {
      const reply = await bus.request(StorageRpc.get, { ref: configMapRef('cm'), resourceVersion });
      assert.deepEqual(JSON.parse(Buffer.from(reply.object).toString('utf8')), created, resourceVersion);
    }

    const tooLarge = await rejection(bus.request(StorageRpc.get, { ref: configMapRef('cm'), resourceVersion: String(revision + 5) }));
    assert.equal(tooLarge.status.code, 504);
    assert.equal(tooLarge.status.reason, 'Timeout');
    assert.equal(tooLarge.status.message, `Timeout: Too large resource version: ${revision + 5}, current: ${revision}`);
    assert.deepEqual(tooLarge.status.details?.causes, [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }]);

    const invalid = await rejection(bus.request(StorageRpc.get, { ref: configMapRef('cm'), resourceVersion: 'x1' }));
    assert.equal(invalid.status.code, 500);
    assert.equal(invalid.status.message, 'resourceVersion: Invalid value: "x1": strconv.ParseUint: parsing "x1": invalid syntax');
  });
});

describe('health', () => {
  test('a KV that does not answer fails the etcd check at the deadline', async () => {
    const kv = new GatedKV();
    const { bus } = await start({ kv, healthTimeoutMs: 50 });
    void kv.hold();
    const reply = await bus.request(StorageRpc.health, {});
    kv.release();
    assert.deepEqual(reply.checks, [{ name: 'etcd', ok: false, message: 'no answer in 50ms' }]);
  });

  test('a KV that answers leaves no deadline timer behind', async (t) => {
    const HEALTH_TIMEOUT_MS = 43_210;
    const { bus } = await start({ healthTimeoutMs: HEALTH_TIMEOUT_MS });
    // Every timer armed with the health deadline, and whether it was cleared.
    const armed = new Map<unknown, boolean>();
    const realSet = globalThis.setTimeout;
    const realClear = globalThis.clearTimeout;
    t.mock.method(globalThis, 'setTimeout', ((fn: () => void, ms?: number) => {
      const timer = realSet(fn, ms);
      if (ms === HEALTH_TIMEOUT_MS) armed.set(timer, false);
      return timer;
    }) as typeof setTimeout);
    t.mock.method(globalThis, 'clearTimeout', ((timer: Parameters<typeof clearTimeout>[0]) => {
      if (armed.has(timer)) armed.set(timer, true);
      realClear(timer);
    }) as typeof clearTimeout);
    const reply = await bus.request(StorageRpc.health, {});
    assert.deepEqual(reply.checks, [{ name: 'etcd', ok: true, message: '' }]);
    assert.equal(armed.size, 1, 'one deadline timer');
    assert.deepEqual([...armed.values()], [true], 'the deadline timer was cleared');
  });
});

describe('close', () => {
  test('waits for a compaction that is running', async () => {
    const kv = new GatedKV();
    const { storage } = await start({ kv, compactionIntervalMs: 5 });
    // The compactor's tick starts by reading the current revision: hold it there. (Its timer
    // does not keep the process alive; the deadline's does.)
    await withDeadline(kv.hold(), 5_000, () => new Error('no compaction started'));
    let closed = false;
    const closing = storage.close().then(() => (closed = true));
    await sleep(30);
    assert.equal(closed, false, 'close() returned while a compaction was running');
    kv.release();
    await closing;
    assert.equal(closed, true);
  });
});
