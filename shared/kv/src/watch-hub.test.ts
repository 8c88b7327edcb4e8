// The log-fed watch hub (through MemoryKV): catch-up in small batches while writes continue,
// the hand-over from catching up to the shared feed, per-watch value copies, and compaction
// racing a lagging watcher.

import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { KVError, type WatchEvent, type WatchHandler } from './kv.js';
import { MemoryKV } from './memory.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

function recorder(): WatchHandler & { events: WatchEvent[]; errors: KVError[]; progress: number[] } {
  const r = {
    events: [] as WatchEvent[],
    errors: [] as KVError[],
    progress: [] as number[],
    onEvents(e: WatchEvent[]) {
      r.events.push(...e);
    },
    onError(e: KVError) {
      r.errors.push(e);
    },
    onProgress(rev: number) {
      r.progress.push(rev);
    },
  };
  return r;
}

async function until(ready: () => boolean, what: string, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

describe('WatchHub', () => {
  it('a catching-up watcher joins the live feed without gaps or repeats while writes continue', async () => {
    const kv = new MemoryKV({ batchSize: 7, roundsPerPump: 1 });
    const first = await kv.create('/a/0', enc('0'));
    for (let i = 1; i < 300; i++) await kv.create(`/a/${i}`, enc(String(i)));
    const old = recorder();
    const live = recorder();
    await kv.watch('/a/', 0, live);
    await kv.watch('/a/', first.revision, old);
    // Keep writing while the old watcher catches up, 7 events per pump.
    for (let i = 300; i < 400; i++) {
      await kv.create(`/a/${i}`, enc(String(i)));
      if (i % 10 === 0) await new Promise((r) => setImmediate(r));
    }
    const last = await kv.currentRevision();
    await until(() => old.events.length === 400 && live.events.length === 100, 'both watchers to catch up');
    assert.deepEqual(
      old.events.map((e) => e.kv.modRevision),
      Array.from({ length: 400 }, (_, i) => first.revision + i),
    );
    assert.deepEqual(
      live.events.map((e) => e.kv.modRevision),
      Array.from({ length: 100 }, (_, i) => last - 99 + i),
    );
    await kv.close();
  });

  it('gives every watcher its own copy of shared events', async () => {
    const kv = new MemoryKV();
    const a = recorder();
    const b = recorder();
    await kv.watch('/v/', 0, a);
    await kv.watch('/v/', 0, b);
    await kv.create('/v/x', enc('same'));
    await until(() => a.events.length === 1 && b.events.length === 1, 'both watchers');
    a.events[0]!.kv.value[0] = 0;
    assert.equal(new TextDecoder().decode(b.events[0]!.kv.value), 'same');
    assert.equal(new TextDecoder().decode((await kv.get('/v/x')).kv!.value), 'same');
    await kv.close();
  });

  it('a watcher still catching up when history is compacted ends with Compacted', async () => {
    const kv = new MemoryKV({ batchSize: 5, roundsPerPump: 1 });
    const first = await kv.create('/c/0', enc('0'));
    for (let i = 1; i < 100; i++) await kv.create(`/c/${i}`, enc(String(i)));
    const lagging = recorder();
    await kv.watch('/c/', first.revision, lagging);
    await new Promise((r) => setImmediate(r)); // one catch-up step (5 events)
    await kv.compact(await kv.currentRevision());
    await until(() => lagging.errors.length === 1, 'the Compacted error');
    assert.equal(lagging.errors[0]!.code, 'Compacted');
    const delivered = lagging.events.map((e) => e.kv.modRevision);
    assert.deepEqual(delivered, Array.from({ length: delivered.length }, (_, i) => first.revision + i), 'no gap before the error');
    assert.ok(delivered.length < 100);
    await kv.close();
  });

  it('a watch opened from inside a handler misses nothing of the batch being delivered', async () => {
    const kv = new MemoryKV();
    const inner = recorder();
    let opened = false;
    await kv.watch('/r/', 0, {
      onEvents: (events) => {
        if (opened) return;
        opened = true;
        void kv.watch('/r/', events[0]!.kv.modRevision + 1, inner);
      },
      onError: (err) => assert.fail(err),
    });
    // Ten writes in one tick: the outer watch gets them in one batch.
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => kv.create(`/r/${i}`, enc(String(i)))));
    await until(() => inner.events.length >= 9, 'the inner watch');
    assert.deepEqual(
      inner.events.map((e) => e.kv.modRevision),
      results.slice(1).map((r) => r.revision),
    );
    await kv.close();
  });

  it('a requested progress notification follows every event up to its revision', async () => {
    const kv = new MemoryKV({ batchSize: 3, roundsPerPump: 1 });
    const r = recorder();
    const w = await kv.watch('/p/', 0, r);
    for (let i = 0; i < 20; i++) await kv.create(`/p/${i}`, enc(String(i)));
    const target = await kv.currentRevision();
    assert.equal(await w.requestProgress(), true);
    await until(() => r.progress.length > 0, 'a progress notification');
    assert.ok(r.progress[0]! >= target);
    assert.equal(r.events.length, 20);
    await kv.close();
  });
});
