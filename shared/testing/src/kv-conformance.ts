// The KV conformance suite: the same node:test tests for every driver, holding each to etcd's
// semantics as written in shared/kv/src/kv.ts.
//
// open() is called before each test and the KV closed after it; it may return a fresh store
// (memory, a new sqlite file) or a new client of a shared one (etcd), so every test works under
// its own key prefix and reasons only about revisions relative to what it wrote itself. Tests
// within the suite run one after another (the compaction test relies on that).

import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import {
  DEFAULT_MAX_REQUEST_BYTES,
  KVError,
  prefixEnd,
  type KV,
  type KVErrorCode,
  type KeyValue,
  type Watch,
  type WatchEvent,
  type WatchHandler,
} from '@kapi/kv';

export interface KVConformanceOptions {
  /** What Watch.requestProgress() must do: resolve true and deliver a progress notification
   * ('supported'), resolve false ('unsupported'), or either, checked accordingly ('either'). */
  requestProgress?: 'supported' | 'unsupported' | 'either';
  /** Idle watches must get a periodic progress notification within this many ms (omit: the
   * store is not expected to send them within a test's lifetime). */
  periodicProgressWithinMs?: number;
  /** Runs before the first test / after the last (start and stop a server). */
  setup?: () => Promise<void>;
  teardown?: () => Promise<void>;
  /** Skips the suite, with the reason. */
  skip?: string;
  /** Per-test timeout (default 30 s). */
  timeoutMs?: number;
}

/** Records what a watch delivered and lets a test wait for it. */
export class WatchRecorder implements WatchHandler {
  readonly events: WatchEvent[] = [];
  readonly batches: WatchEvent[][] = [];
  /** Progress revisions, with the number of events delivered before each. */
  readonly progress: { revision: number; eventsBefore: number }[] = [];
  readonly errors: KVError[] = [];

  onEvents(events: WatchEvent[]): void {
    this.batches.push(events);
    this.events.push(...events);
  }

  onProgress(revision: number): void {
    this.progress.push({ revision, eventsBefore: this.events.length });
  }

  onError(err: KVError): void {
    this.errors.push(err);
  }

  /** Waits until `ready()` holds; fails the test with `what` after `timeoutMs`. */
  async until(what: string, ready: () => boolean, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!ready()) {
      if (Date.now() > deadline) {
        assert.fail(`timed out waiting for ${what} (events: ${this.events.length}, errors: ${this.errors.map((e) => e.code).join(',')})`);
      }
      await sleep(5);
    }
  }

  untilEvents(count: number, timeoutMs?: number): Promise<void> {
    return this.until(`${count} events`, () => this.events.length >= count || this.errors.length > 0, timeoutMs);
  }
}

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function assertBytes(actual: Uint8Array, expected: Uint8Array, what = 'value'): void {
  assert.ok(actual instanceof Uint8Array, `${what} is not a Uint8Array`);
  assert.equal(actual.byteLength, expected.byteLength, `${what}: length`);
  assert.ok(Buffer.from(actual.buffer, actual.byteOffset, actual.byteLength).equals(Buffer.from(expected)), `${what}: bytes differ`);
}

/** Compares two kvs field by field (values as bytes). */
export function assertKv(actual: KeyValue | undefined, expected: KeyValue | undefined, what = 'kv'): void {
  if (expected === undefined) {
    assert.equal(actual, undefined, `${what} should be absent`);
    return;
  }
  assert.ok(actual, `${what} should be present`);
  assert.equal(actual.key, expected.key, `${what}.key`);
  assert.equal(actual.createRevision, expected.createRevision, `${what}.createRevision`);
  assert.equal(actual.modRevision, expected.modRevision, `${what}.modRevision`);
  assert.equal(actual.version, expected.version, `${what}.version`);
  assertBytes(actual.value, expected.value, `${what}.value`);
}

