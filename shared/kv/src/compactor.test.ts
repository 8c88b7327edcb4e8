import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMPACT_REV_KEY, startCompactor } from './compactor.js';
import { MemoryKV } from './memory.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('startCompactor', () => {
  it('compacts to the revision seen one interval earlier and keeps the latest values', async () => {
    const kv = new MemoryKV();
    const compacted: number[] = [];
    const errors: unknown[] = [];
    const c = startCompactor(kv, { intervalMs: 40, onCompacted: (r) => compacted.push(r), onError: (e) => errors.push(e) });
    try {
      let rev = (await kv.create('/k', enc('0'))).revision;
      const history: number[] = [];
      const deadline = Date.now() + 5000;
      for (let i = 1; compacted.length < 3 && Date.now() < deadline; i++) {
        rev = (await kv.update('/k', enc(String(i)), rev)).revision;
        history.push(rev);
        await sleep(5);
      }
      assert.ok(compacted.length >= 3, 'compacted on several ticks');
      assert.deepEqual(errors, []);
      for (let i = 1; i < compacted.length; i++) assert.ok(compacted[i]! > compacted[i - 1]!);
      // Recent history is still readable: at least one interval's worth of writes after the
      // compacted revision.
      const last = compacted[compacted.length - 1]!;
      assert.equal(await kv.compactedRevision(), last);
      assert.ok(history.filter((r) => r > last).length > 0, 'writes after the compacted revision are kept');
      assert.ok(last < (await kv.currentRevision()));
      const latest = await kv.get('/k');
      assert.equal(latest.kv!.modRevision, rev);
      assert.ok((await kv.get(COMPACT_REV_KEY)).kv, 'the coordination key is kept');
    } finally {
      await c.stop();
      await kv.close();
    }
  });

  it('leaves an idle store alone', async () => {
    const kv = new MemoryKV();
    const c = startCompactor(kv, { intervalMs: 20 });
    try {
      await kv.create('/k', enc('x'));
      await sleep(120); // a few ticks: the first writes the key, the second compacts
      const settled = await kv.currentRevision();
      await sleep(150);
      assert.equal(await kv.currentRevision(), settled, 'no writes while idle');
    } finally {
      await c.stop();
      await kv.close();
    }
  });

  it('two compactors on one store take turns instead of both compacting', async () => {
    const kv = new MemoryKV();
    const byA: number[] = [];
    const byB: number[] = [];
    const errors: unknown[] = [];
    const a = startCompactor(kv, { intervalMs: 30, onCompacted: (r) => byA.push(r), onError: (e) => errors.push(e) });
    const b = startCompactor(kv, { intervalMs: 30, onCompacted: (r) => byB.push(r), onError: (e) => errors.push(e) });
    try {
      let rev = (await kv.create('/k', enc('0'))).revision;
      const deadline = Date.now() + 5000;
      for (let i = 1; byA.length + byB.length < 6 && Date.now() < deadline; i++) {
        rev = (await kv.update('/k', enc(String(i)), rev)).revision;
        await sleep(3);
      }
      assert.deepEqual(errors, []);
      const all = [...byA, ...byB].sort((x, y) => x - y);
      assert.ok(all.length >= 6);
      assert.equal(new Set(all).size, all.length, 'no revision was compacted twice');
    } finally {
      await a.stop();
      await b.stop();
      await kv.close();
    }
  });
});