export async function assertKVError<T>(promise: Promise<T>, code: KVErrorCode, what: string): Promise<KVError> {
  try {
    await promise;
  } catch (err) {
    assert.ok(err instanceof KVError, `${what}: expected KVError ${code}, got ${String(err)}`);
    assert.equal(err.code, code, `${what}: ${err.message}`);
    return err;
  }
  assert.fail(`${what}: expected KVError ${code}, but it succeeded`);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export function kvConformanceSuite(name: string, open: () => Promise<KV>, opts: KVConformanceOptions = {}): void {
  const suiteOptions: { timeout: number; skip?: string } = { timeout: 10 * 60_000 };
  if (opts.skip) suiteOptions.skip = opts.skip;
  describe(`KV conformance: ${name}`, suiteOptions, () => {
    const run = randomBytes(4).toString('hex');
    let counter = 0;
    let kv: KV;
    let prefix: string;
    const watches: Watch[] = [];
    const timeout = opts.timeoutMs ?? 30_000;

    if (opts.setup) before(opts.setup);
    if (opts.teardown) after(opts.teardown);

    beforeEach(async () => {
      kv = await open();
      prefix = `/conformance/${run}/${++counter}/`;
    });

    afterEach(async () => {
      for (const w of watches.splice(0)) await w.close();
      await kv.close();
    });

    const watch = async (from: number, recorder = new WatchRecorder(), p = prefix): Promise<[Watch, WatchRecorder]> => {
      const w = await kv.watch(p, from, recorder);
      watches.push(w);
      return [w, recorder];
    };
    const k = (name: string): string => prefix + name;

    it('create succeeds once; a second create fails with the current kv', { timeout }, async () => {
      const r0 = await kv.currentRevision();
      const c = await kv.create(k('a'), bytes('one'));
      assert.equal(c.succeeded, true);
      assert.equal(c.revision, r0 + 1);
      assertKv(c.kv, { key: k('a'), value: bytes('one'), createRevision: r0 + 1, modRevision: r0 + 1, version: 1 });
      assert.equal(c.prevKv, undefined);

      const again = await kv.create(k('a'), bytes('two'));
      assert.equal(again.succeeded, false);
      assert.equal(again.revision, r0 + 1);
      assertKv(again.kv, c.kv, 'current kv');
      assert.equal(await kv.currentRevision(), r0 + 1, 'a failed create does not bump the revision');
    });

    it('get returns the kv and the read revision; a missing key reads as undefined', { timeout }, async () => {
      const c = await kv.create(k('a'), bytes('v'));
      const got = await kv.get(k('a'));
      assertKv(got.kv, c.kv);
      assert.equal(got.revision, c.revision);
      const missing = await kv.get(k('missing'));
      assert.equal(missing.kv, undefined);
      assert.equal(missing.revision, c.revision);
    });

    it('update needs the current modRevision; stale or missing keys fail with the current kv', { timeout }, async () => {
      const c = await kv.create(k('a'), bytes('v1'));
      const u = await kv.update(k('a'), bytes('v2'), c.kv!.modRevision);
      assert.equal(u.succeeded, true);
      assert.equal(u.revision, c.revision + 1);
      assertKv(u.kv, { key: k('a'), value: bytes('v2'), createRevision: c.revision, modRevision: c.revision + 1, version: 2 });
      assertKv(u.prevKv, c.kv, 'prevKv');

      const stale = await kv.update(k('a'), bytes('v3'), c.kv!.modRevision);
      assert.equal(stale.succeeded, false);
      assert.equal(stale.revision, u.revision);
      assertKv(stale.kv, u.kv, 'current kv');

      for (const expected of [0, u.revision]) {
        const missing = await kv.update(k('missing'), bytes('x'), expected);
        assert.equal(missing.succeeded, false, `update of a missing key with expected ${expected}`);
        assert.equal(missing.kv, undefined);
        assert.equal(missing.revision, u.revision);
      }
      assert.equal((await kv.get(k('missing'))).kv, undefined, 'update never creates');
    });

    it('delete: unconditional, conditional, and of a missing key', { timeout }, async () => {
      const a = await kv.create(k('a'), bytes('a'));
      const b = await kv.create(k('b'), bytes('b'));
      const ua = await kv.update(k('a'), bytes('a2'), a.revision);

      const stale = await kv.delete(k('a'), a.revision);
      assert.equal(stale.succeeded, false);
      assertKv(stale.kv, ua.kv, 'current kv');
      assert.equal(stale.revision, ua.revision);

      const d = await kv.delete(k('a'), ua.revision);
      assert.equal(d.succeeded, true);
      assert.equal(d.revision, ua.revision + 1);
      assert.equal(d.kv, undefined);
      assertKv(d.prevKv, ua.kv, 'prevKv');
      assert.equal((await kv.get(k('a'))).kv, undefined);

      const again = await kv.delete(k('a'));
      assert.equal(again.succeeded, false);
      assert.equal(again.kv, undefined);
      assert.equal(again.revision, d.revision, 'a failed delete does not bump the revision');
      const againExpected = await kv.delete(k('a'), ua.revision);
      assert.equal(againExpected.succeeded, false);
      assert.equal(againExpected.kv, undefined);

      const db = await kv.delete(k('b'));
      assert.equal(db.succeeded, true);
      assert.equal(db.revision, d.revision + 1);
      assertKv(db.prevKv, b.kv, 'prevKv');
    });

    it('every successful write bumps the revision by exactly one; failed writes do not', { timeout }, async () => {
      let rev = await kv.currentRevision();
      const step = async (write: Promise<{ succeeded: boolean; revision: number }>, succeeds: boolean): Promise<void> => {
        const r = await write;
        assert.equal(r.succeeded, succeeds);
        if (succeeds) rev++;
        assert.equal(r.revision, rev);
        assert.equal(await kv.currentRevision(), rev);
      };
      await step(kv.create(k('x'), bytes('1')), true);
      await step(kv.create(k('x'), bytes('1')), false);
      await step(kv.update(k('x'), bytes('2'), rev), true);
      await step(kv.update(k('x'), bytes('3'), rev - 1), false);
      await step(kv.create(k('y'), bytes('1')), true);
      const yRev = rev;
      await step(kv.delete(k('x'), rev - 5), false);
      await step(kv.delete(k('x')), true);
      await step(kv.delete(k('x')), false);
      await step(kv.update(k('y'), bytes('2'), yRev), true);
    });

    it('re-creating a deleted key starts a new generation', { timeout }, async () => {
      const c = await kv.create(k('a'), bytes('1'));
      await kv.update(k('a'), bytes('2'), c.revision);
      await kv.delete(k('a'));
      const again = await kv.create(k('a'), bytes('3'));
      assert.equal(again.succeeded, true);
      assertKv(again.kv, { key: k('a'), value: bytes('3'), createRevision: again.revision, modRevision: again.revision, version: 1 });
      const u = await kv.update(k('a'), bytes('4'), again.revision);
      assert.equal(u.kv!.version, 2);
      assert.equal(u.kv!.createRevision, again.revision);
    });

    it('range: prefixes, sort order, limit, more, count, keysOnly, countOnly', { timeout }, async () => {
      const names = ['d', 'b', 'e', 'a', 'c'];
      const written = new Map<string, KeyValue>();
      for (const n of names) written.set(k(`r/${n}`), (await kv.create(k(`r/${n}`), bytes(`value ${n}`))).kv!);
      // Neighbours just outside the prefix `${prefix}r/`.
      await kv.create(k('r'), bytes('outside'));
      await kv.create(k('r0'), bytes('outside'));
      await kv.create(k('q/z'), bytes('outside'));
      const rev = await kv.currentRevision();
      const p = k('r/');
      const end = prefixEnd(p);
      const sorted = [...written.keys()].sort();

      const all = await kv.range(p, { end });
      assert.deepEqual(all.kvs.map((x) => x.key), sorted);
      for (const x of all.kvs) assertKv(x, written.get(x.key));
      assert.equal(all.more, false);
      assert.equal(all.count, 5);
      assert.equal(all.revision, rev);

      const two = await kv.range(p, { end, limit: 2 });
      assert.deepEqual(two.kvs.map((x) => x.key), sorted.slice(0, 2));
      assert.equal(two.more, true);
      assert.equal(two.count, 5);

      const exact = await kv.range(p, { end, limit: 5 });
      assert.equal(exact.kvs.length, 5);
      assert.equal(exact.more, false);

      // Paging as kube-apiserver does: continue after the last key, at the first page's revision.
      const page2 = await kv.range(two.kvs[1]!.key + '\0', { end, limit: 2, revision: two.revision });
      assert.deepEqual(page2.kvs.map((x) => x.key), sorted.slice(2, 4));
      assert.equal(page2.more, true);
      assert.equal(page2.count, 3);

      const keysOnly = await kv.range(p, { end, keysOnly: true });
      assert.deepEqual(keysOnly.kvs.map((x) => x.key), sorted);
      for (const x of keysOnly.kvs) {
        assert.equal(x.value.byteLength, 0, 'keysOnly values are empty');
        assert.equal(x.modRevision, written.get(x.key)!.modRevision);
        assert.equal(x.version, 1);
      }

      const countOnly = await kv.range(p, { end, countOnly: true });
      assert.deepEqual(countOnly.kvs, []);
      assert.equal(countOnly.count, 5);

      const single = await kv.range(k('r/c'));
      assert.deepEqual(single.kvs.map((x) => x.key), [k('r/c')]);
      assert.equal(single.count, 1);
      const none = await kv.range(k('r/zz'));
      assert.deepEqual(none.kvs, []);
      assert.equal(none.count, 0);

      const fromC = await kv.range(k('r/c'), { end });
      assert.deepEqual(fromC.kvs.map((x) => x.key), sorted.slice(2));

      const open = await kv.range(k('r/c'), { end: '\0', limit: 3 });
      assert.deepEqual(open.kvs.map((x) => x.key), sorted.slice(2), "end '\\0' means every key from start");
    });

    it('reads at an older revision see the state of that revision', { timeout }, async () => {
      const r1 = await kv.create(k('a'), bytes('v1'));
      const r2 = await kv.update(k('a'), bytes('v2'), r1.revision);
      const r3 = await kv.delete(k('a'));
      const r4 = await kv.create(k('b'), bytes('b'));

      const at1 = await kv.get(k('a'), { revision: r1.revision });
      assertKv(at1.kv, r1.kv);
      assert.equal(at1.revision, r1.revision);
      assertKv((await kv.get(k('a'), { revision: r2.revision })).kv, r2.kv);
      assert.equal((await kv.get(k('a'), { revision: r3.revision })).kv, undefined);
      assert.equal((await kv.get(k('b'), { revision: r3.revision })).kv, undefined);

      const range1 = await kv.range(prefix, { end: prefixEnd(prefix), revision: r1.revision });
      assert.deepEqual(range1.kvs.map((x) => x.key), [k('a')]);
      assert.equal(range1.revision, r1.revision);
      const range4 = await kv.range(prefix, { end: prefixEnd(prefix), revision: r4.revision });
      assert.deepEqual(range4.kvs.map((x) => x.key), [k('b')]);
      const range2 = await kv.range(prefix, { end: prefixEnd(prefix), revision: r2.revision });
      assertBytes(range2.kvs[0]!.value, bytes('v2'));

      const future = (await kv.currentRevision()) + 100;
      await assertKVError(kv.get(k('a'), { revision: future }), 'FutureRevision', 'get at a future revision');
      await assertKVError(kv.range(prefix, { end: prefixEnd(prefix), revision: future }), 'FutureRevision', 'range at a future revision');
    });

    it('watch from a past revision replays history in order, then continues live', { timeout }, async () => {
      const c = await kv.create(k('a'), bytes('1'));
      const u = await kv.update(k('a'), bytes('2'), c.revision);
      const b = await kv.create(k('b'), bytes('b'));
      const d = await kv.delete(k('a'));
      const [, rec] = await watch(c.revision);
      await rec.untilEvents(4);
      const live = await kv.update(k('b'), bytes('b2'), b.revision);
      await rec.untilEvents(5);
      await sleep(50);
      assert.deepEqual(rec.errors, []);
      assert.deepEqual(
        rec.events.map((e) => [e.type, e.kv.key, e.kv.modRevision]),
        [
          ['put', k('a'), c.revision],
          ['put', k('a'), u.revision],
          ['put', k('b'), b.revision],
          ['delete', k('a'), d.revision],
          ['put', k('b'), live.revision],
        ],
      );
      const [e0, e1, , e3, e4] = rec.events;
      assertKv(e0!.kv, c.kv);
      assert.equal(e0!.prevKv, undefined, 'a create has no prevKv');
      assertKv(e1!.kv, u.kv);
      assertKv(e1!.prevKv, c.kv, 'update prevKv');
      assertKv(e3!.prevKv, u.kv, 'delete prevKv');
      assert.equal(e3!.kv.value.byteLength, 0);
      assertKv(e4!.prevKv, b.kv, 'live update prevKv');
    });

    it('watch from 0 delivers only what changes after it started', { timeout }, async () => {
      await kv.create(k('old'), bytes('1'));
      await kv.update(k('old'), bytes('2'), await kv.currentRevision());
      const [, rec] = await watch(0);
      const fresh = await kv.create(k('new'), bytes('n'));
      await rec.untilEvents(1);
      await sleep(50);
      assert.deepEqual(rec.events.map((e) => [e.kv.key, e.kv.modRevision]), [[k('new'), fresh.revision]]);
    });

    it('watch from a future revision starts delivering at that revision', { timeout }, async () => {
      const start = (await kv.currentRevision()) + 3;
      const [, rec] = await watch(start);
      const results = [];
      for (let i = 0; i < 5; i++) results.push(await kv.create(k(`f${i}`), bytes(String(i))));
      await rec.untilEvents(3);
      await sleep(50);
      assert.deepEqual(
        rec.events.map((e) => e.kv.modRevision),
        results.filter((r) => r.revision >= start).map((r) => r.revision),
      );
    });

    it('events across keys arrive in revision order, each exactly once', { timeout }, async () => {
      const [, rec] = await watch(0);
      const sequential: number[] = [];
      for (let i = 0; i < 20; i++) sequential.push((await kv.create(k(`s${i % 5}/${i}`), bytes(String(i)))).revision);
      const parallel = await Promise.all(Array.from({ length: 40 }, (_, i) => kv.create(k(`p${i % 7}/${i}`), bytes(String(i)))));
      const expected = [...sequential, ...parallel.map((r) => r.revision)].sort((x, y) => x - y);
      await rec.untilEvents(expected.length);
      await sleep(50);
      assert.deepEqual(rec.events.map((e) => e.kv.modRevision), expected);
      for (const batch of rec.batches) assert.ok(batch.length > 0, 'no empty batches');
    });

    it('a watch sees only keys under its prefix', { timeout }, async () => {
      const p = k('w/');
      const [, rec] = await watch(0, undefined, p);
      await kv.create(k('w'), bytes('no'));
      await kv.create(k('w0'), bytes('no'));
      await kv.create(k('v/x'), bytes('no'));
      const yes = await kv.create(k('w/x'), bytes('yes'));
      await rec.untilEvents(1);
      await sleep(50);
      assert.deepEqual(rec.events.map((e) => e.kv.key), [k('w/x')]);
      assert.equal(rec.events[0]!.kv.modRevision, yes.revision);
    });

    it('delete events carry the delete revision, an empty value and prevKv', { timeout }, async () => {
      const [, rec] = await watch(0);
      const c = await kv.create(k('a'), bytes('payload'));
      const d = await kv.delete(k('a'), c.revision);
      await rec.untilEvents(2);
      const del = rec.events[1]!;
      assert.equal(del.type, 'delete');
      assert.equal(del.kv.key, k('a'));
      assert.equal(del.kv.modRevision, d.revision);
      assert.equal(del.kv.value.byteLength, 0);
      assertKv(del.prevKv, c.kv, 'prevKv');
    });

    it('requestProgress', { timeout }, async () => {
      const mode = opts.requestProgress ?? 'either';
      const [w, rec] = await watch(0);
      for (let i = 0; i < 3; i++) await kv.create(k(`p${i}`), bytes('x'));
      const target = await kv.currentRevision();
      const ok = await w.requestProgress();
      if (mode === 'supported') assert.equal(ok, true, 'requestProgress resolves true');
      if (mode === 'unsupported') assert.equal(ok, false, 'requestProgress resolves false');
      if (!ok) return;
      await rec.until('a progress notification at or after the last write', () => rec.progress.some((p) => p.revision >= target));
      const p = rec.progress.find((x) => x.revision >= target)!;
      assert.equal(p.eventsBefore, 3, 'every event up to the progress revision came before it');
      assert.deepEqual(rec.errors, []);
    });

    it('idle watches get periodic progress notifications', { timeout, skip: opts.periodicProgressWithinMs === undefined }, async () => {
      const [, rec] = await watch(0, undefined, k('idle/'));
      const elsewhere = await kv.create(k('busy'), bytes('x'));
      await rec.until(
        `a progress notification >= ${elsewhere.revision}`,
        () => rec.progress.some((p) => p.revision >= elsewhere.revision),
        opts.periodicProgressWithinMs,
      );
      assert.deepEqual(rec.events, []);
      const revisions = rec.progress.map((p) => p.revision);
      assert.deepEqual(revisions, [...revisions].sort((x, y) => x - y), 'progress revisions never go back');
    });

    it('compaction: older reads and watches fail with Compacted; latest values are kept', { timeout }, async () => {
      const a1 = await kv.create(k('a'), bytes('a1'));
      const a2 = await kv.update(k('a'), bytes('a2'), a1.revision);
      const gone = await kv.create(k('gone'), bytes('g'));
      const goneDel = await kv.delete(k('gone'));
      const a3 = await kv.update(k('a'), bytes('a3'), a2.revision);
      const b = await kv.create(k('b'), bytes('b'));
      const before = await kv.range(prefix, { end: prefixEnd(prefix) });

      await kv.compact(a3.revision);
      assert.equal(await kv.compactedRevision(), a3.revision);

      const err = await assertKVError(kv.get(k('a'), { revision: a2.revision }), 'Compacted', 'get below the compacted revision');
      assert.equal(err.compactRevision, a3.revision, 'Compacted carries the compacted revision');
      await assertKVError(kv.range(prefix, { end: prefixEnd(prefix), revision: goneDel.revision }), 'Compacted', 'range below it');
      assertKv((await kv.get(k('a'), { revision: a3.revision })).kv, a3.kv, 'read at the compacted revision');
      assert.equal((await kv.get(k('gone'), { revision: a3.revision })).kv, undefined);
      assert.equal((await kv.get(k('gone'))).kv, undefined);
      assert.ok(gone.succeeded);

      const after = await kv.range(prefix, { end: prefixEnd(prefix) });
      assert.deepEqual(after.kvs.map((x) => x.key), before.kvs.map((x) => x.key));
      for (let i = 0; i < after.kvs.length; i++) assertKv(after.kvs[i], before.kvs[i], `latest ${after.kvs[i]!.key}`);

      const [, old] = await watch(a2.revision);
      await old.until('a Compacted error', () => old.errors.length > 0);
      assert.equal(old.errors[0]!.code, 'Compacted');
      assert.equal(old.errors[0]!.compactRevision, a3.revision);
      assert.deepEqual(old.events, []);

      const [, fromCompacted] = await watch(a3.revision);
      await fromCompacted.untilEvents(2);
      assert.deepEqual(fromCompacted.events.map((e) => e.kv.modRevision), [a3.revision, b.revision]);
      assertKv(fromCompacted.events[1]!.kv, b.kv);

      await assertKVError(kv.compact(a3.revision), 'Compacted', 'compacting again at the same revision');
      await assertKVError(kv.compact(a2.revision), 'Compacted', 'compacting below it');
      await assertKVError(kv.compact((await kv.currentRevision()) + 10), 'FutureRevision', 'compacting in the future');

      // History written after the compaction works as before.
      const a4 = await kv.update(k('a'), bytes('a4'), a3.revision);
      assertKv((await kv.get(k('a'), { revision: b.revision })).kv, a3.kv);
      assertKv((await kv.get(k('a'))).kv, a4.kv);
    });

    it('concurrent writes with the same expectation: exactly one wins', { timeout }, async () => {
      const c = await kv.create(k('a'), bytes('0'));
      const updates = await Promise.all(Array.from({ length: 16 }, (_, i) => kv.update(k('a'), bytes(`u${i}`), c.revision)));
      const winners = updates.filter((r) => r.succeeded);
      assert.equal(winners.length, 1, 'exactly one update wins');
      for (const loser of updates.filter((r) => !r.succeeded)) assertKv(loser.kv, winners[0]!.kv, "loser sees the winner's kv");

      const creates = await Promise.all(Array.from({ length: 16 }, (_, i) => kv.create(k('b'), bytes(`c${i}`))));
      assert.equal(creates.filter((r) => r.succeeded).length, 1, 'exactly one create wins');

      const current = winners[0]!.revision;
      const deletes = await Promise.all(Array.from({ length: 8 }, () => kv.delete(k('a'), current)));
      assert.equal(deletes.filter((r) => r.succeeded).length, 1, 'exactly one delete wins');
    });

    it('values are arbitrary bytes', { timeout }, async () => {
      const all = Uint8Array.from({ length: 256 }, (_, i) => i);
      const values: [string, Uint8Array][] = [
        ['all', all],
        ['empty', new Uint8Array(0)],
        ['invalid-utf8', Uint8Array.from([0xff, 0xfe, 0x00, 0xc3, 0x28, 0x80])],
        ['nul', new Uint8Array(17)],
        ['view', all.subarray(100, 110)],
      ];
      const [, rec] = await watch(0);
      for (const [name, value] of values) {
        const r = await kv.create(k(name), value);
        assertBytes(r.kv!.value, value, `${name} (create result)`);
        assertBytes((await kv.get(k(name))).kv!.value, value, `${name} (get)`);
      }
      const listed = await kv.range(prefix, { end: prefixEnd(prefix) });
      for (const [name, value] of values) assertBytes(listed.kvs.find((x) => x.key === k(name))!.value, value, `${name} (range)`);
      await rec.untilEvents(values.length);
      for (const [name, value] of values) assertBytes(rec.events.find((e) => e.kv.key === k(name))!.kv.value, value, `${name} (watch)`);
    });

    it('large values round-trip; oversized writes fail with TooLarge', { timeout }, async () => {
      const size = DEFAULT_MAX_REQUEST_BYTES - 1024;
      const v1 = randomBytes(size);
      const v2 = randomBytes(size);
      const [, rec] = await watch(0);
      const c = await kv.create(k('big'), v1);
      assert.equal(c.succeeded, true);
      const u = await kv.update(k('big'), v2, c.revision);
      assert.equal(u.succeeded, true);
      assertBytes((await kv.get(k('big'))).kv!.value, v2, 'get');
      assertBytes((await kv.get(k('big'), { revision: c.revision })).kv!.value, v1, 'get at the older revision');
      await rec.untilEvents(2);
      assertBytes(rec.events[1]!.kv.value, v2, 'watch value');
      assertBytes(rec.events[1]!.prevKv!.value, v1, 'watch prevKv value');

      const rev = await kv.currentRevision();
      const tooLarge = randomBytes(DEFAULT_MAX_REQUEST_BYTES + 1);
      await assertKVError(kv.create(k('huge'), tooLarge), 'TooLarge', 'create of 1.5 MiB + 1');
      await assertKVError(kv.update(k('big'), tooLarge, u.revision), 'TooLarge', 'update of 1.5 MiB + 1');
      assert.equal(await kv.currentRevision(), rev, 'nothing was written');
    });

    it('a watch replays a long history in order (more than one read batch)', { timeout: Math.max(timeout, 60_000) }, async () => {
      const first = await kv.create(k('h/0000'), bytes('0'));
      const n = 1200;
      const revisions = [first.revision];
      for (let i = 1; i < n; i += 40) {
        const chunk = await Promise.all(
          Array.from({ length: Math.min(40, n - i) }, (_, j) => kv.create(k(`h/${String(i + j).padStart(4, '0')}`), bytes(String(i + j)))),
        );
        revisions.push(...chunk.map((r) => r.revision));
      }
      const [, rec] = await watch(first.revision);
      await rec.untilEvents(n, 30_000);
      const live = await kv.create(k('h/live'), bytes('live'));
      await rec.untilEvents(n + 1);
      await sleep(50);
      assert.deepEqual(rec.errors, []);
      assert.deepEqual(rec.events.map((e) => e.kv.modRevision), [...revisions.sort((x, y) => x - y), live.revision]);
    });

    it('a closed watch delivers nothing more', { timeout }, async () => {
      const [w, rec] = await watch(0);
      await kv.create(k('a'), bytes('1'));
      await rec.untilEvents(1);
      await w.close();
      await kv.create(k('b'), bytes('2'));
      await sleep(200);
      assert.equal(rec.events.length, 1);
      assert.deepEqual(rec.errors, []);
    });

    it('a handler that throws ends its watch with Closed', { timeout }, async () => {
      const rec = new WatchRecorder();
      let calls = 0;
      const throwing: WatchHandler = {
        onEvents: () => {
          calls++;
          throw new Error('boom');
        },
        onError: (err) => rec.onError(err),
      };
      const w = await kv.watch(prefix, 0, throwing);
      watches.push(w);
      await kv.create(k('a'), bytes('1'));
      await rec.until('an error', () => rec.errors.length > 0);
      assert.equal(rec.errors[0]!.code, 'Closed');
      await kv.create(k('b'), bytes('2'));
      await sleep(100);
      assert.equal(calls, 1);
      assert.equal(rec.errors.length, 1);
    });

    it('closing the KV ends its watches and fails every later call with Closed', { timeout }, async () => {
      const other = await open();
      const rec = new WatchRecorder();
      await other.watch(prefix, 0, rec);
      await other.close();
      await rec.until('the watch to end', () => rec.errors.length > 0);
      assert.equal(rec.errors[0]!.code, 'Closed');
      await assertKVError(other.get(k('a')), 'Closed', 'get');
      await assertKVError(other.range(prefix, { end: prefixEnd(prefix) }), 'Closed', 'range');
      await assertKVError(other.create(k('a'), bytes('x')), 'Closed', 'create');
      await assertKVError(other.update(k('a'), bytes('x'), 1), 'Closed', 'update');
      await assertKVError(other.delete(k('a')), 'Closed', 'delete');
      await assertKVError(other.watch(prefix, 0, new WatchRecorder()), 'Closed', 'watch');
      await assertKVError(other.compact(1), 'Closed', 'compact');
      await assertKVError(other.currentRevision(), 'Closed', 'currentRevision');
      await other.close(); // idempotent
    });
  });
}
